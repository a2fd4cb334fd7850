"""Courses and events, their sessions and seats, CE credits and the rules that count them.

An event's seats are counted in `seats_taken`, changed only by the services while they hold
the event's row lock, so the catalogue shows seats left without counting registrations and
two registrants never get one seat.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel

from tide.lib.canada import PROVINCES
from tide.lib.money import format_cad


class CreditCategory(models.Model):
    """A kind of CE credit (technique, ethics, research literacy, Category A, primary…)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("CE credit category")
        verbose_name_plural = _("CE credit categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """Who gives a course: the association itself or an approved outside provider."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    website = models.URLField(_("website"), blank=True)
    is_association = models.BooleanField(_("the association itself"), default=False)
    approved = models.BooleanField(_("approved"), default=True)

    class Meta:
        verbose_name = _("CE provider")
        ordering = ["-is_association", "name"]

    def __str__(self) -> str:
        return self.name


class Format(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")
    SELF_PACED = "self_paced", _("Self-paced")


class Audience(models.TextChoices):
    MEMBER = "member", _("Member")
    NON_MEMBER = "non_member", _("Non-member")
    STUDENT = "student", _("Student")


class EventQuerySet(models.QuerySet):
    def published(self) -> EventQuerySet:
        return self.filter(published=True)

    def upcoming(self, now=None) -> EventQuerySet:
        return self.filter(ends_at__gte=now or timezone.now())

    def past(self, now=None) -> EventQuerySet:
        return self.filter(ends_at__lt=now or timezone.now())


class Event(ClusterableModel):
    """A course or event. Its dates are its sessions'; `starts_at`/`ends_at` copy the first
    and last for the catalogue's filters (kept by `event_sync_dates`)."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="events"
    )
    format = models.CharField(
        _("format"), max_length=12, choices=Format.choices, default=Format.IN_PERSON
    )
    venue_name = models.CharField(_("venue"), max_length=150, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(
        _("province"),
        max_length=2,
        choices=PROVINCES,
        blank=True,
        help_text=_("Where it takes place; the catalogue filters by it."),
    )
    join_url = models.URLField(
        _("online join link"), blank=True, help_text=_("Shown only to confirmed registrants.")
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty for no limit.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    member_price_cents = models.PositiveIntegerField(_("member price (cents)"), default=0)
    non_member_price_cents = models.PositiveIntegerField(_("non-member price (cents)"), default=0)
    student_price_cents = models.PositiveIntegerField(
        _("student price (cents)"),
        null=True,
        blank=True,
        help_text=_("Empty: students pay the non-member price."),
    )
    ce_credits = models.DecimalField(
        _("CE credits"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    ce_hours = models.DecimalField(
        _("CE hours"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("Contact hours, for rule sets that convert hours to credits."),
    )
    credit_category = models.ForeignKey(
        CreditCategory,
        verbose_name=_("CE category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    cancellation_policy = models.TextField(_("cancellation policy"), blank=True)
    refund_until_days = models.PositiveIntegerField(
        _("full refund until (days before)"),
        default=7,
        help_text=_("Cancelling this many days or more before the start refunds in full."),
    )
    published = models.BooleanField(_("published"), default=False)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True, editable=False)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, editable=False)
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = EventQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("provider"), FieldPanel("format")]),
        MultiFieldPanel(
            [
                FieldPanel("venue_name"),
                FieldPanel("street_address"),
                FieldRowPanel([FieldPanel("city"), FieldPanel("region")]),
                FieldPanel("join_url"),
            ],
            heading=_("Where"),
        ),
        InlinePanel("sessions", heading=_("Sessions"), label=_("Session"), min_num=1),
        MultiFieldPanel(
            [
                FieldPanel("capacity"),
                FieldRowPanel(
                    [FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]
                ),
            ],
            heading=_("Registration"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("member_price_cents"),
                        FieldPanel("non_member_price_cents"),
                        FieldPanel("student_price_cents"),
                    ]
                ),
            ],
            heading=_("Prices (0 is free)"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("ce_credits"),
                        FieldPanel("ce_hours"),
                        FieldPanel("credit_category"),
                    ]
                ),
            ],
            heading=_("CE credits"),
        ),
        FieldPanel("cancellation_policy"),
        FieldPanel("refund_until_days"),
        FieldPanel("published"),
    ]

    class Meta:
        verbose_name = _("course or event")
        verbose_name_plural = _("courses and events")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["published", "starts_at"]),
            models.Index(fields=["published", "ends_at"]),
        ]
        permissions = [
            ("manage_registrations", _("Can manage registrations, check-in and exports")),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            raise ValidationError(
                {"registration_closes_at": _("Registration must close after it opens.")}
            )
        if self.format in (Format.IN_PERSON, Format.HYBRID) and not (self.venue_name and self.city):
            raise ValidationError({"venue_name": _("An in-person event needs a venue and city.")})
        if self.format == Format.ONLINE and not self.join_url:
            raise ValidationError({"join_url": _("An online event needs a join link.")})
        if self.ce_credits and not self.credit_category_id:
            raise ValidationError({"credit_category": _("Say which category the credits are in.")})
        if not self.slug:
            self.slug = slugify(self.title)[:70] or "event"
            if Event.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                self.slug = f"{self.slug[:60]}-{secrets.token_hex(3)}"

    def get_absolute_url(self) -> str:
        return reverse("education:event", args=[self.slug])

    @property
    def is_online(self) -> bool:
        return self.format in (Format.ONLINE, Format.HYBRID, Format.SELF_PACED)

    @property
    def is_free(self) -> bool:
        return not (
            self.member_price_cents or self.non_member_price_cents or self.student_price_cents
        )

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.seats_taken >= self.capacity

    def price_for(self, audience: str) -> int:
        if audience == Audience.MEMBER:
            return self.member_price_cents
        if audience == Audience.STUDENT and self.student_price_cents is not None:
            return self.student_price_cents
        return self.non_member_price_cents

    def prices(self) -> list[tuple[str, str]]:
        rows = [
            (Audience.MEMBER.label, self.member_price_cents),
            (Audience.NON_MEMBER.label, self.non_member_price_cents),
        ]
        if self.student_price_cents is not None:
            rows.append((Audience.STUDENT.label, self.student_price_cents))
        return [(label, format_cad(c) if c else _("Free")) for label, c in rows]

    def registration_state(self, now=None) -> str:
        """'not_yet', 'open', 'closed' (window over or event started)."""
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_yet"
        closes = self.registration_closes_at or self.starts_at
        if (closes and now >= closes) or (self.ends_at and now >= self.ends_at):
            return "closed"
        return "open"

    @property
    def is_past(self) -> bool:
        return bool(self.ends_at and self.ends_at < timezone.now())


class Session(models.Model):
    event = ParentalKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=150, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    panels = [FieldPanel("title"), FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")])]

    class Meta:
        verbose_name = _("session")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="education_session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title or str(timezone.localtime(self.starts_at))

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A session must end after it starts.")})
        if self.starts_at and self.starts_at < timezone.now() and self._state.adding:
            raise ValidationError({"starts_at": _("A new session cannot start in the past.")})


def new_ticket_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door
    return "".join(secrets.choice(alphabet) for _ in range(8))


class RegistrationQuerySet(models.QuerySet):
    def holding_seats(self) -> RegistrationQuerySet:
        return self.filter(status__in=Registration.SEAT_STATUSES)

    def active(self) -> RegistrationQuerySet:
        return self.filter(status__in=Registration.ACTIVE_STATUSES)


class Registration(models.Model):
    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        OFFERED = "offered", _("Seat offered")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    # A seat is held while payment or an offer's answer is awaited, and once confirmed.
    SEAT_STATUSES = (Status.AWAITING_PAYMENT, Status.OFFERED, Status.CONFIRMED)
    ACTIVE_STATUSES = (*SEAT_STATUSES, Status.WAITLISTED)

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    audience = models.CharField(_("price"), max_length=12, choices=Audience.choices)
    price_cents = models.PositiveIntegerField(_("price (cents)"), default=0)
    invoice_number = models.CharField(_("invoice"), max_length=20, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    hold_until = models.DateTimeField(_("held until"), null=True, blank=True)
    ticket_code = models.CharField(
        _("ticket"), max_length=12, unique=True, default=new_ticket_code, editable=False
    )
    attended_at = models.DateTimeField(_("attended"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminded_week_at = models.DateTimeField(null=True, blank=True)
    reminded_day_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(
                    status__in=[
                        "awaiting_payment",
                        "offered",
                        "confirmed",
                        "waitlisted",
                    ]
                ),
                name="education_one_active_registration",
            )
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.event}"

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_STATUSES

    @property
    def price_display(self) -> str:
        return format_cad(self.price_cents) if self.price_cents else _("Free")


class FeedToken(models.Model):
    """The secret in a member's private calendar-feed address ("My events" .ics)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="education_feed"
    )
    token = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"feed of {self.user}"


# --- CE rules and credits ----------------------------------------------------------------


def province_codes(text: str) -> list[str]:
    return [code.strip().upper() for code in text.split(",") if code.strip()]


def province_codes_validator(text: str) -> None:
    known = {code for code, _name in PROVINCES}
    if unknown := [code for code in province_codes(text) if code not in known]:
        raise ValidationError(
            _("Not province codes: %(codes)s. Use two letters, like ON or BC.")
            % {"codes": ", ".join(unknown)}
        )


class CreditRuleSet(ClusterableModel):
    """How a body counts CE: a total and minimums per category over a cycle of years."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    cycle_years = models.PositiveIntegerField(
        _("cycle length (years)"), default=3, validators=[MinValueValidator(1)]
    )
    first_cycle_year = models.PositiveIntegerField(
        _("first cycle starts (year)"),
        default=2024,
        help_text=_("Cycles start on 1 January of this year and every cycle length after."),
    )
    cohort_by_start_year = models.BooleanField(
        _("cycles follow each member's start year"),
        default=False,
        help_text=_(
            "For cohorts: with 2-year cycles, members who started in an odd year are in "
            "cycle A, even years in cycle B."
        ),
    )
    total_required = models.DecimalField(_("total credits"), max_digits=6, decimal_places=2)
    prorate_new_members = models.BooleanField(
        _("prorate for members joining mid-cycle"), default=True
    )
    carry_over = models.BooleanField(_("carry over extra credits"), default=False)
    carry_over_max = models.DecimalField(
        _("most credits carried over"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    reminder_days_before_end = models.PositiveIntegerField(
        _("remind members behind this many days before the cycle ends"), default=90
    )
    provinces = models.CharField(
        _("provinces"),
        max_length=100,
        blank=True,
        validators=[province_codes_validator],
        help_text=_(
            "Members practising in these provinces follow this rule set, e.g. “ON” or "
            "“NL, NS”. Codes separated by commas."
        ),
    )
    is_default = models.BooleanField(_("default for members without one"), default=False)

    panels = [
        FieldPanel("name"),
        FieldPanel("provinces"),
        FieldRowPanel(
            [
                FieldPanel("cycle_years"),
                FieldPanel("first_cycle_year"),
                FieldPanel("cohort_by_start_year"),
            ]
        ),
        FieldPanel("total_required"),
        InlinePanel("requirements", heading=_("Per category"), label=_("Category rule")),
        FieldRowPanel([FieldPanel("prorate_new_members"), FieldPanel("carry_over")]),
        FieldPanel("carry_over_max"),
        FieldPanel("reminder_days_before_end"),
        FieldPanel("is_default"),
    ]

    class Meta:
        verbose_name = _("CE rule set")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CreditRequirement(models.Model):
    rule_set = ParentalKey(CreditRuleSet, on_delete=models.CASCADE, related_name="requirements")
    category = models.ForeignKey(
        CreditCategory, verbose_name=_("category"), on_delete=models.PROTECT
    )
    minimum = models.DecimalField(
        _("minimum credits"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    hours_per_credit = models.DecimalField(
        _("hours per credit"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: a course's credits count as given. 2 means 2 hours = 1 credit."),
    )

    panels = [
        FieldRowPanel(
            [FieldPanel("category"), FieldPanel("minimum"), FieldPanel("hours_per_credit")]
        )
    ]

    class Meta:
        verbose_name = _("category rule")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "category"], name="education_requirement_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.minimum}"


class MemberCE(models.Model):
    """Which rule set a member follows and when they started (for cohorts and proration)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ce_plan"
    )
    rule_set = models.ForeignKey(CreditRuleSet, on_delete=models.PROTECT)
    started_on = models.DateField(_("started on"))
    last_behind_reminder_for = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("member CE plan")

    def __str__(self) -> str:
        return f"{self.user} — {self.rule_set}"


