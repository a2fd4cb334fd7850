"""A member's own invoices: the list and one invoice with how to pay it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from tide.association.models import AssociationSettings

from .models import Invoice, Payment

INVOICES_PER_PAGE = 20


def _invoices_for(request: HttpRequest):
    """Issued invoices the user may see: their own, or anyone's for staff with the permission."""
    invoices = Invoice.objects.exclude(status=Invoice.Status.DRAFT)
    if request.user.has_perm("billing.view_invoice"):
        return invoices
    return invoices.filter(customer=request.user)


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = Invoice.objects.visible_to_customer(request.user).prefetch_related("payments")
    page = Paginator(invoices, INVOICES_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "billing/invoice_list.html", {"page_obj": page})


@login_required
def invoice_detail(request: HttpRequest, number: str) -> HttpResponse:
    invoice = get_object_or_404(
        _invoices_for(request).prefetch_related(
            "lines", Prefetch("payments", queryset=Payment.objects.order_by("received_on", "id"))
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
        },
    )
