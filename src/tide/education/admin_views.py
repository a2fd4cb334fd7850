"""The back office: registrations and waitlist per event, check-in, revenue, CSV exports,
and the queue of outside CE awaiting approval."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tide.billing.models import Invoice
from tide.lib.backoffice import admin_breadcrumbs, staff_permission_required
from tide.lib.csvexport import csv_response
from tide.lib.money import format_cad

from .credits import credit_review
from .forms import ReasonForm, TicketCodeForm
from .models import CreditEntry, Event, Registration
from .services import (
    registration_cancel,
    registration_check_in,
    registration_check_in_undo,
)

MANAGE = "education.manage_registrations"
REVIEW = "education.change_creditentry"
EVENTS_PER_PAGE = 30
Status = Registration.Status


@staff_permission_required(MANAGE)
def event_list(request: HttpRequest) -> HttpResponse:
    when = request.GET.get("when", "upcoming")
    now = timezone.now()
    events = Event.objects.select_related("provider").annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED)),
        waiting=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
        attended=Count("registrations", filter=Q(registrations__attended_at__isnull=False)),
    )
    if when == "past":
        events = events.filter(ends_at__lt=now).order_by("-starts_at")
    else:
        when = "upcoming"
        events = events.filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True)).order_by("starts_at")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "education/admin/event_list.html",
        {
            "page_obj": page,
            "when": when,
            "header_title": _("Registrations"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("Registrations"))),
        },
    )


def _revenue(event: Event) -> dict:
    numbers = list(
        Registration.objects.filter(event=event)
        .exclude(invoice_number="")
        .values_list("invoice_number", flat=True)
    )
    invoices = list(
        Invoice.objects.filter(number__in=numbers, status=Invoice.Status.PAID).prefetch_related(
            "credit_notes"
        )
    )
    return {
        "paid": format_cad(sum(invoice.total_cents for invoice in invoices)),
        "refunded": format_cad(sum(invoice.credited_cents() for invoice in invoices)),
        "count": len(invoices),
    }


@staff_permission_required(MANAGE)
def event_registrations(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("provider"), pk=pk)
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("user")
        .order_by("status", "created_at", "id")
    )
    groups = {status: [] for status in Status.values}
    for registration in registrations:
        groups[registration.status].append(registration)
    return TemplateResponse(
        request,
        "education/admin/event_registrations.html",
        {
            "event": event,
            "confirmed": groups[Status.CONFIRMED],
            "held": groups[Status.AWAITING_PAYMENT] + groups[Status.OFFERED],
            "waitlist": groups[Status.WAITLISTED],
            "closed": groups[Status.CANCELLED] + groups[Status.EXPIRED],
            "revenue": _revenue(event),
            "code_form": TicketCodeForm(),
            "header_title": event.title,
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("education_admin_events"), _("Registrations")), ("", event.title)
            ),
        },
    )


@require_POST
@staff_permission_required(MANAGE)
def check_in_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff type or scan a ticket code at the door."""
    event = get_object_or_404(Event, pk=pk)
    form = TicketCodeForm(request.POST)
    code = form.data.get("code", "").strip().upper().replace(" ", "").replace("-", "")
    registration = Registration.objects.filter(event=event, ticket_code=code).first()
    if registration is None:
        messages.error(request, _("No ticket %(code)s for this event.") % {"code": code[:20]})
    else:
        _check_in(request, registration)
    return redirect("education_admin_event", pk=event.pk)


def _check_in(request: HttpRequest, registration: Registration) -> None:
    try:
        registration = registration_check_in(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is checked in.")
            % {"name": registration.user.get_full_name() or registration.user.email},
        )


@require_POST
@staff_permission_required(MANAGE)
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(Registration, pk=pk)
    if request.POST.get("undo") == "1":
        registration_check_in_undo(registration=registration, by=request.user)
        messages.success(request, _("Check-in undone."))
    else:
        _check_in(request, registration)
    return redirect("education_admin_event", pk=registration.event_id)


@require_POST
@staff_permission_required(MANAGE)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(Registration, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for cancelling."))
    else:
        try:
            registration_cancel(
                registration=registration, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Registration cancelled."))
    return redirect("education_admin_event", pk=registration.event_id)


@staff_permission_required(MANAGE)
def export(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    registrations = (
        Registration.objects.filter(event=event).select_related("user").order_by("created_at")
    )

    def rows():
        yield [
            _("Name"),
            _("Email"),
            _("Status"),
            _("Price"),
            _("Amount"),
            _("Invoice"),
            _("Ticket"),
            _("Registered"),
            _("Attended"),
        ]
        for r in registrations.iterator():
            yield [
                r.user.get_full_name(),
                r.user.email,
                r.get_status_display(),
                r.get_audience_display(),
                format_cad(r.price_cents),
                r.invoice_number,
                r.ticket_code,
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(r.attended_at).strftime("%Y-%m-%d %H:%M")
                if r.attended_at
                else "",
            ]

    return csv_response(rows(), filename=f"registrations-{event.slug}.csv")


@staff_permission_required(REVIEW)
def credit_queue(request: HttpRequest) -> HttpResponse:
    entries = (
        CreditEntry.objects.filter(status=CreditEntry.Status.PENDING)
        .select_related("user", "category")
        .order_by("created_at", "id")
    )
    page = Paginator(entries, 30).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "education/admin/credit_queue.html",
        {
            "page_obj": page,
            "form": ReasonForm(),
            "header_title": _("CE to approve"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("CE to approve"))),
        },
    )


@require_POST
@staff_permission_required(REVIEW)
def credit_decide(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(CreditEntry, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        credit_review(
            entry=entry, by=request.user, approve=approve, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Approved.") if approve else _("Rejected."))
    return redirect("education_admin_credits")
