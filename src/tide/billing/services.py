"""What happens to money: invoices are created, issued, paid (in full or in parts), voided,
and refunded through credit notes.

Each function runs in one transaction, writes a log row naming who acted, and queues its
email for after the commit, so an error half-way leaves nothing stored and nothing sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from tide.accounts.models import User
from tide.lib.canada import PROVINCES
from tide.lib.money import format_cad
from tide.mailing.models import Consent
from tide.mailing.services import consent_imply
from tide.mailing.transactional import email_send_template

from .fulfilment import fulfilment_for
from .models import (
    CreditNote,
    CreditNoteNumberCounter,
    Invoice,
    InvoiceLine,
    InvoiceNumberCounter,
    Payment,
    TaxRate,
)

PROVINCE_CODES = {code for code, _name in PROVINCES}


@dataclass(frozen=True)
class LineSpec:
    """One line a selling app asks for; the tax rate is the customer's province's."""

    kind: str
    description: str
    unit_price_cents: int
    quantity: int = 1
    reference: str = ""
    taxable: bool = True


def invoice_create(
    *, customer: User, province: str, lines: list[LineSpec], by: User | None = None
) -> Invoice:
    """A draft invoice for `customer`, taxed at `province`'s rates."""
    if province not in PROVINCE_CODES:
        raise ValidationError(_("Choose a Canadian province or territory."), code="province")
    if not lines:
        raise ValidationError(_("An invoice needs at least one line."), code="no_lines")
    for spec in lines:
        if not spec.kind or not spec.description:
            raise ValidationError(_("Every line needs a kind and a description."), code="line")
        if spec.quantity < 1 or spec.unit_price_cents < 0:
            raise ValidationError(
                _("Quantities start at 1 and prices cannot be negative."), code="line"
            )
    basis_points = TaxRate.objects.basis_points_for(province)
    tax_name = TaxRate.objects.name_for(province)
    with transaction.atomic():
        invoice = Invoice.objects.create(
            customer=customer,
            bill_to_name=customer.get_full_name() or customer.email,
            bill_to_email=customer.email,
            province=province,
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                kind=spec.kind,
                description=spec.description,
                quantity=spec.quantity,
                unit_price_cents=spec.unit_price_cents,
                tax_basis_points=basis_points if spec.taxable else 0,
                tax_name=tax_name if spec.taxable else "",
                reference=spec.reference,
            )
            for spec in lines
        )
        invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents = invoice.compute_totals()
        invoice.save(update_fields=["subtotal_cents", "tax_cents", "total_cents"])
        log(invoice, "tide.invoice.create", user=by)
    return invoice


def _next_number(year: int, counters=InvoiceNumberCounter, prefix: str = "") -> str:
    """The next number of `year`, taken under a lock on the year's counter row: gapless,
    because a rolled-back issue rolls its increment back too."""
    counters.objects.get_or_create(year=year)
    counter = counters.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{prefix}{year}-{counter.last_number:06d}"


