"""Renewing a membership: reminders before and after expiry, the renewal invoice, and the
next period once it is paid.

- `membership_send_reminders` (run by `tide membership_reminders`, from `runperiodic`) emails
  each member whose latest period ends `offset` days from today, once per (period, offset):
  the `RenewalReminder` row is inserted before the email is queued, and only the job that
  inserted it queues the email (a `reminder_email_send` task), so several machines can run
  the job at once.
- `membership_renew` bills a full year at the member's level (plus the late fee after the
  end of the period); no staff review. Paying it runs `membership_renewal_fulfil`, which adds
  the next period, at most once per renewed period (`MembershipPeriod.renewal_of` is unique).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.log_actions import log

from tide.accounts.models import User
from tide.association.models import AssociationSettings
from tide.billing.models import Invoice
from tide.billing.services import LineSpec, invoice_create, invoice_issue
from tide.lib.canada import PROVINCES
from tide.mailing.transactional import email_send_template

from .models import (
    Application,
    MembershipLevel,
    MembershipPeriod,
    MembershipSettings,
    RenewalReminder,
    Term,
)
from .services import member_news_consent

if TYPE_CHECKING:
    from tide.billing.models import InvoiceLine

RENEWAL_KIND = "membership_renewal"
LATE_FEE_KIND = "membership_late_fee"
REMINDER_BATCH = 1000


# --- Renewing -----------------------------------------------------------------------------


class RenewalInvoiceOpen(ValidationError):
    """The member already has an unpaid renewal invoice: send them to it."""

    def __init__(self, invoice: Invoice) -> None:
        super().__init__(
            _("You already have a renewal invoice (%(number)s) waiting to be paid.")
            % {"number": invoice.number},
            code="open_invoice",
        )
        self.invoice = invoice


@dataclass(frozen=True)
class RenewalQuote:
    """What renewing today bills: the period renewed, the next one's dates and the lines."""

    period: MembershipPeriod
    starts_on: date
    ends_on: date
    lines: list[LineSpec]
    level: MembershipLevel  # the period's level, or the one the member moves to

    @property
    def changes_level(self) -> bool:
        return self.level.pk != self.period.level_id

    @property
    def late(self) -> bool:
        return any(line.kind == LATE_FEE_KIND for line in self.lines)

    @property
    def subtotal_cents(self) -> int:
        return sum(line.unit_price_cents * line.quantity for line in self.lines)


def latest_period(user: User) -> MembershipPeriod | None:
    """The member's period that ends last: the one a renewal extends."""
    return (
        MembershipPeriod.objects.filter(user=user)
        .select_related("level", "application")
        .order_by("-ends_on", "-id")
        .first()
    )


def next_period_dates(
    period: MembershipPeriod, today: date, rules: MembershipSettings
) -> tuple[date, date]:
    """The day after `period` ends (or today, if later) to the day before the next renewal date
    (the renewal after, when fewer than the roll-over days are left, as for joiners: a full
    year's dues never buy a few days). On anniversaries the next year always starts the day
    after `period`, so renewing during grace keeps the member's date."""
    if rules.term == Term.ANNIVERSARY:
        return rules.period_for(period.ends_on + timedelta(days=1))
    return rules.period_for(max(period.ends_on + timedelta(days=1), today))


def renewal_open_from(period: MembershipPeriod, rules: MembershipSettings) -> date:
    return period.ends_on - timedelta(days=rules.renewal_window_days())


def renewal_open_invoice(period: MembershipPeriod) -> Invoice | None:
    return (
        Invoice.objects.filter(
            customer_id=period.user_id,
            status=Invoice.Status.OPEN,
            lines__kind=RENEWAL_KIND,
        )
        .filter(
            Q(lines__reference=str(period.pk)) | Q(lines__reference__startswith=f"{period.pk}/")
        )
        .order_by("-issued_at")
        .first()
    )


