"""billing_reconcile: card payments whose webhook never arrived are found and recorded once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from tide.billing.models import CheckoutSession, Invoice, Payment
from tide.billing.services import LineSpec
from tide.management.commands.runperiodic import periodic_commands

from .factories import make_open
from .stripe_standin import COMPLETED, deliver, session_event

MEMBERSHIP = LineSpec(kind="test", description="Membership 2026", unit_price_cents=350_00)


def _checkout(client, member, invoice) -> str:
    login(client, member)
    client.post(reverse("billing:invoice_pay_by_card", args=[invoice.number]))
    return CheckoutSession.objects.get(invoice=invoice).session_id


@pytest.mark.django_db
def test_a_paid_session_whose_webhook_never_came_is_recorded_once(
    client, member, association, fulfilled, stripe_api, django_capture_on_commit_callbacks
):
    invoice = make_open(member, lines=[MEMBERSHIP])
    session_id = _checkout(client, member, invoice)
    stripe_api.pay(session_id, payment_intent="pi_3QTideMissed")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("billing_reconcile", verbosity=0)
        call_command("billing_reconcile", verbosity=0)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    payment = Payment.objects.get()
    assert (payment.external_id, payment.method, payment.amount_cents) == (
        "pi_3QTideMissed",
        Payment.Method.STRIPE,
        395_50,
    )
    assert len(fulfilled) == 1
    assert len(mail.outbox) == 1
    retrievals = [r for r in stripe_api.requests if r.method == "GET"]
    assert [r.path for r in retrievals] == [
        f"/v1/checkout/sessions/{session_id}"
    ]  # once paid, not asked again


@pytest.mark.django_db
def test_the_late_webhook_after_a_reconcile_changes_nothing(client, member, fulfilled, stripe_api):
    invoice = make_open(member, lines=[MEMBERSHIP])
    session_id = _checkout(client, member, invoice)
    stripe_api.pay(session_id, payment_intent="pi_3QTide00000000000000Pay1")
    call_command("billing_reconcile", verbosity=0)

    response = deliver(
        session_event(COMPLETED, invoice, payment_intent="pi_3QTide00000000000000Pay1")
    )

    assert response.status_code == 200
    assert Payment.objects.count() == 1
    assert len(fulfilled) == 1


@pytest.mark.django_db
def test_an_unpaid_session_is_left_alone(client, member, stripe_api):
    invoice = make_open(member)
    _checkout(client, member, invoice)

    call_command("billing_reconcile", verbosity=0)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_sessions_older_than_three_days_are_not_asked_about(client, member, stripe_api):
    invoice = make_open(member)
    session_id = _checkout(client, member, invoice)
    stripe_api.pay(session_id)
    CheckoutSession.objects.update(created_at=timezone.now() - timedelta(days=3, minutes=1))
    stripe_api.requests.clear()

    call_command("billing_reconcile", verbosity=0)

    assert stripe_api.requests == []
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_an_expired_session_is_not_asked_about_again(client, member, stripe_api):
    invoice = make_open(member)
    session_id = _checkout(client, member, invoice)
    stripe_api.expire(session_id)

    call_command("billing_reconcile", verbosity=0)
    call_command("billing_reconcile", verbosity=0)

    assert [r.path for r in stripe_api.requests if r.method == "GET"] == [
        f"/v1/checkout/sessions/{session_id}"
    ]
    assert CheckoutSession.objects.get().expired_at is not None


@pytest.mark.django_db
def test_one_session_stripe_cannot_find_does_not_stop_the_others(client, member, stripe_api):
    lost, found = make_open(member), make_open(member)
    _checkout(client, member, lost)
    stripe_api.sessions.clear()  # e.g. made with another account's key
    found_id = _checkout(client, member, found)
    stripe_api.pay(found_id)

    call_command("billing_reconcile", verbosity=0)

    found.refresh_from_db()
    assert found.status == Invoice.Status.PAID


@pytest.mark.django_db
def test_without_stripe_keys_there_is_nothing_to_reconcile(member, capsys):
    call_command("billing_reconcile")

    assert "0 card payment(s) recorded." in capsys.readouterr().out


def test_the_reconcile_runs_with_every_periodic_tick():
    assert ("billing_reconcile", {}) in periodic_commands()
