"""Counting CE credits against a rule set; outside CE members report; certificates.

The rules are data (`CreditRuleSet`): a total and minimums per category over a cycle,
hour-to-credit conversion per category, cohorts by start year, proration for members who
join mid-cycle, carry-over on or off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from tide.accounts.models import User
from tide.mailing.transactional import email_send_template

from .models import (
    CreditCategory,
    CreditEntry,
    CreditRequirement,
    CreditRuleSet,
    MemberCE,
    Registration,
    cycle_bounds,
    province_codes,
)

CENT = Decimal("0.01")
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
}
CERTIFICATE_SALT = "tide.education.certificate"


@dataclass
class CategoryProgress:
    category: CreditCategory
    earned: Decimal
    minimum: Decimal

    @property
    def percent(self) -> int:
        if not self.minimum:
            return 100
        return min(int(self.earned / self.minimum * 100), 100)

    @property
    def met(self) -> bool:
        return self.earned >= self.minimum


@dataclass
class Transcript:
    user: User
    rule_set: CreditRuleSet
    starts_on: date
    ends_on: date
    required: Decimal
    earned: Decimal
    carried: Decimal
    categories: list[CategoryProgress]
    entries: list[tuple[CreditEntry, Decimal]] = field(default_factory=list)
    pending: list[CreditEntry] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.earned + self.carried

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(int(self.total / self.required * 100), 100)

    @property
    def complete(self) -> bool:
        return self.total >= self.required and all(c.met for c in self.categories)

    @property
    def remaining(self) -> Decimal:
        return max(self.required - self.total, Decimal(0))


def plan_for(user: User) -> tuple[CreditRuleSet, date] | None:
    """The member's rule set and start date: their own plan, else the rule set of the
    province they practise in, else the default, from their first membership (or their
    account)."""
    plan = MemberCE.objects.select_related("rule_set").filter(user=user).first()
    if plan:
        return plan.rule_set, plan.started_on
    from tide.membership.models import Application, MembershipPeriod

    province = (
        Application.objects.filter(user=user, status=Application.Status.APPROVED)
        .order_by("-decided_at", "-id")
        .values_list("province", flat=True)
        .first()
    )
    rule_sets = list(CreditRuleSet.objects.order_by("pk"))
    rule_set = next(
        (rules for rules in rule_sets if province and province in province_codes(rules.provinces)),
        None,
    ) or next((rules for rules in rule_sets if rules.is_default), None)
    if rule_set is None:
        return None

    first = (
        MembershipPeriod.objects.filter(user=user)
        .order_by("starts_on")
        .values_list("starts_on", flat=True)
        .first()
    )
    return rule_set, first or timezone.localdate(user.date_joined)


def credits_under(entry: CreditEntry, requirements: dict[int, CreditRequirement]) -> Decimal:
    """The entry's credits under a rule set: converted from hours where the category says so."""
    requirement = requirements.get(entry.category_id)
    if requirement and requirement.hours_per_credit and entry.hours:
        return (entry.hours / requirement.hours_per_credit).quantize(CENT, ROUND_HALF_UP)
    return entry.credits


def _share(started_on: date, starts_on: date, ends_on: date) -> Decimal:
    """The part of the cycle left when a member started mid-cycle (whole months)."""
    if started_on <= starts_on:
        return Decimal(1)
    months_total = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month + 1
    months_left = (ends_on.year - started_on.year) * 12 + ends_on.month - started_on.month + 1
    return Decimal(max(months_left, 0)) / Decimal(months_total)


def _earned(user, rule_set, requirements, starts_on, ends_on):
    entries = list(
        CreditEntry.objects.filter(
            user=user,
            status=CreditEntry.Status.APPROVED,
            completed_on__gte=starts_on,
            completed_on__lte=ends_on,
        )
        .select_related("category", "registration")
        .order_by("completed_on", "id")
    )
    return [(entry, credits_under(entry, requirements)) for entry in entries]


def transcript_for(user: User, *, today: date | None = None) -> Transcript | None:
    today = today or timezone.localdate()
    plan = plan_for(user)
    if plan is None:
        return None
    rule_set, started_on = plan
    requirements = {r.category_id: r for r in rule_set.requirements.select_related("category")}
    starts_on, ends_on = cycle_bounds(rule_set, started_on=started_on, today=today)
    share = _share(started_on, starts_on, ends_on) if rule_set.prorate_new_members else Decimal(1)
    entries = _earned(user, rule_set, requirements, starts_on, ends_on)
    by_category: dict[int, Decimal] = {}
    for entry, credits in entries:
        by_category[entry.category_id] = by_category.get(entry.category_id, Decimal(0)) + credits
    carried = Decimal(0)
    if rule_set.carry_over and started_on < starts_on:
        previous_end = starts_on - timedelta(days=1)
        previous_start, _end = cycle_bounds(rule_set, started_on=started_on, today=previous_end)
        before = sum(
            (c for _e, c in _earned(user, rule_set, requirements, previous_start, previous_end)),
            Decimal(0),
        )
        previous_share = (
            _share(started_on, previous_start, previous_end)
            if rule_set.prorate_new_members
            else Decimal(1)
        )
        excess = before - (rule_set.total_required * previous_share).quantize(CENT, ROUND_HALF_UP)
        carried = min(max(excess, Decimal(0)), rule_set.carry_over_max)
    categories = [
        CategoryProgress(
            category=r.category,
            earned=by_category.get(r.category_id, Decimal(0)),
            minimum=(r.minimum * share).quantize(CENT, ROUND_HALF_UP),
        )
        for r in requirements.values()
    ]
    pending = list(
        CreditEntry.objects.filter(user=user)
        .exclude(status=CreditEntry.Status.APPROVED)
        .select_related("category")
        .order_by("-created_at")[:50]
    )
    return Transcript(
        user=user,
        rule_set=rule_set,
        starts_on=starts_on,
        ends_on=ends_on,
        required=(rule_set.total_required * share).quantize(CENT, ROUND_HALF_UP),
        earned=sum((c for _e, c in entries), Decimal(0)),
        carried=carried,
        categories=categories,
        entries=entries,
        pending=pending,
    )


