"""Refunds: a numbered credit note against a paid invoice, emailed, and the money sent back to
the card through Stripe (once, however often it is retried) or recorded as paid out by staff."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tide.billing.models import CreditNote, Invoice, Payment
from tide.billing.services import payment_record, refund_issue, refund_mark_paid_out
from tide.billing.stripe_checkout import card_refund_send

from .factories import make_open, make_paid

pytestmark = pytest.mark.django_db


def _paid_by_card(member, payment_intent: str = "pi_3QTideRefund0001") -> Invoice:
    invoice = make_open(member)
    payment_record(
        invoice=invoice,
        amount_cents=invoice.total_cents,
        method=Payment.Method.STRIPE,
        reference=payment_intent,
        external_id=payment_intent,
    )
    invoice.refresh_from_db()
    return invoice


def test_a_refund_of_a_cheque_payment_is_a_numbered_credit_note_owed_to_the_customer(
    member, association, bookkeeper, django_capture_on_commit_callbacks
):
    invoice = make_paid(member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = refund_issue(invoice=invoice, amount_cents=100_00, reason="Course cancelled")
        second = refund_issue(invoice=invoice, amount_cents=50_00, reason="Goodwill", by=bookkeeper)

    assert first.number.startswith("CN-") and first.number.endswith("-000001")
    assert second.number.endswith("-000002")
    assert first.refund == CreditNote.Refund.OWED
    assert first.tax_cents == round(invoice.tax_cents * 100_00 / invoice.total_cents)
    assert [m.subject for m in mail.outbox] == [
        f"Credit note {first.number} for invoice {invoice.number}",
        f"Credit note {second.number} for invoice {invoice.number}",
    ]
    assert "$100.00" in mail.outbox[0].body and "Course cancelled" in mail.outbox[0].body
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID  # the invoice itself never changes
    assert invoice.credited_cents() == 150_00

    note = refund_mark_paid_out(note=first, method="etransfer", reference="CA9F2", by=bookkeeper)
    assert (note.refund, note.refund_method, note.refund_reference) == (
        CreditNote.Refund.REFUNDED,
        "etransfer",
        "CA9F2",
    )
    with pytest.raises(ValidationError, match="already on its way"):
        refund_mark_paid_out(note=first, method="cheque", reference="", by=bookkeeper)


def test_more_than_was_paid_cannot_be_refunded_and_nothing_is_stored(member, association):
    invoice = make_paid(member)
    refund_issue(invoice=invoice, amount_cents=invoice.total_cents - 1_00, reason="Most of it")

    with pytest.raises(ValidationError, match=r"more than the \$1\.00 left"):
        refund_issue(invoice=invoice, amount_cents=2_00, reason="Too much")

    assert CreditNote.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [(0, "x", "more than"), (-5, "x", "more than"), (10_00, "  ", "Say why")],
)
def test_a_refund_needs_a_positive_amount_and_a_reason(
    member, association, amount, reason, message
):
    invoice = make_paid(member)

    with pytest.raises(ValidationError, match=message):
        refund_issue(invoice=invoice, amount_cents=amount, reason=reason)

    assert not CreditNote.objects.exists()


def test_an_unpaid_invoice_is_not_refunded(member, association):
    invoice = make_open(member)

    with pytest.raises(ValidationError, match="voided instead"):
        refund_issue(invoice=invoice, amount_cents=10_00, reason="Changed my mind")


def test_a_card_payment_is_refunded_to_the_card_once_however_often_it_is_sent(
    member, association, stripe_api, django_capture_on_commit_callbacks
):
    invoice = _paid_by_card(member)

    with django_capture_on_commit_callbacks(execute=True):
        note = refund_issue(invoice=invoice, amount_cents=invoice.total_cents, reason="Cancelled")
    # A worker that died after Stripe answered sends it again: same key, same refund.
    CreditNote.objects.filter(pk=note.pk).update(refund=CreditNote.Refund.CARD_FAILED)
    card_refund_send.call(note.pk, "pi_3QTideRefund0001")

    note.refresh_from_db()
    assert note.refund == CreditNote.Refund.REFUNDED
    assert note.refund_method == Payment.Method.STRIPE
    assert note.refund_reference == "re_test_tide0001"
    creations = stripe_api.refund_creations()
    assert len(creations) == 2 and len(stripe_api.refunds) == 1
    assert {r.headers["Idempotency-Key"] for r in creations} == {f"refund-{note.number}"}
    assert creations[0].params["payment_intent"] == "pi_3QTideRefund0001"
    assert creations[0].params["amount"] == str(invoice.total_cents)


def test_when_stripe_is_down_the_refund_is_marked_failed_and_staff_can_retry(
    client, member, association, bookkeeper, stripe_api, django_capture_on_commit_callbacks
):
    invoice = _paid_by_card(member)
    stripe_api.down = True
    with django_capture_on_commit_callbacks(execute=True):
        note = refund_issue(invoice=invoice, amount_cents=20_00, reason="Partial")
    note.refresh_from_db()
    assert note.refund == CreditNote.Refund.CARD_FAILED

    stripe_api.down = False
    client.force_login(bookkeeper)
    page = client.get(reverse("billing_admin_invoice", args=[invoice.pk])).content.decode()
    assert "Card refund failed" in page and "Retry card refund" in page
    response = client.post(reverse("billing_admin_credit_note_retry", args=[note.pk]))

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.refund == CreditNote.Refund.REFUNDED


def test_staff_refund_from_the_invoice_page_and_the_member_sees_it(
    client, member, association, bookkeeper, django_capture_on_commit_callbacks
):
    invoice = make_paid(member)
    client.force_login(bookkeeper)
    url = reverse("billing_admin_invoice_refund", args=[invoice.pk])

    too_much = client.post(url, {"amount": "9999.00", "reason": "Oops"})
    assert too_much.status_code == 200
    assert "more than the $395.50 left to refund" in too_much.content.decode()
    assert not CreditNote.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"amount": "100", "reason": "Workshop cancelled"})
    assert response.status_code == 302
    note = CreditNote.objects.get()
    assert note.amount_cents == 100_00 and note.created_by == bookkeeper

    client.post(
        reverse("billing_admin_credit_note_paid_out", args=[note.pk]),
        {"method": "cheque", "reference": "Cheque 204"},
    )
    note.refresh_from_db()
    assert note.refund == CreditNote.Refund.REFUNDED

    client.force_login(member)
    page = client.get(invoice.get_absolute_url()).content.decode()
    assert note.number in page and "Workshop cancelled" in page


@pytest.mark.parametrize(
    "name", ["billing_admin_invoice_refund", "billing_admin_credit_note_paid_out"]
)
def test_only_staff_with_the_refund_permission_can_refund(
    client, member, association, staff_without_permission, name
):
    invoice = make_paid(member)
    note = refund_issue(invoice=invoice, amount_cents=10_00, reason="Test")
    target = invoice.pk if name == "billing_admin_invoice_refund" else note.pk
    data = {"amount": "10", "reason": "Again", "method": "cheque"}

    anonymous = client.post(reverse(name, args=[target]), data)
    client.force_login(member)
    as_member = client.post(reverse(name, args=[target]), data)
    client.force_login(staff_without_permission)
    as_staff = client.post(reverse(name, args=[target]), data)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert as_member.status_code in (302, 403)
    assert as_staff.status_code == 403
    note.refresh_from_db()
    assert CreditNote.objects.count() == 1 and note.refund == CreditNote.Refund.OWED


def test_an_invoice_given_back_in_full_shows_as_refunded(client, member, association, bookkeeper):
    invoice = make_paid(member)
    refund_issue(invoice=invoice, amount_cents=100_00, reason="Part")
    client.force_login(member)
    partly = client.get(reverse("billing:invoice_list")).content.decode()
    refund_issue(invoice=invoice, amount_cents=invoice.total_cents - 100_00, reason="The rest")

    mine = client.get(reverse("billing:invoice_list")).content.decode()
    client.force_login(bookkeeper)
    staff = client.get(reverse("billing_admin_invoices")).content.decode()

    assert "Refunded" not in partly
    assert "Refunded" in mine and "Refunded" in staff
