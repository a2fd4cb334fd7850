"""Stripe's webhook: verified over the raw body, stored once, and paid once however delivered."""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.core import mail
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import ModelLogEntry

from tide.billing.models import Invoice, Payment, StripeEvent
from tide.billing.services import LineSpec, payment_record

from .factories import make_open
from .stripe_standin import ASYNC_SUCCEEDED, COMPLETED, deliver, fixture, session_event, signature
from .threads import on_postgresql, run_together

MEMBERSHIP = LineSpec(kind="test", description="Membership 2026", unit_price_cents=350_00)


@pytest.mark.django_db
def test_a_completed_checkout_pays_the_invoice_and_emails_one_receipt(
    member, association, fulfilled, stripe_keys, django_capture_on_commit_callbacks
):
    invoice = make_open(member, lines=[MEMBERSHIP])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(session_event(COMPLETED, invoice))

    assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    payment = Payment.objects.get()
    assert payment.method == Payment.Method.STRIPE
    assert payment.amount_cents == 395_50
    assert payment.external_id == payment.reference == "pi_3QTide00000000000000Pay1"
    assert payment.recorded_by is None
    assert len(fulfilled) == 1
    [receipt] = mail.outbox
    assert receipt.to == ["member@example.com"]
    assert receipt.subject == f"Receipt for invoice {invoice.number} from Harbour RMT Association"
    assert "Card (Stripe)" in receipt.body
    event = StripeEvent.objects.get()
    assert event.event_id == "evt_1QTide00000000000000Cmpl"
    assert event.type == "checkout.session.completed"
    assert event.processed_at is not None
    assert ("tide.invoice.paid", None) in ModelLogEntry.objects.for_instance(invoice).values_list(
        "action", "user"
    )


@pytest.mark.django_db
def test_the_same_event_delivered_five_times_pays_once(
    member, association, fulfilled, stripe_keys, django_capture_on_commit_callbacks
):
    invoice = make_open(member, lines=[MEMBERSHIP])
    payload = session_event(COMPLETED, invoice)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [deliver(payload).status_code for _ in range(5)]

    assert statuses == [200] * 5
    assert Payment.objects.count() == 1
    assert StripeEvent.objects.count() == 1
    assert len(fulfilled) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        pytest.param("", id="missing"),
        pytest.param("t=1795121100,v1=00ff", id="forged"),
        pytest.param("nonsense", id="garbled"),
        pytest.param("signed with another secret", id="other-secret"),
    ],
)
def test_an_unsigned_or_forged_event_is_refused_and_nothing_is_stored(member, stripe_keys, header):
    invoice = make_open(member)
    payload = session_event(COMPLETED, invoice)
    if header == "signed with another secret":
        header = signature(payload, secret="whsec_someone_else")

    response = deliver(payload, header=header)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


