from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from tide.billing.fulfilment import UnknownFulfilment
from tide.billing.models import Invoice, InvoiceLine, Payment
from tide.billing.services import LineSpec, invoice_void, payment_record

from .factories import make_draft, make_open, make_paid
from .threads import on_postgresql, run_together

MEMBERSHIP = LineSpec(kind="test", description="Membership 2026", unit_price_cents=350_00)


def _pay(invoice: Invoice, amount: int | None = None, **kwargs) -> Payment:
    return payment_record(
        invoice=invoice,
        amount_cents=invoice.total_cents if amount is None else amount,
        method=kwargs.pop("method", Payment.Method.ETRANSFER),
        **kwargs,
    )


@pytest.mark.django_db
def test_paying_the_total_marks_the_invoice_paid(member, superuser):
    invoice = make_open(member)

    payment = _pay(invoice, reference="CA7xQ", received_on=date(2026, 3, 2), by=superuser)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice.paid_at is not None
    assert payment.amount_cents == 395_50
    assert payment.recorded_by == superuser
    assert payment.received_on == date(2026, 3, 2)
    actions = list(ModelLogEntry.objects.for_instance(invoice).values_list("action", "user"))
    assert ("tide.invoice.payment", superuser.pk) in actions
    assert ("tide.invoice.paid", superuser.pk) in actions


@pytest.mark.django_db
def test_a_part_payment_leaves_the_invoice_open_with_a_balance(member):
    invoice = make_open(member)

    _pay(invoice, 100_00)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert invoice.balance_cents() == 295_50

    _pay(invoice, 295_50)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice.balance_cents() == 0


@pytest.mark.django_db
def test_the_member_gets_one_receipt_when_the_invoice_is_paid_in_full(
    member, association, django_capture_on_commit_callbacks
):
    invoice = make_open(member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _pay(invoice, 95_50, method=Payment.Method.CHEQUE, reference="Cheque 118")
    assert mail.outbox == []  # a part payment is acknowledged by the final receipt

    with django_capture_on_commit_callbacks(execute=True):
        _pay(invoice, 300_00)

    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["member@example.com"]
    assert receipt.subject == f"Receipt for invoice {invoice.number} from Harbour RMT Association"
    assert "$395.50" in receipt.body
    assert "$95.50 (Cheque, Cheque 118)" in receipt.body
    assert "$300.00 (Interac e-Transfer)" in receipt.body


@pytest.mark.django_db
def test_each_line_is_fulfilled_once_when_the_invoice_is_paid(member, fulfilled):
    invoice = make_open(member, lines=[MEMBERSHIP, MEMBERSHIP])

    _pay(invoice, 100_00)
    assert fulfilled == []  # nothing is delivered before the invoice is paid

    _pay(invoice, invoice.total_cents - 100_00)

    lines = list(invoice.lines.all())
    assert sorted(fulfilled) == sorted(line.pk for line in lines)
    assert all(line.fulfilled_at for line in lines)


@pytest.mark.django_db
def test_a_line_already_fulfilled_is_not_fulfilled_again(member, fulfilled):
    from django.utils import timezone

    invoice = make_open(member, lines=[MEMBERSHIP, MEMBERSHIP])
    first = invoice.lines.first()
    InvoiceLine.objects.filter(pk=first.pk).update(fulfilled_at=timezone.now())

    _pay(invoice)

    assert first.pk not in fulfilled
    assert len(fulfilled) == 1


@pytest.mark.django_db
def test_a_line_of_an_unknown_kind_rolls_the_whole_payment_back(
    member, django_capture_on_commit_callbacks
):
    invoice = make_open(
        member, lines=[LineSpec(kind="nobody-sells-this", description="?", unit_price_cents=10_00)]
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(UnknownFulfilment):
        _pay(invoice, external_id="evt_unknown")

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert not Payment.objects.exists()
    assert (
        not ModelLogEntry.objects.for_instance(invoice)
        .filter(action="tide.invoice.payment")
        .exists()
    )
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_fulfilment_that_fails_rolls_the_payment_back(member):
    from tide.billing.fulfilment import register_fulfilment, unregister_fulfilment

    def explode(line):
        raise RuntimeError("insurer roster unavailable")

    register_fulfilment("exploding", explode)
    try:
        invoice = make_open(
            member, lines=[LineSpec(kind="exploding", description="PLI", unit_price_cents=90_00)]
        )
        with pytest.raises(RuntimeError):
            _pay(invoice)
    finally:
        unregister_fulfilment("exploding")

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_the_same_provider_payment_five_times_is_recorded_once(
    member, fulfilled, django_capture_on_commit_callbacks
):
    invoice = make_open(member, lines=[MEMBERSHIP])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        payments = [
            _pay(invoice, method=Payment.Method.STRIPE, external_id="pi_3Nx1") for _ in range(5)
        ]

    assert {payment.pk for payment in payments} == {payments[0].pk}
    assert Payment.objects.count() == 1
    assert len(fulfilled) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_repeated_provider_payment_changes_nothing_even_on_another_invoice(member):
    first = make_open(member)
    second = make_open(member)
    payment = _pay(first, external_id="pi_same")

    again = _pay(second, external_id="pi_same")

    assert again.pk == payment.pk
    second.refresh_from_db()
    assert second.status == Invoice.Status.OPEN
    assert not second.payments.exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_five_deliveries_of_one_payment_at_once_record_one_payment(member, fulfilled, association):
    invoice = make_open(member, lines=[MEMBERSHIP])
    mail.outbox.clear()

    results, errors = run_together(
        5,
        lambda i: _pay(invoice, method=Payment.Method.STRIPE, external_id="evt_1Qx9").pk,
    )

    assert errors == []
    assert len(set(results)) == 1
    assert Payment.objects.count() == 1
    assert len(fulfilled) == 1
    assert len(mail.outbox) == 1
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_staff_recording_the_full_amount_at_once_cannot_overpay(member, association):
    invoice = make_open(member)

    results, errors = run_together(2, lambda i: _pay(invoice).pk)

    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert Payment.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("amount", [0, -1, -350_00])
def test_nothing_or_less_than_nothing_is_not_a_payment(member, amount):
    invoice = make_open(member)

    with pytest.raises(ValidationError, match="more than"):
        _pay(invoice, amount)

    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_more_than_the_balance_is_refused(member):
    invoice = make_open(member)
    _pay(invoice, 300_00)

    with pytest.raises(ValidationError, match=r"balance due of \$95.50"):
        _pay(invoice, 100_00)

    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_a_draft_cannot_be_paid(member):
    with pytest.raises(ValidationError, match="draft"):
        _pay(make_draft(member), 100_00)

    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_void_invoice_cannot_be_paid(member, superuser):
    invoice = invoice_void(invoice=make_open(member), by=superuser, reason="Duplicate")

    with pytest.raises(ValidationError, match="void"):
        _pay(invoice)

    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_paid_invoice_cannot_be_paid_again(member):
    invoice = make_paid(member)

    with pytest.raises(ValidationError, match="already paid"):
        _pay(invoice, 1)

    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_method_is_refused(member):
    with pytest.raises(ValidationError):
        _pay(make_open(member), method="bitcoin")