@transaction.atomic
def invoice_issue(*, invoice: Invoice, by: User | None = None) -> Invoice:
    """Give a draft its number, freeze its totals, open it and email it to the customer."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.DRAFT:
        raise ValidationError(_("Only a draft invoice can be issued."), code="not_draft")
    now = timezone.now()
    invoice.number = _next_number(timezone.localdate(now).year)
    invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents = invoice.compute_totals()
    invoice.status = Invoice.Status.OPEN
    invoice.issued_at = now
    invoice.save(
        update_fields=[
            "number",
            "subtotal_cents",
            "tax_cents",
            "total_cents",
            "status",
            "issued_at",
        ]
    )
    log(invoice, "tide.invoice.issue", user=by, data={"number": invoice.number})
    email_send_template(
        "billing/email/invoice_issued",
        to=invoice.bill_to_email,
        context={
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "total": format_cad(invoice.total_cents),
            "invoice_url": settings.SITE_URL + invoice.get_absolute_url(),
        },
    )
    if invoice.total_cents == 0:
        _invoice_mark_paid(invoice, by=by)  # nothing to pay: a free item is delivered at once
    return invoice


def payment_record(
    *,
    invoice: Invoice,
    amount_cents: int,
    method: str,
    reference: str = "",
    received_on: date | None = None,
    by: User | None = None,
    external_id: str | None = None,
) -> Payment:
    """Record money received against an open invoice.

    The same `external_id` twice returns the first payment and changes nothing. When the
    payments reach the total the invoice is paid, each line's fulfilment runs (once), and
    a receipt is emailed.
    """
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationError(_("A payment must be more than $0.00."), code="amount")
    if method not in Payment.Method.values:
        raise ValidationError(_("Choose how the money was paid."), code="method")
    external_id = external_id or None
    with transaction.atomic():
        # Every payment of an invoice waits for this lock, so two deliveries of one
        # webhook cannot both pass the check below.
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if external_id and (existing := Payment.objects.filter(external_id=external_id).first()):
            return existing
        if invoice.status == Invoice.Status.DRAFT:
            raise ValidationError(
                _("A draft invoice cannot be paid; issue it first."), code="draft"
            )
        if invoice.status == Invoice.Status.VOID:
            raise ValidationError(_("This invoice is void and cannot be paid."), code="void")
        if invoice.status == Invoice.Status.PAID:
            raise ValidationError(_("This invoice is already paid."), code="paid")
        paid = invoice.payments.aggregate(total=Sum("amount_cents"))["total"] or 0
        balance = invoice.total_cents - paid
        if amount_cents > balance:
            raise ValidationError(
                _("That is more than the balance due of %(balance)s.")
                % {"balance": format_cad(balance)},
                code="overpayment",
            )
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    invoice=invoice,
                    method=method,
                    amount_cents=amount_cents,
                    reference=reference.strip(),
                    received_on=received_on or timezone.localdate(),
                    recorded_by=by,
                    external_id=external_id,
                )
        except IntegrityError:
            # The same provider id, recorded meanwhile against another invoice.
            return Payment.objects.get(external_id=external_id)
        log(
            invoice,
            "tide.invoice.payment",
            user=by,
            data={
                "amount": format_cad(amount_cents),
                "method": payment.get_method_display(),
                "reference": payment.reference,
            },
        )
        if paid + amount_cents == invoice.total_cents:
            _invoice_mark_paid(invoice, by=by)
    return payment


def _invoice_mark_paid(invoice: Invoice, *, by: User | None) -> None:
    now = timezone.now()
    invoice.status = Invoice.Status.PAID
    invoice.paid_at = now
    invoice.save(update_fields=["status", "paid_at"])
    log(invoice, "tide.invoice.paid", user=by)
    for line in invoice.lines.select_for_update().filter(fulfilled_at__isnull=True):
        fulfilment_for(line.kind)(line)
        line.fulfilled_at = now
        line.save(update_fields=["fulfilled_at"])
    if invoice.total_cents > 0:  # a purchase implies consent to the news for two years (CASL)
        consent_imply(
            email=invoice.bill_to_email, source=Consent.Source.PURCHASE, user=invoice.customer
        )
    email_send_template(
        "billing/email/payment_receipt",
        to=invoice.bill_to_email,
        context={
            "invoice": invoice,
            "payments": list(invoice.payments.order_by("received_on", "id")),
            "total": format_cad(invoice.total_cents),
            "invoice_url": settings.SITE_URL + invoice.get_absolute_url(),
        },
    )


@transaction.atomic
def invoice_void(*, invoice: Invoice, by: User, reason: str) -> Invoice:
    """Cancel an open invoice nobody has paid anything on. A paid invoice is refunded with a
    credit note instead (`refund_issue`)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the invoice is void."), code="reason")
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.OPEN:
        raise ValidationError(_("Only an open invoice can be voided."), code="not_open")
    if invoice.payments.exists():
        raise ValidationError(
            _("This invoice has payments, so it cannot be voided."), code="has_payments"
        )
    invoice.status = Invoice.Status.VOID
    invoice.voided_at = timezone.now()
    invoice.void_reason = reason
    invoice.save(update_fields=["status", "voided_at", "void_reason"])
    log(invoice, "tide.invoice.void", user=by, data={"reason": reason})
    return invoice