@pytest.mark.django_db
def test_a_body_changed_after_signing_is_refused(member, stripe_keys):
    invoice = make_open(member)
    payload = session_event(COMPLETED, invoice)
    header = signature(payload)

    response = deliver(payload.replace("39550", "1"), header=header)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_a_replayed_event_older_than_five_minutes_is_refused(member, stripe_keys):
    invoice = make_open(member)
    payload = session_event(COMPLETED, invoice)

    response = deliver(payload, header=signature(payload, timestamp=int(time.time()) - 301))

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_without_a_webhook_secret_every_event_is_refused(member, stripe_keys, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = session_event(COMPLETED, make_open(member))

    assert deliver(payload).status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_a_get_is_not_an_event(client, stripe_keys):
    assert client.get("/billing/stripe/webhook/").status_code == 405


@pytest.mark.django_db
def test_an_event_of_another_kind_is_stored_and_ignored(stripe_keys):
    payload = json.dumps(fixture("stripe_event_customer_created.json"))

    response = deliver(payload)

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert (event.type, event.note) == ("customer.created", "ignored")
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_an_event_for_an_invoice_we_do_not_know_is_logged_and_acknowledged(
    member, stripe_keys, caplog
):
    invoice = make_open(member)
    invoice.number = "1999-000001"  # never issued here

    with caplog.at_level(logging.WARNING, logger="tide.billing"):
        response = deliver(session_event(COMPLETED, invoice))

    assert response.status_code == 200
    assert not Payment.objects.exists()
    assert StripeEvent.objects.get().note == "unknown invoice"
    assert "1999-000001" in caplog.text


@pytest.mark.django_db
def test_a_completed_checkout_still_waiting_for_a_bank_debit_pays_nothing_yet(member, stripe_keys):
    invoice = make_open(member)

    deliver(session_event(COMPLETED, invoice, payment_status="unpaid"))

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert not Payment.objects.exists()

    deliver(session_event(ASYNC_SUCCEEDED, invoice))

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_a_card_payment_for_an_invoice_paid_meanwhile_by_cheque_is_logged_for_a_refund(
    member, stripe_keys, caplog
):
    invoice = make_open(member)
    payment_record(invoice=invoice, amount_cents=invoice.total_cents, method=Payment.Method.CHEQUE)

    with caplog.at_level(logging.ERROR, logger="tide.billing"):
        response = deliver(session_event(COMPLETED, invoice))

    assert response.status_code == 200  # a retry would not change the answer
    assert Payment.objects.count() == 1
    assert StripeEvent.objects.get().note.startswith("not applied: ")
    assert "pi_3QTide00000000000000Pay1" in caplog.text


@pytest.mark.django_db
def test_a_failing_fulfilment_leaves_the_event_to_be_handled_again_on_redelivery(
    member, stripe_keys
):
    from tide.billing.fulfilment import register_fulfilment, unregister_fulfilment

    calls = []

    def flaky(line):
        calls.append(line.pk)
        if len(calls) == 1:
            raise RuntimeError("roster unavailable")

    register_fulfilment("flaky", flaky)
    try:
        invoice = make_open(
            member, lines=[LineSpec(kind="flaky", description="PLI", unit_price_cents=90_00)]
        )
        payload = session_event(COMPLETED, invoice)
        with pytest.raises(RuntimeError):
            deliver(payload)  # the test client re-raises; Stripe would see a 500 and retry

        event = StripeEvent.objects.get()
        assert event.processed_at is None
        assert not Payment.objects.exists()

        assert deliver(payload).status_code == 200
    finally:
        unregister_fulfilment("flaky")

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert Payment.objects.count() == 1
    assert StripeEvent.objects.get().processed_at is not None


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    completed=st.integers(min_value=0, max_value=3),
    succeeded=st.integers(min_value=0, max_value=3),
    paid_at_completion=st.booleans(),
    data=st.data(),
)
def test_any_order_and_repetition_of_the_session_events_pays_once(
    member, stripe_keys, completed, succeeded, paid_at_completion, data
):
    """A card is paid when the session completes; a bank debit completes unpaid and succeeds
    later. Whatever Stripe sends, in whatever order, the invoice ends paid by one payment."""
    if paid_at_completion:
        completed = max(completed, 1)
    else:
        succeeded = max(succeeded, 1)
    invoice = make_open(member)  # a new invoice and payment for each example
    intent = f"pi_3QTideHypo{invoice.pk:08d}"
    events = {
        COMPLETED: session_event(
            COMPLETED,
            invoice,
            payment_intent=intent,
            payment_status="paid" if paid_at_completion else "unpaid",
            event_id=f"evt_cmpl_{invoice.pk}",
        ),
        ASYNC_SUCCEEDED: session_event(
            ASYNC_SUCCEEDED, invoice, payment_intent=intent, event_id=f"evt_asyn_{invoice.pk}"
        ),
    }
    deliveries = data.draw(st.permutations([COMPLETED] * completed + [ASYNC_SUCCEEDED] * succeeded))

    for name in deliveries:
        assert deliver(events[name]).status_code == 200

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert list(invoice.payments.values_list("external_id", "amount_cents")) == [
        (intent, invoice.total_cents)
    ]
    assert StripeEvent.objects.filter(event_id__endswith=f"_{invoice.pk}").count() == len(
        set(deliveries)
    )


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_five_deliveries_of_one_event_at_once_pay_once(member, association, fulfilled, stripe_keys):
    invoice = make_open(member, lines=[MEMBERSHIP])
    payload = session_event(COMPLETED, invoice)
    mail.outbox.clear()

    results, errors = run_together(5, lambda i: deliver(payload).status_code)

    assert errors == []
    assert results == [200] * 5
    assert Payment.objects.count() == 1
    assert StripeEvent.objects.count() == 1
    assert len(fulfilled) == 1
    assert len(mail.outbox) == 1
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_both_session_events_arriving_at_once_pay_once(member, association, fulfilled, stripe_keys):
    invoice = make_open(member, lines=[MEMBERSHIP])
    payloads = [session_event(COMPLETED, invoice), session_event(ASYNC_SUCCEEDED, invoice)] * 3
    mail.outbox.clear()

    results, errors = run_together(6, lambda i: deliver(payloads[i]).status_code)

    assert errors == []
    assert results == [200] * 6
    assert Payment.objects.count() == 1
    assert StripeEvent.objects.count() == 2
    assert len(fulfilled) == 1
    assert len(mail.outbox) == 1
