"""Membership levels, the association's membership rules, applications and membership periods.

A member's status is never stored: it is read from their periods (records that are never
overwritten) and the grace period (see `membership_status`).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from tide.lib.canada import PROVINCES, postal_code_validator
from tide.lib.money import format_cad


class MembershipLevel(models.Model):
    """A category of membership staff define: RMT, New graduate, Student, Retired, Associate."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    annual_price_cents = models.PositiveIntegerField(
        _("annual dues (cents)"), help_text=_("In cents: 35000 is $350.00.")
    )
    admin_fee_cents = models.PositiveIntegerField(
        _("admin fee for new members (cents)"),
        default=0,
        help_text=_("Charged once to new and reinstating members. In cents: 5000 is $50.00."),
    )
    late_fee_cents = models.PositiveIntegerField(
        _("late fee (cents)"),
        default=0,
        help_text=_(
            "Added when a member renews after their membership ended, during grace. In cents: "
            "5000 is $50.00."
        ),
    )
    requires_registration_number = models.BooleanField(
        _("requires a registration number"),
        default=False,
        help_text=_("Applicants must give their college and registration number."),
    )
    requires_student_evidence = models.BooleanField(
        _("requires school and expected graduation"),
        default=False,
        help_text=_(
            "For student levels: applicants name their school and when they expect to graduate."
        ),
    )
    includes_directory_listing = models.BooleanField(
        _("includes a directory listing"), default=False
    )
    includes_insurance_eligibility = models.BooleanField(
        _("eligible for group insurance"), default=False
    )
    includes_member_prices = models.BooleanField(_("member prices for courses"), default=False)
    active = models.BooleanField(
        _("open to new applications"),
        default=True,
        help_text=_("Hidden from the join page when off."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("annual_price_cents"),
                FieldPanel("admin_fee_cents"),
                FieldPanel("late_fee_cents"),
            ],
            heading=_("Fees"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("requires_registration_number"),
                FieldPanel("requires_student_evidence"),
                FieldPanel("includes_directory_listing"),
                FieldPanel("includes_insurance_eligibility"),
                FieldPanel("includes_member_prices"),
            ],
            heading=_("Evidence and benefits"),
        ),
        FieldPanel("active"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = _("membership level")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def annual_price(self) -> str:
        return format_cad(self.annual_price_cents)

    @property
    def admin_fee(self) -> str:
        return format_cad(self.admin_fee_cents)

    def evidence_missing(self, data: dict) -> str:
        """What an application for this level lacks, as a sentence; "" when complete."""
        if self.requires_registration_number and not (
            data.get("registration_number") and data.get("college")
        ):
            return _g("This level needs your college and registration number.")
        if self.requires_student_evidence and not (
            data.get("school") and data.get("expected_graduation_on")
        ):
            return _g("This level needs your school and expected graduation date.")
        return ""

    def benefits(self) -> list[str]:
        """What the level includes, as sentences for the join page."""
        included = []
        if self.includes_directory_listing:
            included.append(_g("A listing in the public Find an RMT directory"))
        if self.includes_insurance_eligibility:
            included.append(_g("Eligibility for group liability insurance"))
        if self.includes_member_prices:
            included.append(_g("Member prices on continuing-education courses"))
        return included


class Proration(models.TextChoices):
    NONE = "none", _("None: everyone pays the full year")
    MONTH = "month", _("By month")
    QUARTER = "quarter", _("By quarter")
    HALF_YEAR = "half", _("By half-year")


class Term(models.TextChoices):
    FIXED = "fixed", _("Everyone renews on the same date")
    ANNIVERSARY = "anniversary", _("Each member renews on the anniversary of joining")


def year_after(day: date) -> date:
    """The same day a year later; a leap day's anniversary is 1 March."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


MONTHS = [(number, calendar.month_name[number]) for number in range(1, 13)]
UNITS_PER_YEAR = {
    Proration.NONE: 1,
    Proration.MONTH: 12,
    Proration.QUARTER: 4,
    Proration.HALF_YEAR: 2,
}


DEFAULT_REMINDER_DAYS = "60,30,7,0,-14"
RENEWAL_WINDOW_DAYS = 60


def parse_reminder_days(value: str) -> list[int]:
    """ "60, 30,7,0,-14" → [60, 30, 7, 0, -14] (distinct, largest first); ValueError if not numbers."""
    parts = [part.strip() for part in (value or "").split(",") if part.strip()]
    return sorted({int(part) for part in parts}, reverse=True)


def reminder_days_validator(value: str) -> None:
    try:
        offsets = parse_reminder_days(value)
    except ValueError:
        raise ValidationError(
            _g("Enter whole numbers of days separated by commas, like 60,30,7,0,-14."),
            code="invalid",
        ) from None
    if any(abs(offset) > 365 for offset in offsets):
        raise ValidationError(_g("Reminders are at most 365 days away."), code="invalid")


@register_setting(icon="group")
class MembershipSettings(BaseGenericSetting):
    term = models.CharField(
        _("membership year"),
        max_length=12,
        choices=Term.choices,
        default=Term.FIXED,
        help_text=_(
            "On a fixed date, mid-year joiners pay for the rest of the year (see proration). "
            "On anniversaries, everyone pays a full year from the day they join, and renewing "
            "keeps their date."
        ),
    )
    renewal_month = models.PositiveSmallIntegerField(_("renewal month"), choices=MONTHS, default=12)
    renewal_day = models.PositiveSmallIntegerField(
        _("renewal day"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("1 to 28, so the date exists in every month and every year."),
    )
    grace_days = models.PositiveIntegerField(
        _("grace period (days)"),
        default=60,
        validators=[MaxValueValidator(365)],
        help_text=_("How long after expiry a member keeps their benefits before lapsing."),
    )
    proration = models.CharField(
        _("proration for mid-year joiners"),
        max_length=10,
        choices=Proration.choices,
        default=Proration.MONTH,
        help_text=_("The month, quarter or half-year someone joins in is charged in full."),
    )
    rollover_days = models.PositiveSmallIntegerField(
        _("roll late joiners into the next year (days)"),
        default=90,
        validators=[MaxValueValidator(180)],
        help_text=_(
            "Someone joining with fewer days than this left before renewal pays a full year and "
            "is a member until the renewal after next. 0 turns this off."
        ),
    )
    dues_taxable = models.BooleanField(
        _("dues are taxable"),
        default=True,
        help_text=_("Sales tax at the member's province's rate is added to dues and fees."),
    )
    reminder_days = models.CharField(
        _("renewal reminders (days)"),
        max_length=100,
        default=DEFAULT_REMINDER_DAYS,
        validators=[reminder_days_validator],
        help_text=_(
            "Days before the end of a membership (positive) or after it, during grace "
            "(negative), separated by commas: 60,30,7,0,-14. 0 is the last day. A lapse notice "
            "is always sent the day after grace ends."
        ),
    )
    auto_renew_notice_days = models.PositiveSmallIntegerField(
        _("automatic renewal notice (days before the charge)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(45)],
        help_text=_(
            "Members who renew automatically are told the amount and card this many days "
            "before their card is charged (7 days before their membership ends)."
        ),
    )

    panels = [
        FieldPanel("term"),
        MultiFieldPanel(
            [FieldPanel("renewal_month"), FieldPanel("renewal_day")],
            heading=_("Fixed date: everyone renews on"),
        ),
        FieldPanel("grace_days"),
        FieldPanel("proration"),
        FieldPanel("rollover_days"),
        FieldPanel("dues_taxable"),
        MultiFieldPanel(
            [
                FieldPanel("reminder_days"),
                FieldPanel("auto_renew_notice_days"),
            ],
            heading=_("Renewals"),
        ),
    ]

    class Meta:
        verbose_name = _("membership")

    def clean(self) -> None:
        super().clean()
        try:
            offsets = parse_reminder_days(self.reminder_days)
        except ValueError:
            return  # the field's validator says what is wrong
        if any(offset < -self.grace_days for offset in offsets):
            raise ValidationError(
                {
                    "reminder_days": _g(
                        "A reminder after expiry must fall within the grace period of %(days)s days."
                    )
                    % {"days": self.grace_days}
                }
            )

    def reminder_offsets(self) -> list[int]:
        """The configured reminder days, largest first, without any past the grace period."""
        return [o for o in parse_reminder_days(self.reminder_days) if o >= -self.grace_days]

    @property
    def lapse_offset(self) -> int:
        """The lapse notice's offset: the first day after grace, when the member is lapsed."""
        return -(self.grace_days + 1)

    def renewal_window_days(self) -> int:
        """How many days before expiry a member may renew: 60, or the earliest reminder."""
        return max([RENEWAL_WINDOW_DAYS, *self.reminder_offsets()])

    def renewal_on(self, year: int) -> date:
        return date(year, self.renewal_month, self.renewal_day)

    def last_renewal(self, today: date) -> date:
        """The renewal date on or before `today`: the start of the membership year."""
        this_year = self.renewal_on(today.year)
        return this_year if this_year <= today else self.renewal_on(today.year - 1)

    def next_renewal(self, today: date) -> date:
        """The first renewal date after `today`: joining on a renewal date buys a whole year."""
        return self.renewal_on(self.last_renewal(today).year + 1)

    def rolls_over(self, today: date) -> bool:
        """Too little of the year is left to sell on its own: the next year comes with it."""
        if self.term == Term.ANNIVERSARY:
            return False
        return (self.next_renewal(today) - today).days < self.rollover_days

    def period_for(self, today: date) -> tuple[date, date]:
        """The first period of someone joining `today`: from today to the day before renewal
        (the renewal after next for a late joiner), or a year to the day on anniversaries."""
        if self.term == Term.ANNIVERSARY:
            return today, year_after(today) - timedelta(days=1)
        renewal = self.next_renewal(today)
        if self.rolls_over(today):
            renewal = self.renewal_on(renewal.year + 1)
        return today, renewal - timedelta(days=1)

    def units_remaining(self, today: date) -> tuple[int, int]:
        """(units charged, units in a year) for someone joining `today`.

        The unit someone joins in (month, quarter or half-year, counted from the renewal
        date) is charged in full; so is the whole year without proration.
        """
        if self.term == Term.ANNIVERSARY:
            return 1, 1  # every period is a whole year
        units = UNITS_PER_YEAR[Proration(self.proration)]
        if self.rolls_over(today):
            return units, units
        start = self.last_renewal(today)
        months_elapsed = (today.year - start.year) * 12 + today.month - start.month
        if today.day < start.day:
            months_elapsed -= 1
        months_per_unit = 12 // units
        return units - months_elapsed // months_per_unit, units

    def prorated_cents(self, annual_cents: int, today: date) -> int:
        """Dues for the rest of the membership year, rounded half up to the cent."""
        charged, units = self.units_remaining(today)
        return (annual_cents * charged * 2 + units) // (units * 2)


_REGISTRATION_NUMBER = re.compile(r"^[A-Za-z0-9]{3,20}$")


def registration_number_validator(value: str) -> None:
    if not _REGISTRATION_NUMBER.match(value):
        raise ValidationError(
            _g(
                "Enter your registration number as 3 to 20 letters and digits, without spaces or dashes."
            ),
            code="invalid",
        )


class ApplicationQuerySet(models.QuerySet):
    def open(self) -> ApplicationQuerySet:
        return self.filter(status__in=Application.OPEN_STATUSES)


class Application(models.Model):
    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
        INFO_REQUESTED = "info_requested", _("Information requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    OPEN_STATUSES = (Status.AWAITING_PAYMENT, Status.AWAITING_REVIEW, Status.INFO_REQUESTED)
    # What a member keeps up to date themselves once approved. Province, college and number
    # change through staff: a move is a new registration with another college.
    DETAILS_FIELDS = (
        "preferred_name",
        "phone",
        "practice_address",
        "practice_city",
        "practice_postal_code",
        "languages",
        "modalities",
    )
    # What membership officers may also correct: a move is a new registration with another
    # college, checked by a person.
    STAFF_DETAILS_FIELDS = (
        "legal_name",
        *DETAILS_FIELDS,
        "province",
        "college",
        "registration_number",
    )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="membership_applications",
    )
    level = models.ForeignKey(
        MembershipLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+"
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    preferred_name = models.CharField(_("preferred name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30)
    province = models.CharField(_("province"), max_length=2, choices=PROVINCES)
    practice_address = models.CharField(_("practice address"), max_length=200, blank=True)
    practice_city = models.CharField(_("city"), max_length=100, blank=True)
    practice_postal_code = models.CharField(
        _("postal code"), max_length=7, blank=True, validators=[postal_code_validator]
    )
    registration_number = models.CharField(
        _("registration number"),
        max_length=20,
        blank=True,
        validators=[registration_number_validator],
    )
    college = models.CharField(_("regulatory college"), max_length=200, blank=True)
    # Set when the number was found, active, on the regulator's public register.
    registration_verified_on = models.DateField(
        _("registration verified on"), null=True, blank=True
    )
    graduation_year = models.PositiveSmallIntegerField(_("graduation year"), null=True, blank=True)
    # A student level's evidence: where they study and when they expect to finish.
    school = models.CharField(_("school"), max_length=200, blank=True)
    expected_graduation_on = models.DateField(_("expected graduation"), null=True, blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    modalities = models.TextField(_("modalities"), max_length=1000, blank=True)
    privacy_accepted = models.BooleanField(_("privacy terms accepted"), default=False)
    news_opt_in = models.BooleanField(_("wants email news"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT
    )
    decision_reason = models.TextField(
        _("message from staff"),
        blank=True,
        help_text=_("The reason for a rejection, or the information staff asked for."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invoice_number = models.CharField(_("invoice"), max_length=20, blank=True)
    # The last day the invoice paid for, fixed when it was billed: approval gives exactly this.
    billed_through = models.DateField(_("billed through"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership application")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            # One application in progress per person, even for two submits at once.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["awaiting_payment", "awaiting_review", "info_requested"]),
                name="membership_one_open_application",
            )
        ]

    def __str__(self) -> str:
        return _g("Application #%(id)s — %(name)s") % {"id": self.pk, "name": self.legal_name}

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.legal_name

    @property
    def label(self) -> str:
        return str(self)


class MembershipPeriodQuerySet(models.QuerySet):
    def current(self, today: date) -> MembershipPeriodQuerySet:
        """Periods that cover `today` and were not ended early (a suspension, a resignation)
        by then: their members are active."""
        return self.filter(starts_on__lte=today, ends_on__gte=today).filter(
            Q(ended_early_on__isnull=True) | Q(ended_early_on__gt=today)
        )

    def good_standing(self, today: date, grace_days: int) -> MembershipPeriodQuerySet:
        """Periods whose members are in good standing on `today`: active, or within the grace
        days after the end (and not ended early)."""
        return self.filter(
            starts_on__lte=today, ends_on__gte=today - timedelta(days=grace_days)
        ).filter(Q(ended_early_on__isnull=True) | Q(ended_early_on__gt=today))


class EndReason(models.TextChoices):
    SUSPENDED = "suspended", _("Suspended")
    RESIGNED = "resigned", _("Resigned")


class MembershipPeriod(models.Model):
    """A member's membership from one day to another (both included), at one level.

    Renewals add a period; none is ever changed or removed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="membership_periods",
    )
    level = models.ForeignKey(
        MembershipLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), help_text=_("The last day of the period."))
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="periods",
    )
    renewal_of = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal",
        help_text=_("The period this one renews: each period is renewed at most once."),
    )
    # A suspension or resignation ends the period early; the dates it was bought for stay.
    ended_early_on = models.DateField(_("ended early on"), null=True, blank=True)
    end_reason = models.CharField(
        _("ended because"), max_length=12, choices=EndReason.choices, blank=True
    )
    end_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = MembershipPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership period")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["user", "ends_on"]),
            models.Index(fields=["ends_on"], name="membership_period_ends_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="membership_period_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.starts_on:%Y-%m-%d} to {self.ends_on:%Y-%m-%d}"


class RenewalReminder(models.Model):
    """A renewal reminder (or lapse notice) sent for a period. The unique row is the claim:
    whoever inserts it sends the email, so two machines running the job never send twice."""

    period = models.ForeignKey(
        MembershipPeriod,
        verbose_name=_("membership period"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    offset = models.IntegerField(
        _("days before expiry"), help_text=_("Negative: days after the period ended.")
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("renewal reminder")
        constraints = [
            models.UniqueConstraint(fields=["period", "offset"], name="membership_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.period} ({self.offset:+d} days)"


class MemberStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ACTIVE = "active", _("Active")
    IN_GRACE = "in_grace", _("In grace period")
    LAPSED = "lapsed", _("Lapsed")
    SUSPENDED = "suspended", _("Suspended")
    RESIGNED = "resigned", _("Resigned")


def status_from(
    last_ends_on: date | None,
    *,
    current: bool,
    today: date,
    grace_days: int,
    ended_early: str = "",
) -> str:
    """The status rule, shared by one member's portal and the staff members list.
    `ended_early` is the end reason of the latest period if it was ended early by today."""
    if current:
        return MemberStatus.ACTIVE
    if ended_early:
        return ended_early  # suspended or resigned: no grace
    if last_ends_on is None or last_ends_on >= today:
        return MemberStatus.APPLICANT  # nothing yet, or only a period that starts later
    if today <= last_ends_on + timedelta(days=grace_days):
        return MemberStatus.IN_GRACE
    return MemberStatus.LAPSED


def membership_status(user, today: date | None = None) -> str:
    """applicant / active / in_grace / lapsed for `user` on `today` (the association's date)."""
    today = today or timezone.localdate()
    periods = MembershipPeriod.objects.filter(user=user)
    current = periods.current(today).exists()
    last = (
        periods.filter(ends_on__lt=today)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    return status_from(
        last,
        current=current,
        today=today,
        grace_days=MembershipSettings.load().grace_days,
        ended_early=ended_early_reason(periods, today),
    )


def ended_early_reason(periods: models.QuerySet, today: date) -> str:
    """'suspended' or 'resigned' if the latest of `periods` was ended early by `today`."""
    latest = periods.order_by("-ends_on", "-id").values("ended_early_on", "end_reason").first()
    if latest and latest["ended_early_on"] and latest["ended_early_on"] <= today:
        return latest["end_reason"]
    return ""


class MemberSummary(models.Model):
    """One row per person who has held a membership: their latest period's level and dates,
    the start of the unbroken run of periods leading to it, and their province, so the staff
    members list filters and sorts 100,000 members by indexed columns.

    Derived data, rebuilt by `summary.member_summaries_refresh` whenever a period or an
    application is saved. Status is still read from the dates on the day, never stored.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="member_summary",
    )
    level = models.ForeignKey(MembershipLevel, on_delete=models.PROTECT, related_name="+")
    province = models.CharField(max_length=2, blank=True)
    standing_since = models.DateField()
    ends_on = models.DateField()
    ended_early_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, blank=True)

    # No index on the dates or the province: most filters keep a large share of members, and
    # reading members in name order (accounts' user_by_name index) and checking each row is
    # what keeps the first page fast; an index there leads SQLite to sort 80,000 rows.

    def __str__(self) -> str:
        return f"{self.user_id}: {self.level_id} until {self.ends_on}"


class RegisterImport(models.Model):
    """One upload of a regulatory college's public register, with how its columns map.

    A draft holds the uploaded text while staff map the columns; committing replaces the
    college's register entries and verifies the applications and members it matches.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being mapped")
        COMMITTED = "committed", _("Imported")

    college = models.CharField(_("regulatory college"), max_length=200)
    file_name = models.CharField(_("file"), max_length=200)
    csv_text = models.TextField(_("uploaded text"), blank=True)
    number_column = models.CharField(_("registration number column"), max_length=100, blank=True)
    name_column = models.CharField(_("name column"), max_length=100, blank=True)
    status_column = models.CharField(_("status column"), max_length=100, blank=True)
    active_values = models.CharField(
        _("statuses that mean active"), max_length=200, blank=True, default="Active"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_active = models.PositiveIntegerField(_("active registrants"), default=0)
    verified_count = models.PositiveIntegerField(_("verified"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    committed_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        verbose_name = _("register import")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.college} ({self.file_name})"


class RegisterEntry(models.Model):
    """A registrant as the college's register lists them; keys are normalised for matching."""

    register_import = models.ForeignKey(
        RegisterImport, on_delete=models.CASCADE, related_name="entries"
    )
    college_key = models.CharField(max_length=200)
    number_key = models.CharField(max_length=20)
    name = models.CharField(_("name"), max_length=200)
    register_status = models.CharField(_("status on the register"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=False)

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        indexes = [models.Index(fields=["college_key", "number_key"])]

    def __str__(self) -> str:
        return f"{self.number_key} {self.name}"


class MemberImport(models.Model):
    """Existing members brought over from another system: an upload, its column mapping, a
    dry run with each row's problems, then one all-or-nothing import."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being checked")
        COMMITTED = "committed", _("Imported")

    file_name = models.CharField(_("file"), max_length=200)
    csv_text = models.TextField(_("uploaded text"), blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    rows_imported = models.PositiveIntegerField(_("members imported"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    committed_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        verbose_name = _("member import")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class MemberNote(models.Model):
    """Something staff want colleagues to know about a member (a phone call, an agreement).
    Members do not see notes; they are in the member's data download."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="member_notes",
    )
    text = models.TextField(_("note"), max_length=2000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("member note")
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class AutoRenewal(models.Model):
    """A member who asked to be renewed with their saved card, and where the current
    renewal's notice and charge attempts stand."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="auto_renewal",
    )
    enabled = models.BooleanField(_("renew automatically"), default=False)
    # The period whose renewal the notice and attempts below are about.
    period = models.ForeignKey(
        MembershipPeriod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("charge attempts"), default=0)
    next_attempt_on = models.DateField(_("next attempt"), null=True, blank=True)
    last_failure = models.CharField(_("last failure"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("automatic renewal")

    def __str__(self) -> str:
        return f"{self.user} ({'on' if self.enabled else 'off'})"
