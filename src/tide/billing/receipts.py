"""The receipt for a paid invoice, as a PDF on the association's letterhead."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from tide.lib.money import format_cad
from tide.lib.pdf import Document, Letterhead

from .models import Invoice

DATE_FORMAT = "j F Y"


def letterhead_for(association) -> Letterhead:
    """The association's name, mailing address and contact, as documents print them."""
    return Letterhead(
        name=association.name,
        address=association.mailing_address,
        email=association.email,
        phone=association.phone,
    )


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return format_date(value, DATE_FORMAT)


def receipt_pdf(*, invoice: Invoice, association) -> bytes:
    """The receipt for `invoice`, which must be paid (prefetch its lines and payments)."""
    if invoice.status != Invoice.Status.PAID:
        raise ValueError("Only a paid invoice has a receipt.")
    title = _("Receipt")
    doc = Document(
        letterhead=letterhead_for(association),
        title=_("Receipt %(number)s") % {"number": invoice.number},
    )
    doc.alias_nb_pages()
    doc.add_page()
    doc.title_block(title, _("Receipt for invoice %(number)s") % {"number": invoice.number})
    doc.facts(
        [
            (
                _("Billed to"),
                [invoice.bill_to_name, invoice.bill_to_email, invoice.get_province_display()],
            ),
            (_("Receipt number"), [invoice.number]),
            (_("Issued"), [_day(invoice.issued_at)]),
            (_("Paid"), [_day(invoice.paid_at)]),
        ]
    )

    lines = list(invoice.lines.all())
    doc.data_table(
        [_("Description"), _("Qty"), _("Unit price"), _("Amount")],
        [
            [
                line.description,
                str(line.quantity),
                format_cad(line.unit_price_cents),
                format_cad(line.amount_cents),
            ]
            for line in lines
        ],
        widths=(100, 16, 32, 32),
        align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
    )
    rows = [(_("Subtotal"), format_cad(invoice.subtotal_cents))]
    taxes = invoice.tax_summary()
    for name, percent, cents in taxes:
        label = f"{name} {percent}" if name else _("Sales tax %(percent)s") % {"percent": percent}
        rows.append((f"{label} ({invoice.province})", format_cad(cents)))
    if not taxes:
        rows.append((_("Sales tax"), format_cad(0)))
    rows.append(
        (
            _("Total (%(currency)s)") % {"currency": invoice.currency},
            format_cad(invoice.total_cents),
        )
    )
    payments = list(invoice.payments.all())
    paid = sum(payment.amount_cents for payment in payments)
    rows.append((_("Paid"), format_cad(paid)))
    rows.append((_("Balance"), format_cad(max(invoice.total_cents - paid, 0))))
    doc.totals(rows, strong=[len(taxes or [None]) + 1])

    doc.section_heading(_("Payments"))
    doc.data_table(
        [_("Received"), _("Method"), _("Reference"), _("Amount")],
        [
            [
                _day(payment.received_on),
                payment.get_method_display(),
                payment.reference or "—",
                format_cad(payment.amount_cents),
            ]
            for payment in payments
        ],
        widths=(40, 46, 62, 32),
        align=("LEFT", "LEFT", "LEFT", "RIGHT"),
    )
    doc.ln(2)
    doc.stamp(_("Paid in full"))
    doc.note(
        _("Thank you. Keep this receipt for your records. Questions about it: %(contact)s.")
        % {"contact": association.email or association.phone or association.name}
    )
    return doc.render()
