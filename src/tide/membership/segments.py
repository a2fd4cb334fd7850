"""Email-list segments from membership data (members by status, level and province),
registered with mailing from this app's `ready()`."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tide.lib.canada import PROVINCES
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