# --- outside CE ---------------------------------------------------------------------------


def evidence_check(upload: UploadedFile) -> str:
    """The evidence's real type (by its content, not its name), or a clear refusal."""
    import filetype

    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is 5 MB.")
            % {"size": round(upload.size / 1024 / 1024, 1)},
            code="too_large",
        )
    head = upload.read(2048)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        raise ValidationError(_("Upload a PDF or an image (JPEG, PNG or WebP)."), code="wrong_type")
    return kind.mime


def credit_outside_add(
    *,
    user: User,
    category: CreditCategory,
    title: str,
    provider_name: str,
    completed_on: date,
    hours: Decimal,
    credits: Decimal,
    evidence: UploadedFile,
) -> CreditEntry:
    """A member reports outside CE with evidence; it counts once staff approve it."""
    if completed_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    if hours < 0 or credits < 0 or not (hours or credits):
        raise ValidationError(_("Give the hours or the credits."), code="amount")
    mime = evidence_check(evidence)
    evidence.name = f"evidence.{EVIDENCE_TYPES[mime]}"
    with transaction.atomic():
        entry = CreditEntry.objects.create(
            user=user,
            category=category,
            title=title.strip(),
            provider_name=provider_name.strip(),
            completed_on=completed_on,
            hours=hours,
            credits=credits,
            evidence=evidence,
            evidence_type=mime,
            status=CreditEntry.Status.PENDING,
        )
        log(entry, "tide.education.credit_add", user=user)
    return entry


@transaction.atomic
def credit_review(*, entry: CreditEntry, by: User, approve: bool, reason: str = "") -> CreditEntry:
    reason = (reason or "").strip()
    entry = CreditEntry.objects.select_for_update().select_related("user").get(pk=entry.pk)
    if entry.status != CreditEntry.Status.PENDING:
        raise ValidationError(_("This entry was already reviewed."), code="reviewed")
    if not approve and not reason:
        raise ValidationError(_("Give the member a reason."), code="reason")
    entry.status = CreditEntry.Status.APPROVED if approve else CreditEntry.Status.REJECTED
    entry.reviewed_by = by
    entry.reviewed_at = timezone.now()
    entry.review_reason = reason
    entry.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
    log(
        entry,
        "tide.education.credit_approve" if approve else "tide.education.credit_reject",
        user=by,
        data={"reason": reason},
    )
    email_send_template(
        "education/email/credit_reviewed",
        to=entry.user.email,
        context={"entry": entry, "approved": approve, "reason": reason},
    )
    return entry


# --- certificates ---------------------------------------------------------------------------


def certificate_token(registration: Registration) -> str:
    return signing.dumps(registration.pk, salt=CERTIFICATE_SALT)


def registration_from_token(token: str) -> Registration | None:
    try:
        pk = signing.loads(token, salt=CERTIFICATE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return (
        Registration.objects.select_related(
            "event", "event__provider", "event__credit_category", "user"
        )
        .filter(pk=pk, attended_at__isnull=False)
        .first()
    )


def behind_reminders_send(*, today: date | None = None) -> int:
    """Email members behind on their cycle once, `reminder_days_before_end` before it ends."""
    from django.conf import settings
    from django.urls import reverse

    today = today or timezone.localdate()
    sent = 0
    for plan in MemberCE.objects.select_related("rule_set", "user"):
        rule_set = plan.rule_set
        _starts_on, ends_on = cycle_bounds(rule_set, started_on=plan.started_on, today=today)
        if (ends_on - today).days > rule_set.reminder_days_before_end:
            continue
        if plan.last_behind_reminder_for == ends_on:
            continue
        transcript = transcript_for(plan.user, today=today)
        if transcript is None or transcript.complete:
            continue
        with transaction.atomic():
            if (
                not MemberCE.objects.filter(pk=plan.pk)
                .exclude(last_behind_reminder_for=ends_on)
                .update(last_behind_reminder_for=ends_on)
            ):
                continue
            email_send_template(
                "education/email/cycle_behind",
                to=plan.user.email,
                context={
                    "transcript": transcript,
                    "transcript_url": settings.SITE_URL + reverse("education:transcript"),
                },
            )
            sent += 1
    return sent