def renewal_quote(*, user: User, today: date, level: MembershipLevel | None = None) -> RenewalQuote:
    """What renewing on `today` bills, at the period's level or at `level` (a change of level
    takes effect with the new year); ValidationError (code no_membership, lapsed, too_early,
    level, needs_registration or open_invoice, the last a `RenewalInvoiceOpen`) when there is
    nothing to renew."""
    rules = MembershipSettings.load()
    period = latest_period(user)
    if period is None:
        raise ValidationError(
            _("You have no membership to renew yet: choose a membership to join."),
            code="no_membership",
        )
    if period.end_reason == "suspended":
        raise ValidationError(
            _("Your membership is suspended; contact us to have it reinstated."),
            code="suspended",
        )
    if period.end_reason == "resigned":
        raise ValidationError(
            _("You resigned your membership; apply again to rejoin."), code="resigned"
        )
    grace_ends = period.ends_on + timedelta(days=rules.grace_days)
    if today > grace_ends:
        raise ValidationError(
            _(
                "Your membership ended on %(end)s and the grace period is over, so it can no "
                "longer be renewed. Apply again to reinstate it."
            )
            % {"end": date_format(period.ends_on, "j F Y")},
            code="lapsed",
        )
    opens_on = renewal_open_from(period, rules)
    if today < opens_on:
        raise ValidationError(
            _("Your membership runs until %(end)s. Renewal opens on %(opens)s.")
            % {
                "end": date_format(period.ends_on, "j F Y"),
                "opens": date_format(opens_on, "j F Y"),
            },
            code="too_early",
        )
    if invoice := renewal_open_invoice(period):
        raise RenewalInvoiceOpen(invoice)
    level = level or period.level
    if level.pk != period.level_id:
        if not level.active:
            raise ValidationError(_("This membership level is not open."), code="level")
        application = period.application or Application.objects.filter(user=user).first()
        if level.requires_registration_number and not (
            application and application.registration_number
        ):
            raise ValidationError(
                _(
                    "%(level)s needs a registration number with your college, which we do not "
                    "have for you: apply for it instead."
                )
                % {"level": level.name},
                code="needs_registration",
            )
    starts_on, ends_on = next_period_dates(period, today, rules)
    lines = [
        LineSpec(
            kind=RENEWAL_KIND,
            description=_("Membership renewal — %(level)s, %(start)s to %(end)s")
            % {
                "level": level.name,
                "start": date_format(starts_on, "j M Y"),
                "end": date_format(ends_on, "j M Y"),
            },
            unit_price_cents=level.annual_price_cents,
            # "period/level" when the member moves to another level with the new year.
            reference=str(period.pk) if level.pk == period.level_id else f"{period.pk}/{level.pk}",
            taxable=rules.dues_taxable,
        )
    ]
    if today > period.ends_on and level.late_fee_cents:
        lines.append(
            LineSpec(
                kind=LATE_FEE_KIND,
                description=_("Late fee: renewed after %(end)s")
                % {"end": date_format(period.ends_on, "j M Y")},
                unit_price_cents=level.late_fee_cents,
                reference=str(period.pk),
                taxable=rules.dues_taxable,
            )
        )
    return RenewalQuote(
        period=period, starts_on=starts_on, ends_on=ends_on, lines=lines, level=level
    )


def _province_for(user: User, period: MembershipPeriod) -> str:
    """Where the member is taxed: their application, else their last invoice, else the
    association's own province."""
    if period.application_id:
        return period.application.province
    if application := Application.objects.filter(user=user).first():
        return application.province
    if invoice := Invoice.objects.filter(customer=user).order_by("-created_at").first():
        return invoice.province
    province = AssociationSettings.load().province
    return province if province in dict(PROVINCES) else "ON"