def refund_issue(
    *, invoice: Invoice, amount_cents: int, reason: str, by: User | None = None
) -> CreditNote:
    """Give back `amount_cents` of a paid invoice: a numbered credit note, emailed.

    When the invoice was paid by card the money goes back to the card through Stripe (after
    the commit, in the background, under the credit note's idempotency key, so a retry never
    refunds twice); otherwise the note is owed until staff record the e-Transfer or cheque.
    Undoing what was bought (a seat, a membership) is the selling app's part.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the money is given back."), code="reason")
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationError(_("A refund must be more than $0.00."), code="amount")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != Invoice.Status.PAID:
            raise ValidationError(
                _("Only a paid invoice can be refunded; an unpaid one is voided instead."),
                code="not_paid",
            )
        refundable = invoice.paid_cents() - invoice.credited_cents()
        if amount_cents > refundable:
            raise ValidationError(
                _("That is more than the %(refundable)s left to refund on this invoice.")
                % {"refundable": format_cad(refundable)},
                code="over_refund",
            )
        card = (
            invoice.payments.filter(method=Payment.Method.STRIPE, amount_cents__gte=amount_cents)
            .order_by("-amount_cents")
            .first()
        )
        note = CreditNote.objects.create(
            number=_next_number(timezone.localdate().year, CreditNoteNumberCounter, "CN-"),
            invoice=invoice,
            amount_cents=amount_cents,
            tax_cents=round(invoice.tax_cents * amount_cents / invoice.total_cents),
            reason=reason,
            refund=CreditNote.Refund.CARD_PENDING if card else CreditNote.Refund.OWED,
            created_by=by,
        )
        log(
            invoice,
            "tide.invoice.credit",
            user=by,
            data={"number": note.number, "amount": format_cad(amount_cents), "reason": reason},
        )
        email_send_template(
            "billing/email/credit_note",
            to=invoice.bill_to_email,
            context={
                "invoice": invoice,
                "note": note,
                "amount": format_cad(amount_cents),
                "by_card": bool(card),
                "invoice_url": settings.SITE_URL + invoice.get_absolute_url(),
            },
        )
        if card:
            from .stripe_checkout import card_refund_send  # Stripe's SDK only when needed

            transaction.on_commit(lambda: card_refund_send.enqueue(note.pk, card.external_id))
    return note


@transaction.atomic
def refund_mark_paid_out(
    *, note: CreditNote, method: str, reference: str, by: User | None = None
) -> CreditNote:
    """Staff sent an owed refund by e-Transfer, cheque or cash."""
    if method not in Payment.Method.values or method == Payment.Method.STRIPE:
        raise ValidationError(_("Choose how the money was sent back."), code="method")
    note = CreditNote.objects.select_for_update().get(pk=note.pk)
    if note.refund not in (CreditNote.Refund.OWED, CreditNote.Refund.CARD_FAILED):
        raise ValidationError(_("This refund is already on its way."), code="not_owed")
    note.refund = CreditNote.Refund.REFUNDED
    note.refund_method = method
    note.refund_reference = reference.strip()
    note.refunded_at = timezone.now()
    note.save(update_fields=["refund", "refund_method", "refund_reference", "refunded_at"])
    log(
        note.invoice,
        "tide.invoice.refunded",
        user=by,
        data={"number": note.number, "method": note.get_refund_method_display()},
    )
    return note