def evidence_path(instance: CreditEntry, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"ce-evidence/{secrets.token_hex(16)}.{ext}"


class CreditEntry(models.Model):
    """Credits a member earned: from a course they attended, or outside CE they reported."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ce_credits"
    )
    category = models.ForeignKey(
        CreditCategory, on_delete=models.PROTECT, verbose_name=_("category")
    )
    title = models.CharField(_("activity"), max_length=200)
    provider_name = models.CharField(_("provider"), max_length=150, blank=True)
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, default=Decimal(0))
    credits = models.DecimalField(_("credits"), max_digits=5, decimal_places=2, default=Decimal(0))
    registration = models.OneToOneField(
        Registration, null=True, blank=True, on_delete=models.PROTECT, related_name="credit"
    )
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True)
    evidence_type = models.CharField(max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("CE credit")
        ordering = ["-completed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.credits})"

    @property
    def is_outside(self) -> bool:
        return self.registration_id is None


def cycle_bounds(rule_set: CreditRuleSet, *, started_on: date, today: date) -> tuple[date, date]:
    """The first and last day of the cycle `today` falls in."""
    anchor = started_on.year if rule_set.cohort_by_start_year else rule_set.first_cycle_year
    years = rule_set.cycle_years
    start_year = anchor + ((today.year - anchor) // years) * years
    return date(start_year, 1, 1), date(start_year + years - 1, 12, 31)