def membership_renew(
    *, user: User, today: date | None = None, level: MembershipLevel | None = None
) -> Invoice:
    """Bill the renewal of `user`'s latest period: an issued invoice with a full year's dues
    at their level and, after the period ended, the late fee. No staff review: paying it
    adds the next period.

    Two clicks at once wait on the member's row, so the second finds the first invoice and
    gets `RenewalInvoiceOpen`.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        quote = renewal_quote(user=user, today=today, level=level)
        invoice = invoice_create(
            customer=user,
            province=_province_for(user, quote.period),
            lines=quote.lines,
            by=user,
        )
        invoice = invoice_issue(invoice=invoice, by=user)  # a $0 renewal is fulfilled at once
        log(
            quote.period,
            "tide.membership.renew",
            user=user,
            data={"invoice": invoice.number, "late": quote.late, "level": quote.level.name},
        )
    return invoice


def membership_renewal_fulfil(line: InvoiceLine) -> None:
    """Billing's callback when a renewal line is paid: the next period, from the day after the
    renewed one ends (or today, when paid later) to the day before the next renewal date.

    Idempotent: a period is renewed at most once (the database holds `renewal_of` unique, and
    the renewed period's row is locked while we look).
    """
    period_id, _slash, level_id = line.reference.partition("/")
    period = (
        MembershipPeriod.objects.select_for_update()
        .select_related("level")
        .filter(pk=int(period_id))
        .first()
    )
    if period is None or MembershipPeriod.objects.filter(renewal_of=period).exists():
        return
    starts_on, ends_on = next_period_dates(period, timezone.localdate(), MembershipSettings.load())
    renewed = MembershipPeriod.objects.create(
        user_id=period.user_id,
        level_id=int(level_id) if level_id else period.level_id,
        starts_on=starts_on,
        ends_on=ends_on,
        renewal_of=period,
    )
    log(
        renewed,
        "tide.membership.renewed",
        user=None,
        data={"invoice": line.invoice.number, "ends_on": ends_on.isoformat()},
    )
    member_news_consent(renewed.user)  # a renewal renews the implied consent too


# --- Reminders ----------------------------------------------------------------------------


def _due(offset: int, today: date):
    """Latest periods of active accounts ending `offset` days from `today`, not yet reminded
    (suspended and resigned members are not asked to renew)."""
    later = MembershipPeriod.objects.filter(user=OuterRef("user"), ends_on__gt=OuterRef("ends_on"))
    reminded = RenewalReminder.objects.filter(period=OuterRef("pk"), offset=offset)
    return (
        MembershipPeriod.objects.filter(
            ends_on=today + timedelta(days=offset), user__is_active=True, end_reason=""
        )
        .exclude(Exists(later))
        .exclude(Exists(reminded))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _claim(period_ids: list[int], offset: int) -> set[int]:
    """Insert one reminder row per period; the ids whose row *this* call inserted.

    One statement per batch: `ON CONFLICT DO NOTHING RETURNING` (PostgreSQL, SQLite ≥ 3.35).
    On PostgreSQL a concurrent insert of the same row waits for the other transaction and
    then conflicts, so exactly one job claims each reminder.
    """
    if not period_ids:
        return set()
    quote = connection.ops.quote_name
    meta = RenewalReminder._meta
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
    table, period, off, sent = (
        quote(name) for name in (meta.db_table, "period_id", "offset", "sent_at")
    )
    rows = ", ".join(["(%s, %s, %s)"] * len(period_ids))
    # Only quoted names from the model and "%s" placeholders go into the string.
    sql = f"INSERT INTO {table} ({period}, {off}, {sent}) VALUES {rows} "  # noqa: S608  # nosec B608
    sql += f"ON CONFLICT ({period}, {off}) DO NOTHING RETURNING {period}"
    params = [value for pk in period_ids for value in (pk, offset, sent_at)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _reminder_template(offset: int, rules: MembershipSettings) -> str:
    if offset == rules.lapse_offset:
        return "membership_lapsed"
    if offset > 0:
        return "renewal_reminder"
    if offset == 0:
        return "renewal_due_today"
    return "renewal_grace"


@task()
def reminder_email_send(*, period_id: int, offset: int) -> None:
    """Render and send one claimed reminder (a background task: one queued row per member,
    so a worker stopped half-way loses nothing, and the nightly job never renders email)."""
    period = MembershipPeriod.objects.select_related("user", "level").get(pk=period_id)
    rules = MembershipSettings.load()
    user = period.user
    email_send_template(
        f"membership/email/{_reminder_template(offset, rules)}",
        to=user.email,
        context={
            "name": user.get_full_name() or user.email,
            "period": period,
            "level": period.level.name,
            "days": offset,
            "grace_ends": period.ends_on + timedelta(days=rules.grace_days),
            "renew_url": settings.SITE_URL + reverse("membership:renew"),
            "join_url": settings.SITE_URL + reverse("membership:join"),
            "portal_url": settings.SITE_URL + reverse("membership:portal"),
        },
    )


def membership_send_reminders(*, today: date | None = None) -> int:
    """Send the renewal reminders and lapse notices due on `today`; the number sent.

    Each configured offset (and the lapse notice, the day after grace ends) goes to members
    whose latest period ends that many days from today: a member who renewed gets nothing
    more for the old period. Exact days only: a day the job never ran is not caught up.
    Queries: a few per offset plus two per batch of `REMINDER_BATCH` members (select the due
    periods, claim them in one INSERT), and the outbox: in the same transaction as the claim,
    one background task per claimed reminder (`reminder_email_send`), which renders the email
    and sends it after the commit. The job itself never renders an email.
    """
    today = today or timezone.localdate()
    rules = MembershipSettings.load()
    sent = 0
    for offset in [*rules.reminder_offsets(), rules.lapse_offset]:
        due = _due(offset, today)
        last_pk = 0
        while batch := list(due.filter(pk__gt=last_pk)[:REMINDER_BATCH]):
            last_pk = batch[-1]
            with transaction.atomic():
                claimed = sorted(_claim(batch, offset))
                # Queued in the claim's transaction (the task rows are the outbox): a job
                # stopped before the commit leaves neither claims nor emails, and a later
                # run sends them.
                for period_id in claimed:
                    reminder_email_send.enqueue(period_id=period_id, offset=offset)
            sent += len(claimed)
    return sent
