"""Card payments through Stripe Checkout: start a session for an open invoice, take Stripe's
signed webhook events, reconcile the sessions whose webhook never arrived, and send card
refunds for credit notes.

Every way in ends in `payment_record(..., external_id=<payment intent id>)`, which records a
payment intent once however often, and in whatever order, Stripe reports it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.log_actions import log

from .models import CheckoutSession, CreditNote, Invoice, Payment, SavedCard, StripeEvent
from .services import payment_record

if TYPE_CHECKING:
    import stripe

logger = logging.getLogger(__name__)

WEBHOOK_TOLERANCE_SECONDS = 300
RECONCILE_DAYS = 3


class CardPaymentError(Exception):
    """Stripe could not start a card payment; the message is for the member."""


class WebhookRejected(Exception):
    """A webhook request that is not a genuine, recent Stripe event."""


def stripe_enabled() -> bool:
    """Card payments are offered only once a secret key is configured."""
    return bool(settings.STRIPE_SECRET_KEY)


def _sdk():
    """Stripe's SDK, imported on first use: it costs about 20 MB a process, and only card
    payments need it."""
    import stripe

    return stripe


def _client() -> stripe.StripeClient:
    return _sdk().StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None,
        # Every write carries an idempotency key, so the SDK's retries never act twice.
        max_network_retries=2,
        http_client=_sdk().RequestsClient(timeout=(5, 20)),  # a member is waiting
    )


def checkout_start(*, invoice: Invoice) -> str:
    """The URL of Stripe's Checkout page for the balance of `invoice`.

    The idempotency key names the business action (this invoice, this balance), so a double
    click, a retry or a second tab gets the same session back from Stripe, never a second one.
    """
    if not stripe_enabled():
        raise CardPaymentError(_("Card payments are not available."))
    invoice = Invoice.objects.prefetch_related("payments").get(pk=invoice.pk)
    if invoice.status != Invoice.Status.OPEN:
        raise ValidationError(_("This invoice is not open for payment."), code="not_open")
    balance = invoice.balance_cents()
    invoice_url = settings.SITE_URL + invoice.get_absolute_url()
    try:
        session = _client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "cad",
                            "unit_amount": balance,
                            "product_data": {
                                "name": _("Invoice %(number)s") % {"number": invoice.number}
                            },
                        },
                    }
                ],
                "customer_email": invoice.bill_to_email,
                "client_reference_id": invoice.number,
                "metadata": {"invoice": invoice.number},
                "payment_intent_data": {"metadata": {"invoice": invoice.number}},
                "success_url": f"{invoice_url}?paid=1",
                "cancel_url": invoice_url,
            },
            options={"idempotency_key": f"checkout-{invoice.number}-{balance}"},
        )
    except _sdk().StripeError as error:
        logger.warning(
            "Stripe did not start a checkout for invoice %s: %s %s",
            invoice.number,
            type(error).__name__,
            error.user_message or "",
        )
        raise CardPaymentError(
            _(
                "Card payments are not available right now. Please try again in a few "
                "minutes, or pay by e-Transfer or cheque."
            )
        ) from error
    CheckoutSession.objects.get_or_create(
        session_id=session.id, defaults={"invoice": invoice, "amount_cents": balance}
    )
    return session.url


def checkout_session_settle(
    *, session: dict, received_on: date | None = None
) -> tuple[Payment | None, str]:
    """Record the payment of a Checkout Session if Stripe says it is paid.

    Returns the payment (the same one however often it is called) and a note for the log.
    """
    if session.get("payment_status") != "paid":
        return None, "not paid yet"
    number = (session.get("metadata") or {}).get("invoice") or session.get("client_reference_id")
    invoice = Invoice.objects.filter(number=number).first() if number else None
    if invoice is None:
        logger.warning("Stripe session %s names no invoice of ours (%r)", session.get("id"), number)
        return None, "unknown invoice"
    payment_intent = session.get("payment_intent") or session["id"]
    if isinstance(payment_intent, dict):  # expanded
        payment_intent = payment_intent["id"]
    if (session.get("currency") or "cad").lower() != invoice.currency.lower():
        logger.error("Stripe session %s is not in %s", session.get("id"), invoice.currency)
        return None, "wrong currency"
    try:
        payment = payment_record(
            invoice=invoice,
            amount_cents=session["amount_total"],
            method=Payment.Method.STRIPE,
            reference=payment_intent,
            received_on=received_on,
            external_id=payment_intent,
        )
    except ValidationError as error:
        # Money taken that the invoice cannot take (paid meanwhile by cheque, voided):
        # staff refund or credit it by hand; retrying would not change the answer.
        logger.error(
            "Stripe payment %s not applied to invoice %s: %s",
            payment_intent,
            invoice.number,
            "; ".join(error.messages),
        )
        return None, f"not applied: {'; '.join(error.messages)}"[:255]
    return payment, f"payment {payment.pk}"


def _on_session_paid(event: dict) -> str:
    if event["data"]["object"].get("mode") == "setup":
        return card_setup_settle(session=event["data"]["object"])
    created = datetime.fromtimestamp(event["created"], tz=UTC) if event.get("created") else None
    _payment, note = checkout_session_settle(
        session=event["data"]["object"],
        received_on=timezone.localdate(created) if created else None,
    )
    return note


# What each kind of event does; every other kind is stored and ignored.
EVENT_HANDLERS: dict[str, Callable[[dict], str]] = {
    "checkout.session.completed": _on_session_paid,
    "checkout.session.async_payment_succeeded": _on_session_paid,
}


def stripe_event_receive(*, payload: bytes, signature: str) -> StripeEvent:
    """Verify a webhook delivery, store its event once and handle it once.

    Raises WebhookRejected (and stores nothing) unless the signature over the raw body
    matches the webhook secret and is at most five minutes old. A redelivery of a handled
    event changes nothing; one whose handling failed is handled again.
    """
    try:
        event = (
            _sdk()
            .Webhook.construct_event(
                payload,
                signature,
                settings.STRIPE_WEBHOOK_SECRET,
                tolerance=WEBHOOK_TOLERANCE_SECONDS,
            )
            .to_dict()
        )
    except (_sdk().SignatureVerificationError, ValueError) as error:
        raise WebhookRejected(str(error)) from error
    record, _created = StripeEvent.objects.get_or_create(
        event_id=event["id"], defaults={"type": event["type"]}
    )
    with transaction.atomic():
        # Concurrent deliveries of one event queue here; the first handles it.
        record = StripeEvent.objects.select_for_update().get(pk=record.pk)
        if record.processed_at is None:
            handler = EVENT_HANDLERS.get(record.type)
            record.note = handler(event) if handler else "ignored"
            record.processed_at = timezone.now()
            record.save(update_fields=["note", "processed_at"])
    return record


def checkout_reconcile(*, days: int = RECONCILE_DAYS) -> list[Payment]:
    """Ask Stripe about the recent checkout sessions of open invoices and record those paid
    whose webhook never came. Safe to run at any time, on several machines at once."""
    if not stripe_enabled():
        return []
    sessions = CheckoutSession.objects.filter(
        invoice__status=Invoice.Status.OPEN,
        created_at__gte=timezone.now() - timedelta(days=days),
        expired_at__isnull=True,
    ).order_by("created_at")
    client = _client()
    recorded = []
    for row in sessions:
        try:
            session = client.v1.checkout.sessions.retrieve(row.session_id).to_dict()
        except _sdk().StripeError as error:
            logger.warning("Stripe session %s not retrieved: %s", row.session_id, error)
            continue
        if session.get("status") == "expired":
            CheckoutSession.objects.filter(pk=row.pk).update(expired_at=timezone.now())
            continue
        payment, _note = checkout_session_settle(session=session)
        if payment is not None:
            recorded.append(payment)
    return recorded


@task()
def card_refund_send(credit_note_id: int, payment_intent: str) -> str:
    """Refund a credit note to the card that paid. The credit note's number is the
    idempotency key: a retry, or two workers at once, get Stripe's first refund back."""
    note = CreditNote.objects.select_related("invoice").get(pk=credit_note_id)
    if note.refund not in (CreditNote.Refund.CARD_PENDING, CreditNote.Refund.CARD_FAILED):
        return note.refund
    try:
        refund = _client().v1.refunds.create(
            params={
                "payment_intent": payment_intent,
                "amount": note.amount_cents,
                "metadata": {"credit_note": note.number, "invoice": note.invoice.number},
            },
            options={"idempotency_key": f"refund-{note.number}"},
        )
    except _sdk().StripeError as error:
        logger.warning("Stripe refused the refund of %s: %s", note.number, error)
        CreditNote.objects.filter(pk=note.pk).update(refund=CreditNote.Refund.CARD_FAILED)
        log(note.invoice, "tide.invoice.refund_failed", data={"number": note.number})
        return CreditNote.Refund.CARD_FAILED
    CreditNote.objects.filter(pk=note.pk).update(
        refund=CreditNote.Refund.REFUNDED,
        refund_method=Payment.Method.STRIPE,
        refund_reference=refund.id,
        refunded_at=timezone.now(),
    )
    log(
        note.invoice,
        "tide.invoice.refunded",
        data={"number": note.number, "method": str(Payment.Method.STRIPE.label)},
    )
    return CreditNote.Refund.REFUNDED


