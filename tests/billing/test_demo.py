from __future__ import annotations

import pytest

from tide.billing.demo import demo_billing
from tide.billing.models import Invoice

pytestmark = pytest.mark.django_db


def test_the_demo_member_gets_one_paid_and_one_open_invoice(member):
    assert demo_billing(member) is True

    invoices = Invoice.objects.filter(customer=member)
    paid = invoices.get(status=Invoice.Status.PAID)
    open_invoice = invoices.get(status=Invoice.Status.OPEN)
    assert paid.payments.get().method == "etransfer"
    assert open_invoice.lines.get().description == "Annual membership dues — RMT"
    assert open_invoice.total_cents == 395_50  # $350.00 + HST 13%
    assert open_invoice.province == "ON"


def test_loading_the_demo_twice_adds_nothing(member):
    demo_billing(member)

    assert demo_billing(member) is False
    assert Invoice.objects.filter(customer=member).count() == 2
