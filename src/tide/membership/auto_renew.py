"""Automatic renewal with a saved card (Stripe).

For a member who turned it on: the renewal invoice is issued and they are told the amount,
the card and the day, `auto_renew_notice_days` before the charge; the card is charged
CHARGE_DAYS_BEFORE the membership ends; a declined charge is retried every RETRY_DAYS until
the last day, with an email each time, after which the open invoice waits to be paid by hand
and the membership goes into grace as any other. Run by `membership_auto_renew` (periodic);
each member's row is locked while it is handled, and the charge's idempotency key names the
invoice and the attempt, so two runs at once never charge twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.log_actions import log

from tide.billing.models import Invoice, SavedCard
from tide.billing.stripe_checkout import CardDeclined, card_charge, stripe_enabled
from tide.lib.money import format_cad
from tide.mailing.transactional import email_send_template

from .models import AutoRenewal, MembershipPeriod, MembershipSettings
from .renewals import RenewalInvoiceOpen, latest_period, membership_renew, renewal_open_invoice

CHARGE_DAYS_BEFORE = 7
RETRY_DAYS = 3


def charge_day(period: MembershipPeriod) -> date:
    return period.ends_on - timedelta(days=CHARGE_DAYS_BEFORE)


def auto_renew_run(*, today: date | None = None) -> dict[str, int]:
    """Send the notices and make the charges due `today`; counts of each for the log."""
    today = today or timezone.localdate()
    counts = {"notices": 0, "charged": 0, "declined": 0}
    if not stripe_enabled():
        return counts
    rules = MembershipSettings.load()
    for pk in AutoRenewal.objects.filter(enabled=True).values_list("pk", flat=True):
        outcome = _handle(pk, today, rules)
        if outcome:
            counts[outcome] += 1
    return counts


@transaction.atomic
def _handle(pk: int, today: date, rules: MembershipSettings) -> str:
    auto = AutoRenewal.objects.select_for_update().select_related("user").get(pk=pk)
    card = SavedCard.objects.filter(user=auto.user).first()
    period = latest_period(auto.user)
    if not auto.enabled or period is None or period.end_reason or not (card and card.usable):
        return ""
    if auto.period_id != period.pk:  # a new period: start its renewal afresh
        auto.period = period
        auto.notice_sent_at, auto.attempts, auto.next_attempt_on = None, 0, None
        auto.last_failure = ""
    charge_on = charge_day(period)
    outcome = ""
    if (
        auto.notice_sent_at is None
        and charge_on - timedelta(days=rules.auto_renew_notice_days) <= today <= charge_on
    ):
        invoice = _renewal_invoice(auto, period, today)
        if invoice is not None:
            _email(auto, "auto_renew_notice", invoice=invoice, card=card, charge_on=charge_on)
            auto.notice_sent_at = timezone.now()
            outcome = "notices"
    if (
        charge_on <= today <= period.ends_on
        and auto.attempts < 3
        and (auto.next_attempt_on is None or auto.next_attempt_on <= today)
    ):
        invoice = _renewal_invoice(auto, period, today)
        if invoice is not None and invoice.status == Invoice.Status.OPEN:
            outcome = _charge(auto, invoice, card, period, today)
    auto.save()
    return outcome


def _renewal_invoice(auto: AutoRenewal, period: MembershipPeriod, today: date) -> Invoice | None:
    """The open renewal invoice, issued now if there is none; None when renewed already."""
    if MembershipPeriod.objects.filter(renewal_of=period).exists():
        return None
    if invoice := renewal_open_invoice(period):
        return invoice
    try:
        return membership_renew(user=auto.user, today=today)
    except RenewalInvoiceOpen as pending:
        return pending.invoice
    except ValidationError:
        return None  # not open for renewal (yet): try again another day


def _charge(auto, invoice, card, period, today) -> str:
    auto.attempts += 1
    try:
        card_charge(invoice=invoice, card=card, attempt=auto.attempts)
    except CardDeclined as declined:
        auto.last_failure = str(declined)[:255]
        retry_on = today + timedelta(days=RETRY_DAYS)
        auto.next_attempt_on = (
            retry_on if auto.attempts < 3 and retry_on <= period.ends_on else None
        )
        log(period, "tide.membership.auto_renew_declined", data={"reason": auto.last_failure})
        _email(
            auto,
            "auto_renew_declined",
            invoice=invoice,
            card=card,
            reason=auto.last_failure,
            retry_on=auto.next_attempt_on,
        )
        return "declined"
    auto.next_attempt_on, auto.last_failure = None, ""
    log(period, "tide.membership.auto_renewed", data={"invoice": invoice.number})
    return "charged"


def _email(auto: AutoRenewal, template: str, *, invoice: Invoice, card: SavedCard, **context):
    email_send_template(
        f"membership/email/{template}",
        to=auto.user.email,
        context={
            "name": auto.user.get_short_name(),
            "amount": format_cad(invoice.balance_cents()),
            "invoice": invoice,
            "card": card.label,
            "manage_url": settings.SITE_URL + reverse("membership:auto_renew"),
            "invoice_url": settings.SITE_URL + invoice.get_absolute_url(),
            **{
                key: date_format(value, "j F Y") if isinstance(value, date) else value
                for key, value in context.items()
            },
        },
    )
