"""The member's pages: their invoices, one invoice with how to pay it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tide.billing.models import Invoice
from tide.billing.services import invoice_void, payment_record

from .factories import make_draft, make_open, make_paid

pytestmark = pytest.mark.django_db

LIST = reverse("billing:invoice_list")


def _detail(invoice: Invoice) -> str:
    return reverse("billing:invoice_detail", args=[invoice.number])


@pytest.fixture
def invoice(member, association) -> Invoice:
    return make_open(member)


# --- Who may see what ------------------------------------------------------------------


def test_visitor_is_sent_to_log_in_from_the_list(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_visitor_is_sent_to_log_in_from_an_invoice(client, invoice):
    response = client.get(_detail(invoice))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert invoice.number not in response.content.decode()


def test_member_sees_their_own_invoice(client, member, invoice):
    client.force_login(member)

    response = client.get(_detail(invoice))

    assert response.status_code == 200
    assert f"Invoice {invoice.number}" in response.content.decode()


def test_another_member_gets_not_found_for_someone_elses_invoice(client, other_member, invoice):
    client.force_login(other_member)

    response = client.get(_detail(invoice))

    assert response.status_code == 404
    assert "Mara" not in response.content.decode()


def test_staff_without_the_billing_permission_get_not_found(
    client, staff_without_permission, invoice
):
    client.force_login(staff_without_permission)

    assert client.get(_detail(invoice)).status_code == 404


def test_staff_with_the_billing_permission_see_the_invoice_as_the_member_does(
    client, bookkeeper, invoice
):
    client.force_login(bookkeeper)

    response = client.get(_detail(invoice))

    assert response.status_code == 200
    assert "Mara Member" in response.content.decode()


def test_a_draft_is_not_shown_to_its_member(client, member):
    draft = make_draft(member)
    client.force_login(member)

    assert client.get(reverse("billing:invoice_detail", args=["None"])).status_code == 404
    assert client.get(reverse("billing:invoice_detail", args=[str(draft.pk)])).status_code == 404
    assert "Annual membership" not in client.get(LIST).content.decode()


def test_the_list_shows_only_the_members_own_invoices(client, member, other_member, invoice):
    theirs = make_open(other_member)
    client.force_login(member)

    page = client.get(LIST).content.decode()

    assert invoice.number in page
    assert theirs.number not in page


@pytest.mark.parametrize("persona", ["other_member", "staff_without_permission", "bookkeeper"])
def test_everyone_else_sees_an_empty_list(client, request, invoice, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(LIST)

    assert response.status_code == 200
    assert invoice.number not in response.content.decode()
    assert "No invoices yet" in response.content.decode()


# --- What the member reads -------------------------------------------------------------


def test_the_list_shows_status_total_and_balance(client, member, association):
    open_invoice = make_open(member)
    paid = make_paid(member)
    client.force_login(member)

    page = client.get(LIST).content.decode()

    assert open_invoice.number in page
    assert paid.number in page
    assert "Open" in page
    assert "Paid" in page
    assert page.count("$395.50") == 3  # two totals and one balance due


def test_the_list_is_paginated(client, member):
    for _ in range(25):
        make_open(member)
    client.force_login(member)

    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()

    assert "Page 1 of 2" in first
    assert first.count('<th scope="row" class="nowrap"><a href="/billing/invoices/') == 20
    assert second.count('<th scope="row" class="nowrap"><a href="/billing/invoices/') == 5


def test_the_list_costs_the_same_queries_for_many_invoices(
    client, member, django_assert_max_num_queries
):
    for _ in range(15):
        make_open(member)
    client.force_login(member)

    with django_assert_max_num_queries(12):
        client.get(LIST)


def test_an_open_invoice_shows_lines_tax_total_and_how_to_pay(client, member, invoice):
    client.force_login(member)

    page = client.get(_detail(invoice)).content.decode()

    assert "Annual membership dues — RMT" in page
    assert "$350.00" in page
    assert "HST 13% (ON)" in page
    assert "$45.50" in page
    assert "$395.50" in page
    assert "How to pay" in page
    assert "dues@harbour.example" in page
    assert "1 Pier Road" in page
    assert page.count(invoice.number) >= 3  # heading, e-transfer and cheque instructions


def test_a_part_payment_shows_in_the_balance_due(client, member, invoice):
    payment_record(invoice=invoice, amount_cents=95_50, method="cheque", reference="118")
    client.force_login(member)

    page = client.get(_detail(invoice)).content.decode()

    assert "Balance due" in page
    assert "$300.00" in page
    assert "$95.50 by Cheque" in page


def test_a_paid_invoice_says_so_and_drops_the_payment_instructions(client, member, association):
    invoice = make_paid(member)
    client.force_login(member)

    page = client.get(_detail(invoice)).content.decode()

    assert "Paid in full on" in page
    assert "How to pay" not in page
    assert "by Interac e-Transfer" in page


def test_a_void_invoice_says_nothing_is_owed(client, member, superuser, invoice):
    invoice_void(invoice=invoice, by=superuser, reason="Duplicate")
    client.force_login(member)

    page = client.get(_detail(invoice)).content.decode()

    assert "Nothing is owed" in page
    assert "How to pay" not in page