# --- Saved cards (automatic renewal) ---------------------------------------------------------


class CardDeclined(Exception):
    """An off-session charge Stripe refused; the message is Stripe's, for the member."""


def card_setup_start(*, user, success_url: str, cancel_url: str) -> str:
    """The URL of Stripe's page where `user` saves a card for later charges. A Stripe customer
    is made once per member (the idempotency key is theirs)."""
    if not stripe_enabled():
        raise CardPaymentError(_("Card payments are not available."))
    client = _client()
    try:
        card = SavedCard.objects.filter(user=user).first()
        if card is None:
            customer = client.v1.customers.create(
                params={"email": user.email, "metadata": {"user": str(user.pk)}},
                options={"idempotency_key": f"customer-{user.pk}"},
            )
            card, _created = SavedCard.objects.get_or_create(
                user=user, defaults={"stripe_customer": customer.id}
            )
        session = client.v1.checkout.sessions.create(
            params={
                "mode": "setup",
                "currency": "cad",
                "customer": card.stripe_customer,
                "payment_method_types": ["card"],
                "metadata": {"user": str(user.pk), "purpose": "saved_card"},
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
            # One setup page per member and minute: a double click gets the same one.
            options={"idempotency_key": f"setup-{user.pk}-{int(timezone.now().timestamp()) // 60}"},
        )
    except _sdk().StripeError as error:
        logger.warning("Stripe did not start a card setup for user %s: %s", user.pk, error)
        raise CardPaymentError(
            _("Saving a card is not available right now. Please try again in a few minutes.")
        ) from error
    return session.url


def card_setup_settle(*, session: dict) -> str:
    """A completed setup page: keep the card Stripe saved (replacing an older one)."""
    card = SavedCard.objects.filter(stripe_customer=session.get("customer") or "-").first()
    if card is None or session.get("status") != "complete":
        return "setup for no member of ours" if card is None else "setup not complete"
    setup_intent = _client().v1.setup_intents.retrieve(
        session["setup_intent"], params={"expand": ["payment_method"]}
    )
    method = setup_intent.payment_method
    details = method.card
    SavedCard.objects.filter(pk=card.pk).update(
        payment_method=method.id,
        brand=details.brand,
        last4=details.last4,
        exp_month=details.exp_month,
        exp_year=details.exp_year,
        saved_at=timezone.now(),
    )
    log(card.user, "tide.billing.card_saved", data={"card": f"{details.brand} {details.last4}"})
    return f"card saved for user {card.user_id}"


def card_charge(*, invoice: Invoice, card: SavedCard, attempt: int) -> Payment:
    """Charge the balance of `invoice` to the saved card while the member is away, and record
    the payment (which runs fulfilment and sends the receipt). The key names the invoice and
    the attempt: a retry of one attempt never charges twice. Raises CardDeclined."""
    balance = invoice.balance_cents()
    try:
        intent = _client().v1.payment_intents.create(
            params={
                "amount": balance,
                "currency": "cad",
                "customer": card.stripe_customer,
                "payment_method": card.payment_method,
                "off_session": True,
                "confirm": True,
                "metadata": {"invoice": invoice.number},
                "description": _("Invoice %(number)s") % {"number": invoice.number},
            },
            options={"idempotency_key": f"charge-{invoice.number}-{attempt}"},
        )
    except _sdk().CardError as error:
        raise CardDeclined(error.user_message or str(error)) from error
    except _sdk().StripeError as error:
        raise CardDeclined(
            _("The card could not be charged right now; we will try again.")
        ) from error
    if intent.status != "succeeded":
        raise CardDeclined(_("The bank asked for confirmation the member has to give."))
    return payment_record(
        invoice=invoice,
        amount_cents=intent.amount,
        method=Payment.Method.STRIPE,
        reference=intent.id,
        external_id=intent.id,
    )
