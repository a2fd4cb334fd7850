from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from tide.billing.models import Invoice
from tide.billing.services import invoice_void, payment_record

from .factories import make_draft, make_open, make_paid

pytestmark = pytest.mark.django_db


def test_an_open_unpaid_invoice_can_be_voided_with_a_reason(member, superuser):
    invoice = invoice_void(invoice=make_open(member), by=superuser, reason="  Duplicate of 000041 ")

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOID
    assert invoice.voided_at is not None
    assert invoice.void_reason == "Duplicate of 000041"
    entry = ModelLogEntry.objects.for_instance(invoice).get(action="tide.invoice.void")
    assert entry.user == superuser
    assert entry.data["reason"] == "Duplicate of 000041"


def test_a_void_invoice_keeps_its_number(member, superuser):
    invoice = make_open(member)
    number = invoice.number

    invoice_void(invoice=invoice, by=superuser, reason="Entered twice")

    invoice.refresh_from_db()
    assert invoice.number == number


@pytest.mark.parametrize("reason", ["", "   "])
def test_voiding_needs_a_reason(member, superuser, reason):
    invoice = make_open(member)

    with pytest.raises(ValidationError, match="why"):
        invoice_void(invoice=invoice, by=superuser, reason=reason)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


def test_an_invoice_with_a_part_payment_cannot_be_voided(member, superuser):
    invoice = make_open(member)
    payment_record(invoice=invoice, amount_cents=100_00, method="cheque")

    with pytest.raises(ValidationError, match="has payments"):
        invoice_void(invoice=invoice, by=superuser, reason="Member left")

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


def test_a_paid_invoice_cannot_be_voided(member, superuser):
    invoice = make_paid(member)

    with pytest.raises(ValidationError, match="Only an open"):
        invoice_void(invoice=invoice, by=superuser, reason="Refund")

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


def test_a_draft_or_a_void_invoice_cannot_be_voided(member, superuser):
    draft = make_draft(member)
    void = invoice_void(invoice=make_open(member), by=superuser, reason="Duplicate")

    for invoice in (draft, void):
        with pytest.raises(ValidationError, match="Only an open"):
            invoice_void(invoice=invoice, by=superuser, reason="Again")
