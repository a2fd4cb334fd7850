"""What membership gives the email list: segments (members by status, level and province)
and merge fields ({membership_expiry}, {membership_level}), registered with mailing from
this app's `ready()`."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tide.lib.canada import PROVINCES
from tide.mailing.merge_fields import register_merge_field
from tide.mailing.segments import Segment, register_segment, register_segment_provider


def register_member_segments() -> None:
    from .models import Application, MembershipPeriod, MembershipSettings

    def current() -> Q:
        today = timezone.localdate()
        return Q(Exists(MembershipPeriod.objects.current(today).filter(user=OuterRef("user"))))

    def in_grace_or_lapsed(*, lapsed: bool) -> Q:
        today = timezone.localdate()
        grace_start = today - timedelta(days=MembershipSettings.load().grace_days)
        periods = MembershipPeriod.objects.filter(user=OuterRef("user"))
        recent = periods.filter(ends_on__gte=grace_start)
        ended = Q(Exists(periods.filter(ends_on__lt=today))) & ~current()
        return ended & (~Q(Exists(recent)) if lapsed else Q(Exists(recent)))

    register_segment("members_active", _("Members in good standing"), current)
    register_segment(
        "members_in_grace",
        _("Members in their grace period"),
        lambda: in_grace_or_lapsed(lapsed=False),
    )
    register_segment("members_lapsed", _("Lapsed members"), lambda: in_grace_or_lapsed(lapsed=True))
    register_segment(
        "not_members",
        _("Not members"),
        lambda: ~Q(Exists(MembershipPeriod.objects.filter(user=OuterRef("user")))),
    )
    for code, name in PROVINCES:

        def province(code: str = code) -> Q:
            approved = Application.objects.filter(
                user=OuterRef("user"), province=code, status=Application.Status.APPROVED
            )
            return current() & Q(Exists(approved))

        register_segment(f"members_province_{code}", f"{_('Members in')} {name}", province)

    register_segment_provider(level_segments)


def level_segments() -> list[Segment]:
    """One segment per membership level (current members at that level)."""
    from tide.membership.models import MembershipLevel, MembershipPeriod

    found = []
    for level in MembershipLevel.objects.all():

        def at_level(level_id: int = level.pk) -> Q:
            today = timezone.localdate()
            return Q(
                Exists(
                    MembershipPeriod.objects.current(today).filter(
                        user=OuterRef("user"), level_id=level_id
                    )
                )
            )

        found.append(
            Segment(
                key=f"members_level_{level.slug}",
                label=f"{_('Members at level')}: {level.name}",
                build=at_level,
            )
        )
    return found


def register_member_merge_fields() -> None:
    register_merge_field("membership_expiry", _("membership end date"), membership_expiry)
    register_merge_field("membership_level", _("membership level"), membership_level)


def _current_periods(contacts) -> dict:
    """Each member contact's current period (the one rule, `current()`), in one query. A
    contact is the member tied to it, or else the member with the same email."""
    from .models import MembershipPeriod

    by_user = {contact.user_id: contact.pk for contact in contacts if contact.user_id}
    by_email = {contact.email: contact.pk for contact in contacts if not contact.user_id}
    if not by_user and not by_email:
        return {}
    periods = (
        MembershipPeriod.objects.current(timezone.localdate())
        .filter(Q(user_id__in=by_user) | Q(user__email__in=by_email))
        .select_related("level", "user")
        .order_by("ends_on")  # the latest-ending wins below
    )
    found = {}
    for period in periods:
        pk = by_user.get(period.user_id) or by_email.get(period.user.email.lower())
        if pk is not None:
            found[pk] = period
    return found


def membership_expiry(contacts) -> dict[int, str]:
    return {
        pk: date_format(period.ends_on, "j F Y")
        for pk, period in _current_periods(contacts).items()
    }


def membership_level(contacts) -> dict[int, str]:
    return {pk: period.level.name for pk, period in _current_periods(contacts).items()}
