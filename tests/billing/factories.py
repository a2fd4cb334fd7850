"""Invoices in each state, made through the services so they are what members really get."""

from __future__ import annotations

from tide.accounts.models import User
from tide.billing.models import Invoice, Payment
from tide.billing.services import LineSpec, invoice_create, invoice_issue, payment_record

DUES = LineSpec(kind="manual", description="Annual membership dues — RMT", unit_price_cents=350_00)


def make_draft(
    customer: User, *, province: str = "ON", lines: list[LineSpec] | None = None
) -> Invoice:
    return invoice_create(customer=customer, province=province, lines=lines or [DUES])


def make_open(customer: User, **kwargs) -> Invoice:
    return invoice_issue(invoice=make_draft(customer, **kwargs))


def make_paid(customer: User, **kwargs) -> Invoice:
    invoice = make_open(customer, **kwargs)
    payment_record(
        invoice=invoice, amount_cents=invoice.total_cents, method=Payment.Method.ETRANSFER
    )
    invoice.refresh_from_db()
    return invoice


def make_void(customer: User, *, by: User, **kwargs) -> Invoice:
    from tide.billing.services import invoice_void

    return invoice_void(invoice=make_open(customer, **kwargs), by=by, reason="Duplicate")
