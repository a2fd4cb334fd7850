"""Pay by card: the button on the member's open invoice starts a Stripe Checkout Session."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login
from tide.billing.models import CheckoutSession, Payment

from .factories import make_open, make_paid
from .threads import on_postgresql, run_together


def _pay_url(invoice) -> str:
    return reverse("billing:invoice_pay_by_card", args=[invoice.number])


@pytest.mark.django_db
def test_the_member_is_sent_to_stripe_checkout_for_the_balance(client, member, stripe_api):
    invoice = make_open(member)
    login(client, member)

    response = client.post(_pay_url(invoice))

    [sent] = stripe_api.session_creations()
    session_id = next(iter(stripe_api.sessions))
    assert response.status_code == 302
    assert response["Location"] == f"https://checkout.stripe.com/c/pay/{session_id}"
    assert sent.headers["Idempotency-Key"] == f"checkout-{invoice.number}-39550"
    assert sent.headers["Authorization"] == "Bearer sk_test_tide_standin"
    assert sent.params["mode"] == "payment"
    assert sent.params["line_items[0][quantity]"] == "1"
    assert sent.params["line_items[0][price_data][currency]"] == "cad"
    assert sent.params["line_items[0][price_data][unit_amount]"] == "39550"
    assert invoice.number in sent.params["line_items[0][price_data][product_data][name]"]
    assert sent.params["customer_email"] == "member@example.com"
    assert sent.params["client_reference_id"] == invoice.number
    assert sent.params["metadata[invoice]"] == invoice.number
    invoice_url = f"http://127.0.0.1:8000/billing/invoices/{invoice.number}/"
    assert sent.params["success_url"] == invoice_url + "?paid=1"
    assert sent.params["cancel_url"] == invoice_url
    stored = CheckoutSession.objects.get()
    assert (stored.session_id, stored.invoice, stored.amount_cents) == (session_id, invoice, 39550)


@pytest.mark.django_db
def test_a_part_paid_invoice_is_charged_only_what_is_left(client, member, stripe_api):
    from tide.billing.services import payment_record

    invoice = make_open(member)
    payment_record(invoice=invoice, amount_cents=95_50, method=Payment.Method.CHEQUE)
    login(client, member)

    client.post(_pay_url(invoice))

    [sent] = stripe_api.session_creations()
    assert sent.params["line_items[0][price_data][unit_amount]"] == "30000"
    assert sent.headers["Idempotency-Key"] == f"checkout-{invoice.number}-30000"


@pytest.mark.django_db
def test_a_double_click_makes_one_session_at_stripe(client, member, stripe_api):
    invoice = make_open(member)
    login(client, member)

    first = client.post(_pay_url(invoice))
    second = client.post(_pay_url(invoice))

    assert first["Location"] == second["Location"]
    assert len(stripe_api.session_creations()) == 2
    assert len({r.headers["Idempotency-Key"] for r in stripe_api.session_creations()}) == 1
    assert len(stripe_api.sessions) == 1
    assert CheckoutSession.objects.count() == 1


@pytest.mark.django_db
def test_when_stripe_is_down_the_member_sees_a_message_not_an_error(client, member, stripe_api):
    stripe_api.down = True
    invoice = make_open(member)
    login(client, member)

    response = client.post(_pay_url(invoice), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(invoice.get_absolute_url(), 302)]
    assert "Card payments are not available right now" in response.text
    assert "e-Transfer" in response.text
    assert not CheckoutSession.objects.exists()


@pytest.mark.django_db
def test_when_stripe_cannot_be_reached_the_member_sees_a_message(
    client, member, stripe_keys, settings
):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    invoice = make_open(member)
    login(client, member)

    response = client.post(_pay_url(invoice), follow=True)

    assert response.status_code == 200
    assert "Card payments are not available right now" in response.text


@pytest.mark.django_db
def test_a_paid_invoice_cannot_be_paid_by_card(client, member, stripe_api):
    invoice = make_paid(member)
    login(client, member)

    response = client.post(_pay_url(invoice), follow=True)

    assert "This invoice is not open for payment." in response.text
    assert stripe_api.requests == []


@pytest.mark.django_db
def test_the_open_invoice_offers_pay_by_card_with_a_csrf_protected_form(
    client, member, stripe_keys
):
    invoice = make_open(member)
    login(client, member)

    page = client.get(invoice.get_absolute_url()).text

    assert "Pay by card" in page
    assert f'action="{_pay_url(invoice)}"' in page
    assert "csrfmiddlewaretoken" in page


@pytest.mark.django_db
def test_without_stripe_keys_only_the_manual_ways_are_offered(client, member, association):
    invoice = make_open(member)
    login(client, member)

    page = client.get(invoice.get_absolute_url()).text

    assert "Pay by card" not in page
    assert "Interac e-Transfer" in page
    assert client.post(_pay_url(invoice)).status_code == 404


@pytest.mark.django_db
def test_the_return_from_checkout_says_the_payment_is_on_its_way(client, member, stripe_keys):
    invoice = make_open(member)
    login(client, member)

    page = client.get(invoice.get_absolute_url() + "?paid=1").text

    assert "Payment received — it may take a moment to appear." in page


@pytest.mark.django_db
def test_another_member_cannot_start_checkout_for_someone_elses_invoice(
    client, member, other_member, stripe_api
):
    invoice = make_open(member)
    login(client, other_member)

    response = client.post(_pay_url(invoice))

    assert response.status_code == 404
    assert stripe_api.requests == []


@pytest.mark.django_db
def test_staff_who_may_view_the_invoice_are_not_offered_to_pay_it(
    client, member, bookkeeper, stripe_api
):
    invoice = make_open(member)
    login(client, bookkeeper)

    assert "Pay by card" not in client.get(invoice.get_absolute_url()).text
    assert client.post(_pay_url(invoice)).status_code == 404


@pytest.mark.django_db
def test_a_visitor_is_asked_to_sign_in(client, member, stripe_api):
    invoice = make_open(member)

    response = client.post(_pay_url(invoice))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert stripe_api.requests == []


@pytest.mark.django_db
def test_a_get_starts_nothing(client, member, stripe_api):
    invoice = make_open(member)
    login(client, member)

    assert client.get(_pay_url(invoice)).status_code == 405
    assert stripe_api.requests == []


@pytest.mark.django_db
def test_the_pay_form_needs_its_csrf_token(member, stripe_api):
    from django.test import Client

    invoice = make_open(member)
    client = Client(enforce_csrf_checks=True)
    login(client, member)

    assert client.post(_pay_url(invoice)).status_code == 403
    assert stripe_api.requests == []


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_pay_clicks_at_once_make_one_session(member, stripe_api):
    from django.test import Client

    invoice = make_open(member)

    def click(index: int) -> str:
        client = Client()
        login(client, member)
        return client.post(_pay_url(invoice))["Location"]

    results, errors = run_together(2, click)

    assert errors == []
    assert len(set(results)) == 1
    assert len(stripe_api.sessions) == 1
    assert CheckoutSession.objects.count() == 1
