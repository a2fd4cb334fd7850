"""A member's own invoices: the list, one invoice with how to pay it (by card through
Stripe Checkout too), its receipt, and Stripe's webhook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tide.association.models import AssociationSettings

from .models import Invoice, Payment
from .stripe_checkout import (
    CardPaymentError,
    WebhookRejected,
    checkout_start,
    stripe_enabled,
    stripe_event_receive,
)

INVOICES_PER_PAGE = 20


def _invoices_for(request: HttpRequest):
    """Issued invoices the user may see: their own, or anyone's for staff with the permission."""
    invoices = Invoice.objects.exclude(status=Invoice.Status.DRAFT)
    if request.user.has_perm("billing.view_invoice"):
        return invoices
    return invoices.filter(customer=request.user)


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = Invoice.objects.visible_to_customer(request.user).prefetch_related(
        "payments", "credit_notes"
    )
    page = Paginator(invoices, INVOICES_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "billing/invoice_list.html", {"page_obj": page})


@login_required
def invoice_detail(request: HttpRequest, number: str) -> HttpResponse:
    invoice = get_object_or_404(
        _invoices_for(request).prefetch_related(
            "lines",
            "credit_notes",
            Prefetch("payments", queryset=Payment.objects.order_by("received_on", "id")),
        ),
        number=number,
    )
    if invoice.status == Invoice.Status.DRAFT:  # pragma: no cover - excluded above
        raise Http404
    return TemplateResponse(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            "association": AssociationSettings.load(request_or_site=request),
            "paid_cents": invoice.paid_cents(),
            "balance_cents": invoice.balance_cents(),
            "card_payments": stripe_enabled() and invoice.customer_id == request.user.pk,
            "just_paid": request.GET.get("paid") == "1",
        },
    )


@login_required
def invoice_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The receipt of a paid invoice as a PDF download; any other invoice has none (404)."""
    invoice = get_object_or_404(
        _invoices_for(request)
        .filter(status=Invoice.Status.PAID)
        .prefetch_related(
            "lines", Prefetch("payments", queryset=Payment.objects.order_by("received_on", "id"))
        ),
        number=number,
    )
    # PDF code (fpdf2, about 40 MB) is loaded by the first receipt, not by every worker.
    from tide.lib.pdf import pdf_response

    from .receipts import receipt_pdf

    content = receipt_pdf(
        invoice=invoice, association=AssociationSettings.load(request_or_site=request)
    )
    return pdf_response(content, filename=f"receipt-{invoice.number}.pdf")


@login_required
@require_POST
def invoice_pay_by_card(request: HttpRequest, number: str) -> HttpResponse:
    """Send the member to Stripe's Checkout page for their open invoice."""
    if not stripe_enabled():
        raise Http404
    invoice = get_object_or_404(Invoice.objects.visible_to_customer(request.user), number=number)
    try:
        return redirect(checkout_start(invoice=invoice))
    except CardPaymentError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(invoice)


@csrf_exempt  # a signed payment webhook: Stripe's signature stands in for the CSRF token
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events: verified over the raw body, stored once, handled once."""
    try:
        stripe_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except WebhookRejected:
        return HttpResponseBadRequest("Invalid signature.", content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")
