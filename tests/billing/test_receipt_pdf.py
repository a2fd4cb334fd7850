"""The receipt of a paid invoice, as a PDF: what it says, and who may download it."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import make_user
from tide.billing.models import Payment
from tide.billing.services import LineSpec, payment_record

from .factories import DUES, make_open, make_paid

pytestmark = pytest.mark.django_db

FEE = LineSpec(kind="manual", description="Admin fee for new members", unit_price_cents=50_00)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def receipt_url(invoice) -> str:
    return reverse("billing:invoice_receipt", args=[invoice.number])


@pytest.fixture
def amelie(db):
    return make_user("amelie@example.com", first_name="Amélie", last_name="Côté-O'Brien")


@pytest.fixture
def paid_in_two_parts(amelie, association):
    """$452.00 (dues and fee, HST 13%), paid by e-transfer then cheque."""
    invoice = make_open(amelie, province="ON", lines=[DUES, FEE])
    payment_record(
        invoice=invoice, amount_cents=200_00, method=Payment.Method.ETRANSFER, reference="CA7H2KQ9"
    )
    payment_record(
        invoice=invoice, amount_cents=252_00, method=Payment.Method.CHEQUE, reference="Cheque 0417"
    )
    invoice.refresh_from_db()
    return invoice


def test_the_receipt_is_a_pdf_download_named_for_the_invoice(client, amelie, paid_in_two_parts):
    client.force_login(amelie)

    response = client.get(receipt_url(paid_in_two_parts))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="receipt-{paid_in_two_parts.number}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")


def test_the_receipt_shows_letterhead_member_lines_taxes_payments_and_paid_in_full(
    client, amelie, paid_in_two_parts
):
    client.force_login(amelie)

    text = pdf_text(client.get(receipt_url(paid_in_two_parts)).content)

    assert "Receipt" in text
    assert "Harbour RMT Association" in text
    assert "1 Pier Road, Halifax NS, B3H 1A1" in text
    assert "dues@harbour.example" in text
    assert "Amélie Côté-O'Brien" in text
    assert paid_in_two_parts.number in text
    assert "Annual membership dues — RMT" in text
    assert "$350.00" in text
    assert "$50.00" in text
    assert "$400.00" in text  # subtotal
    assert "HST 13% (ON)" in text
    assert "$52.00" in text
    assert "$452.00" in text  # total
    assert "Interac e-Transfer" in text
    assert "CA7H2KQ9" in text
    assert "Cheque 0417" in text
    assert "$200.00" in text
    assert "$252.00" in text
    assert "Paid in full" in text


def test_a_name_outside_french_and_english_letters_still_prints(client, association):
    customer = make_user("lukasz@example.com", first_name="Łukasz", last_name="Żółć")
    invoice = make_paid(customer)
    client.force_login(customer)

    response = client.get(receipt_url(invoice))

    assert response.status_code == 200
    assert "Lukasz Zólc" in pdf_text(response.content)


def test_a_visitor_is_sent_to_log_in(client, paid_in_two_parts):
    response = client.get(receipt_url(paid_in_two_parts))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_another_member_gets_not_found(client, other_member, paid_in_two_parts):
    client.force_login(other_member)

    response = client.get(receipt_url(paid_in_two_parts))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_staff_without_the_billing_permission_get_not_found(
    client, staff_without_permission, paid_in_two_parts
):
    client.force_login(staff_without_permission)

    assert client.get(receipt_url(paid_in_two_parts)).status_code == 404


def test_staff_who_may_view_invoices_can_download_any_receipt(
    client, bookkeeper, paid_in_two_parts
):
    client.force_login(bookkeeper)

    response = client.get(receipt_url(paid_in_two_parts))

    assert response.status_code == 200
    assert "Amélie Côté-O'Brien" in pdf_text(response.content)


def test_an_unpaid_invoice_has_no_receipt(client, amelie, association):
    invoice = make_open(amelie)
    client.force_login(amelie)

    response = client.get(receipt_url(invoice))

    assert response.status_code == 404
    assert not response.content.startswith(b"%PDF")


def test_a_partly_paid_invoice_has_no_receipt_yet(client, amelie, association):
    invoice = make_open(amelie)
    payment_record(invoice=invoice, amount_cents=100_00, method=Payment.Method.CASH)
    client.force_login(amelie)

    assert client.get(receipt_url(invoice)).status_code == 404


def test_an_unknown_number_is_not_found(client, amelie):
    client.force_login(amelie)

    assert client.get(reverse("billing:invoice_receipt", args=["2026-999999"])).status_code == 404


def test_the_paid_invoice_page_links_to_its_receipt_and_an_open_one_does_not(
    client, amelie, paid_in_two_parts
):
    open_invoice = make_open(amelie)
    client.force_login(amelie)

    paid_page = client.get(paid_in_two_parts.get_absolute_url()).content.decode()
    open_page = client.get(open_invoice.get_absolute_url()).content.decode()

    assert "Download receipt (PDF)" in paid_page
    assert receipt_url(paid_in_two_parts) in paid_page
    assert "Download receipt (PDF)" not in open_page


def test_the_receipt_takes_a_fixed_number_of_queries(
    client, amelie, paid_in_two_parts, django_assert_max_num_queries
):
    client.force_login(amelie)

    with django_assert_max_num_queries(8):
        client.get(receipt_url(paid_in_two_parts))
