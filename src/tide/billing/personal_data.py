"""What billing holds about a person, for their data download. Invoices are not erased when
an account closes (tax law keeps them for six years); a saved card is."""

from __future__ import annotations

from tide.accounts.models import User

from .models import Invoice, SavedCard


def billing_export(user: User) -> list[dict]:
    invoices = (
        Invoice.objects.filter(customer=user)
        .exclude(status=Invoice.Status.DRAFT)
        .prefetch_related("lines", "payments", "credit_notes")
    )
    return [
        {
            "number": invoice.number,
            "status": invoice.status,
            "issued": invoice.issued_at.isoformat() if invoice.issued_at else None,
            "bill_to": invoice.bill_to_name,
            "email": invoice.bill_to_email,
            "province": invoice.province,
            "total_cents": invoice.total_cents,
            "lines": [
                {"description": line.description, "amount_cents": line.amount_cents}
                for line in invoice.lines.all()
            ],
            "payments": [
                {
                    "received_on": payment.received_on,
                    "method": payment.method,
                    "amount_cents": payment.amount_cents,
                }
                for payment in invoice.payments.all()
            ],
            "credit_notes": [
                {"number": note.number, "amount_cents": note.amount_cents, "reason": note.reason}
                for note in invoice.credit_notes.all()
            ],
        }
        for invoice in invoices
    ]


def billing_erase(user: User) -> None:
    SavedCard.objects.filter(user=user).delete()
