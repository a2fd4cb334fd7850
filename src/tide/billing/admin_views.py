"""Invoices in the back office: find one, see its lines, payments and history, record a
payment, issue a draft or void an unpaid invoice."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import ModelLogEntry

from tide.lib.backoffice import admin_breadcrumbs, staff_permission_required
from tide.lib.money import format_cad

from .forms import PaymentForm, VoidForm
from .models import Invoice, Payment
from .services import invoice_issue, invoice_void, payment_record

INVOICES_PER_PAGE = 30


@staff_permission_required("billing.view_invoice")
def invoice_index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Invoice.Status.values:
        status = ""
    query = request.GET.get("q", "").strip()[:100]
    invoices = Invoice.objects.select_related("customer").prefetch_related("payments")
    if status:
        invoices = invoices.filter(status=status)
    if query:
        invoices = invoices.filter(
            Q(number__icontains=query)
            | Q(bill_to_email__icontains=query)
            | Q(bill_to_name__icontains=query)
        )
    counts = dict(Invoice.objects.values_list("status").annotate(n=Count("id")))
    page = Paginator(invoices, INVOICES_PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "billing/admin/invoice_index.html",
        {
            "page_obj": page,
            "status": status,
            "query": query,
            "tabs": [("", _("All"), sum(counts.values()))]
            + [(value, label, counts.get(value, 0)) for value, label in Invoice.Status.choices],
            "header_title": _("Invoices"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("Invoices"))),
        },
    )


def _detail(
    request: HttpRequest,
    invoice: Invoice,
    *,
    payment_form: PaymentForm | None = None,
    void_form: VoidForm | None = None,
) -> HttpResponse:
    invoice = (
        Invoice.objects.select_related("customer")
        .prefetch_related(
            "lines",
            Prefetch(
                "payments",
                queryset=Payment.objects.select_related("recorded_by").order_by(
                    "received_on", "id"
                ),
            ),
        )
        .get(pk=invoice.pk)
    )
    balance = invoice.balance_cents()
    user = request.user
    can_pay = invoice.status == Invoice.Status.OPEN and user.has_perm("billing.add_payment")
    can_void = (
        invoice.status == Invoice.Status.OPEN
        and not invoice.payments.all()
        and user.has_perm("billing.change_invoice")
    )
    can_issue = invoice.status == Invoice.Status.DRAFT and user.has_perm("billing.change_invoice")
    if can_pay and payment_form is None:
        payment_form = PaymentForm(invoice=invoice, balance_cents=balance)
    if can_void and void_form is None:
        void_form = VoidForm()
    history = (
        ModelLogEntry.objects.for_instance(invoice).select_related("user").order_by("-timestamp")
    )
    return TemplateResponse(
        request,
        "billing/admin/invoice_detail.html",
        {
            "invoice": invoice,
            "paid_cents": invoice.paid_cents(),
            "balance_cents": balance,
            "payment_form": payment_form if can_pay else None,
            "void_form": void_form if can_void else None,
            "can_issue": can_issue,
            "history": history,
            "header_title": str(invoice),
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("billing_admin_invoices"), _("Invoices")), ("", str(invoice))
            ),
        },
    )


@staff_permission_required("billing.view_invoice")
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(Invoice, pk=pk))


@require_POST
@staff_permission_required("billing.add_payment")
def invoice_record_payment(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    if invoice.status != Invoice.Status.OPEN:
        messages.error(request, _("Only an open invoice can take a payment."))
        return redirect("billing_admin_invoice", pk=invoice.pk)
    form = PaymentForm(request.POST, invoice=invoice, balance_cents=invoice.balance_cents())
    if form.is_valid():
        try:
            payment = payment_record(
                invoice=invoice,
                amount_cents=form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
                reference=form.cleaned_data["reference"],
                received_on=form.cleaned_data["received_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            invoice.refresh_from_db()
            if invoice.status == Invoice.Status.PAID:
                message = _("%(amount)s recorded. Invoice %(number)s is paid in full.")
            else:
                message = _("%(amount)s recorded on invoice %(number)s.")
            messages.success(
                request,
                message % {"amount": format_cad(payment.amount_cents), "number": invoice.number},
            )
            return redirect("billing_admin_invoice", pk=invoice.pk)
    return _detail(request, invoice, payment_form=form)


@require_POST
@staff_permission_required("billing.change_invoice")
def invoice_void_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            invoice_void(invoice=invoice, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("billing_admin_invoice", pk=invoice.pk)
        messages.success(request, _("Invoice %(number)s is void.") % {"number": invoice.number})
        return redirect("billing_admin_invoice", pk=invoice.pk)
    return _detail(request, invoice, void_form=form)


@require_POST
@staff_permission_required("billing.change_invoice")
def invoice_issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    try:
        invoice = invoice_issue(invoice=invoice, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Invoice %(number)s issued and emailed to %(email)s.")
            % {"number": invoice.number, "email": invoice.bill_to_email},
        )
    return redirect("billing_admin_invoice", pk=invoice.pk)
