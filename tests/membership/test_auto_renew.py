"""Automatic renewal with a saved card: the member saves a card on Stripe's page (tested up
to Stripe's edge with the local stand-in and a signed webhook), is told amount, card and day
before the charge, is charged once, and a declined card is retried with an email each time."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.billing.stripe_standin import COMPLETED, deliver, fixture
from tide.billing.models import Invoice, SavedCard
from tide.membership.auto_renew import auto_renew_run
from tide.membership.models import AutoRenewal, MembershipPeriod

from .factories import make_period

pytestmark = pytest.mark.django_db

AUTO = reverse("membership:auto_renew")


@pytest.fixture
def stripe_api(settings):
    from tests.billing.stripe_standin import SECRET_KEY, WEBHOOK_SECRET, start_standin

    standin, server = start_standin()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = standin.url
    yield standin
    server.shutdown()
    server.server_close()


@pytest.fixture
def period(member, rmt) -> MembershipPeriod:
    return make_period(member, rmt, ends_on=timezone.localdate() + timedelta(days=30))


@pytest.fixture
def auto_on(member, period) -> AutoRenewal:
    SavedCard.objects.create(
        user=member,
        stripe_customer="cus_test_tide0001",
        payment_method="pm_test_tide4242",
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2030,
    )
    return AutoRenewal.objects.create(user=member, enabled=True)


def test_a_member_saves_a_card_on_stripes_page_and_turns_automatic_renewal_on(
    client, member, period, stripe_api
):
    client.force_login(member)

    response = client.post(AUTO, {"action": "card"})

    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.com/c/setup/")
    session_id = response["Location"].rsplit("/", 1)[1]
    session = stripe_api.save_card(session_id, last4="4444", brand="mastercard")
    event = fixture(COMPLETED)
    event["data"]["object"] = session
    assert deliver(json.dumps(event)).status_code == 200

    card = SavedCard.objects.get(user=member)
    assert (card.payment_method, card.last4) == ("pm_test_tide4444", "4444")
    page = client.get(AUTO).content.decode()
    assert "Mastercard ending 4444, expires 12/2030" in page
    client.post(AUTO, {"action": "on"})
    assert AutoRenewal.objects.get(user=member).enabled


def test_turning_it_on_needs_a_saved_card(client, member, period, stripe_api):
    client.force_login(member)

    page = client.post(AUTO, {"action": "on"}, follow=True).content.decode()

    assert "Save a card first" in page
    assert not AutoRenewal.objects.get(user=member).enabled


def test_the_member_is_told_then_charged_once_and_renewed(
    member, period, auto_on, stripe_api, django_capture_on_commit_callbacks
):
    charge_on = period.ends_on - timedelta(days=7)
    notice_on = charge_on - timedelta(days=14)

    with django_capture_on_commit_callbacks(execute=True):
        assert auto_renew_run(today=notice_on - timedelta(days=1))["notices"] == 0
        auto_renew_run(today=notice_on)
        auto_renew_run(today=notice_on)  # a second run the same day sends nothing
    notices = [m for m in mail.outbox if "renews automatically" in m.subject]
    assert len(notices) == 1
    invoice = Invoice.objects.get(customer=member)
    assert invoice.total_display in notices[0].body
    assert "Visa ending 4242, expires 12/2030" in notices[0].body
    assert AUTO in notices[0].body
    assert not stripe_api.charges()

    with django_capture_on_commit_callbacks(execute=True):
        counts = auto_renew_run(today=charge_on)
        auto_renew_run(today=charge_on)
        auto_renew_run(today=charge_on + timedelta(days=1))

    assert counts["charged"] == 1
    assert len(stripe_api.charges()) == 1
    charge = stripe_api.charges()[0]
    assert charge.params["amount"] == str(invoice.total_cents)
    assert charge.params["off_session"] == "true"
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert MembershipPeriod.objects.filter(renewal_of=period).exists()
    assert any("Receipt" in m.subject for m in mail.outbox)


def test_a_declined_card_is_retried_with_an_email_each_time_then_charged(
    member, period, auto_on, stripe_api, django_capture_on_commit_callbacks
):
    charge_on = period.ends_on - timedelta(days=7)
    stripe_api.decline = True

    with django_capture_on_commit_callbacks(execute=True):
        auto_renew_run(today=charge_on)
        auto_renew_run(today=charge_on + timedelta(days=1))  # not yet: retries are 3 days apart
    declined = [m for m in mail.outbox if "could not charge" in m.subject]
    assert len(declined) == 1
    assert "insufficient funds" in declined[0].body
    auto = AutoRenewal.objects.get(user=member)
    assert (auto.attempts, auto.next_attempt_on) == (1, charge_on + timedelta(days=3))

    stripe_api.decline = False
    with django_capture_on_commit_callbacks(execute=True):
        auto_renew_run(today=charge_on + timedelta(days=3))

    keys = [r.headers["Idempotency-Key"] for r in stripe_api.charges()]
    assert len(keys) == 2 and keys[0] != keys[1]  # a new attempt, a new key
    assert MembershipPeriod.objects.filter(renewal_of=period).exists()


def test_after_the_last_attempt_the_member_is_asked_to_pay_by_hand(
    member, period, auto_on, stripe_api, django_capture_on_commit_callbacks
):
    charge_on = period.ends_on - timedelta(days=7)
    stripe_api.decline = True

    with django_capture_on_commit_callbacks(execute=True):
        for day in (0, 3, 6, 7):
            auto_renew_run(today=charge_on + timedelta(days=day))

    assert len(stripe_api.charges()) == 3
    last = [m for m in mail.outbox if "could not charge" in m.subject][-1]
    assert "We will not try again" in last.body
    assert Invoice.objects.get(customer=member).status == Invoice.Status.OPEN


def test_nothing_is_charged_when_it_is_off_or_the_member_is_suspended(
    member, officer, period, auto_on, stripe_api
):
    from tide.membership.services import membership_end_early

    charge_on = period.ends_on - timedelta(days=7)
    membership_end_early(user=member, reason="suspended", note="Audit", by=officer)

    auto_renew_run(today=charge_on)

    assert not stripe_api.charges()


def test_visitors_sign_in_and_without_stripe_the_page_says_so(client, member, period, settings):
    settings.STRIPE_SECRET_KEY = ""
    anonymous = client.get(AUTO)
    client.force_login(member)
    page = client.get(AUTO, follow=True).content.decode()

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert "needs card payments" in page
