"""Demo invoices for the demo member: last year's dues, paid by e-transfer, and this
year's, open. The lead wires `demo_billing` into the demo loader."""

from __future__ import annotations

from django.db import transaction

from tide.accounts.models import User

from .models import Invoice, Payment
from .services import LineSpec, invoice_create, invoice_issue, payment_record

DUES = LineSpec(kind="manual", description="Annual membership dues — RMT", unit_price_cents=350_00)


@transaction.atomic
def demo_billing(member: User) -> bool:
    """One paid invoice and one open one for `member`; does nothing if they have invoices."""
    if Invoice.objects.filter(customer=member).exists():
        return False
    paid = invoice_issue(invoice=invoice_create(customer=member, province="ON", lines=[DUES]))
    payment_record(
        invoice=paid,
        amount_cents=paid.total_cents,
        method=Payment.Method.ETRANSFER,
        reference="CA1x7Q3mE2",
    )
    invoice_issue(
        invoice=invoice_create(
            customer=member,
            province="ON",
            lines=[
                LineSpec(
                    kind="manual",
                    description="Annual membership dues — RMT",
                    unit_price_cents=350_00,
                    reference="demo-renewal",
                )
            ],
        )
    )
    return True
