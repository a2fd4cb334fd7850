"""Invoices in the back office: find one, see its lines, payments, refunds and history, raise
one by hand, record a payment, issue a draft, void an unpaid invoice or refund a paid one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import ModelLogEntry

from tide.lib.backoffice import admin_breadcrumbs, staff_permission_required
from tide.lib.money import format_cad

from .forms import (
    InvoiceForm,
    InvoiceLineFormSet,
    PaidOutForm,
    PaymentForm,
    RefundForm,
    VoidForm,
)
from .models import CreditNote, Invoice, Payment, StripeEvent
from .services import (
    LineSpec,
    invoice_create,
    invoice_issue,
    invoice_void,
    payment_record,
    refund_issue,
    refund_mark_paid_out,
)

INVOICES_PER_PAGE = 30


@staff_permission_required("billing.view_invoice")
def invoice_index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Invoice.Status.values:
        status = ""
    query = request.GET.get("q", "").strip()[:100]
    invoices = Invoice.objects.select_related("customer").prefetch_related(
        "payments", "credit_notes"
    )
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


@staff_permission_required("billing.change_invoice")
def invoice_new(request: HttpRequest) -> HttpResponse:
    """A charge raised by hand: a draft to check, or issued and emailed at once."""
    if request.method == "POST":
        form, lines = InvoiceForm(request.POST), InvoiceLineFormSet(request.POST)
        if form.is_valid() and lines.is_valid():
            customer = form.cleaned_data["email"]
            province = form.cleaned_data["province"] or _last_province(customer)
            try:
                invoice = invoice_create(
                    customer=customer,
                    province=province,
                    lines=[
                        LineSpec(
                            kind="manual",
                            description=line.cleaned_data["description"],
                            quantity=line.cleaned_data["quantity"],
                            unit_price_cents=line.cleaned_data["price"],
                            taxable=line.cleaned_data["taxable"],
                        )
                        for line in lines
                        if line.has_changed()
                    ],
                    by=request.user,
                )
                if "issue" in request.POST:
                    invoice = invoice_issue(invoice=invoice, by=request.user)
            except ValidationError as error:
                form.add_error("province" if error.code == "province" else None, error)
            else:
                if invoice.number:
                    messages.success(
                        request,
                        _("Invoice %(number)s issued and emailed to %(email)s.")
                        % {"number": invoice.number, "email": invoice.bill_to_email},
                    )
                else:
                    messages.success(request, _("Draft saved: check it, then issue it."))
                return redirect("billing_admin_invoice", pk=invoice.pk)
    else:
        form, lines = InvoiceForm(), InvoiceLineFormSet()
    return TemplateResponse(
        request,
        "billing/admin/invoice_new.html",
        {
            "form": form,
            "lines": lines,
            "header_title": _("New invoice"),
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("billing_admin_invoices"), _("Invoices")), ("", _("New invoice"))
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


def _last_province(customer) -> str:
    """The province of the customer's last invoice: where they were taxed before."""
    return (
        Invoice.objects.filter(customer=customer)
        .order_by("-id")
        .values_list("province", flat=True)
        .first()
        or ""
    )


def _detail(
    request: HttpRequest,
    invoice: Invoice,
    *,
    payment_form: PaymentForm | None = None,
    void_form: VoidForm | None = None,
    refund_form: RefundForm | None = None,
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
            Prefetch("credit_notes", queryset=CreditNote.objects.select_related("created_by")),
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
    refundable = invoice.paid_cents() - invoice.credited_cents()
    can_refund = (
        invoice.status == Invoice.Status.PAID
        and refundable > 0
        and user.has_perm("billing.add_creditnote")
    )
    if can_refund and refund_form is None:
        refund_form = RefundForm(refundable_cents=refundable)
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
            "refund_form": refund_form if can_refund else None,
            "refundable_cents": refundable,
            "credited_cents": invoice.credited_cents(),
            "paid_out_form": PaidOutForm() if user.has_perm("billing.add_creditnote") else None,
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


@require_POST
@staff_permission_required("billing.add_creditnote")
def invoice_refund_view(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    refundable = invoice.paid_cents() - invoice.credited_cents()
    form = RefundForm(request.POST, refundable_cents=refundable)
    if form.is_valid():
        try:
            note = refund_issue(
                invoice=invoice,
                amount_cents=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if note.refund == CreditNote.Refund.OWED:
                message = _(
                    "Credit note %(number)s for %(amount)s emailed. Send the money by "
                    "e-Transfer or cheque, then record it below."
                )
            else:
                message = _("Credit note %(number)s for %(amount)s emailed; the card is refunded.")
            messages.success(
                request, message % {"number": note.number, "amount": note.amount_display}
            )
            return redirect("billing_admin_invoice", pk=invoice.pk)
    return _detail(request, invoice, refund_form=form)


@require_POST
@staff_permission_required("billing.add_creditnote")
def credit_note_paid_out_view(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(CreditNote, pk=pk)
    form = PaidOutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the money was sent back."))
        return redirect("billing_admin_invoice", pk=note.invoice_id)
    try:
        refund_mark_paid_out(
            note=note,
            method=form.cleaned_data["method"],
            reference=form.cleaned_data["reference"],
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Refund %(number)s recorded as sent.") % {"number": note.number}
        )
    return redirect("billing_admin_invoice", pk=note.invoice_id)


@require_POST
@staff_permission_required("billing.add_creditnote")
def credit_note_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a failed card refund again (the same idempotency key: never twice)."""
    from .stripe_checkout import card_refund_send

    note = get_object_or_404(CreditNote, pk=pk)
    payment = note.invoice.payments.filter(
        method=Payment.Method.STRIPE, amount_cents__gte=note.amount_cents
    ).first()
    if note.refund != CreditNote.Refund.CARD_FAILED or payment is None:
        messages.error(request, _("Only a failed card refund can be retried."))
    else:
        CreditNote.objects.filter(pk=note.pk).update(refund=CreditNote.Refund.CARD_PENDING)
        card_refund_send.enqueue(note.pk, payment.external_id)
        messages.success(request, _("Card refund %(number)s sent again.") % {"number": note.number})
    return redirect("billing_admin_invoice", pk=note.invoice_id)


@staff_permission_required("billing.view_invoice")
def stripe_event_index(request: HttpRequest) -> HttpResponse:
    """What Stripe told us, newest first: the place to look when a card payment went missing.
    Events not yet handled (a failure half-way) are shown first."""
    events = StripeEvent.objects.order_by(F("processed_at").asc(nulls_first=True), "-received_at")
    page = Paginator(events, INVOICES_PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "billing/admin/stripe_events.html",
        {
            "page_obj": page,
            "header_title": _("Stripe events"),
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("billing_admin_invoices"), _("Invoices")), ("", _("Stripe events"))
            ),
        },
    )
