"""The back office: the applications queue, one application with its decision buttons, and
the members list."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.models import ModelLogEntry

from tide.accounts.models import User
from tide.billing.models import Invoice
from tide.lib.backoffice import admin_breadcrumbs, staff_permission_required
from tide.lib.canada import PROVINCES
from tide.lib.csvexport import csv_response
from tide.mailing.models import SentEmail

from .forms import MessageForm, ReasonForm, StaffDetailsForm
from .models import (
    Application,
    MemberNote,
    MembershipLevel,
    MembershipPeriod,
    MembershipSettings,
    MemberStatus,
    MemberSummary,
    membership_status,
    status_from,
)
from .services import (
    application_approve,
    application_reject,
    application_request_info,
    member_details_update,
    membership_end_early,
    membership_reinstate,
)

APPLICATIONS_PER_PAGE = 30
MEMBERS_PER_PAGE = 50
TABS = [
    (Application.Status.AWAITING_REVIEW, gettext_lazy("Awaiting review")),
    (Application.Status.INFO_REQUESTED, gettext_lazy("Information requested")),
    (Application.Status.AWAITING_PAYMENT, gettext_lazy("Awaiting payment")),
    (Application.Status.APPROVED, gettext_lazy("Approved")),
    (Application.Status.REJECTED, gettext_lazy("Rejected")),
]


@staff_permission_required("membership.change_application")
def application_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Application.Status.AWAITING_REVIEW)
    if status not in Application.Status.values:
        status = Application.Status.AWAITING_REVIEW
    applications = Application.objects.filter(status=status).select_related("user", "level")
    if status in Application.OPEN_STATUSES:
        applications = applications.order_by("created_at", "id")  # oldest first
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("p"))
    counts = dict(
        Application.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return TemplateResponse(
        request,
        "membership/admin/application_queue.html",
        {
            "page_obj": page,
            "status": status,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in TABS],
            "header_title": _("Applications"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("Applications"))),
        },
    )


def _detail(
    request: HttpRequest,
    application: Application,
    *,
    reason_form: ReasonForm | None = None,
    message_form: MessageForm | None = None,
) -> HttpResponse:
    invoice = (
        Invoice.objects.filter(number=application.invoice_number).first()
        if application.invoice_number
        else None
    )
    can_decide = application.status == Application.Status.AWAITING_REVIEW
    can_reject = application.status in (
        Application.Status.AWAITING_REVIEW,
        Application.Status.INFO_REQUESTED,
    )
    history = (
        ModelLogEntry.objects.for_instance(application)
        .select_related("user")
        .order_by("-timestamp")
    )
    status = 200 if reason_form is None and message_form is None else 400
    return TemplateResponse(
        request,
        "membership/admin/application_detail.html",
        {
            "application": application,
            "invoice": invoice,
            "can_see_invoice": request.user.has_perm("billing.view_invoice"),
            "can_decide": can_decide,
            "can_reject": can_reject,
            "reason_form": reason_form or ReasonForm(),
            "message_form": message_form or MessageForm(),
            "history": history,
            "periods": application.periods.select_related("level"),
            "header_title": str(application),
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("membership_admin_applications"), _("Applications")),
                ("", str(application)),
            ),
        },
        status=status,
    )


def _get(pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("user", "level", "decided_by"), pk=pk
    )


@staff_permission_required("membership.change_application")
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(pk))


def _after(
    request: HttpRequest, application: Application, error: ValidationError | None, text: str
):
    if error is not None:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, text)
    return redirect("membership_admin_application", pk=application.pk)


@require_POST
@staff_permission_required("membership.change_application")
def application_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get(pk)
    try:
        period = application_approve(application=application, by=request.user)
    except ValidationError as error:
        return _after(request, application, error, "")
    return _after(
        request,
        application,
        None,
        _("%(name)s is now a member until %(date)s. They have been emailed.")
        % {"name": application.legal_name, "date": date_format(period.ends_on, "j F Y")},
    )


@require_POST
@staff_permission_required("membership.change_application")
def application_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get(pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _detail(request, application, reason_form=form)
    try:
        application_reject(
            application=application, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        return _after(request, application, error, "")
    return _after(
        request,
        application,
        None,
        _("Application from %(name)s rejected. They have been emailed the reason.")
        % {"name": application.legal_name},
    )


@require_POST
@staff_permission_required("membership.change_application")
def application_request_info_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get(pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _detail(request, application, message_form=form)
    try:
        application_request_info(
            application=application, by=request.user, message=form.cleaned_data["message"]
        )
    except ValidationError as error:
        return _after(request, application, error, "")
    return _after(
        request,
        application,
        None,
        _("%(name)s has been emailed your request for information.")
        % {"name": application.legal_name},
    )


MEMBER_FILTERS = [
    ("", gettext_lazy("All")),
    (MemberStatus.ACTIVE, gettext_lazy("Active")),
    (MemberStatus.IN_GRACE, gettext_lazy("In grace period")),
    (MemberStatus.LAPSED, gettext_lazy("Lapsed")),
    (MemberStatus.SUSPENDED, gettext_lazy("Suspended")),
    (MemberStatus.RESIGNED, gettext_lazy("Resigned")),
]


EXPIRING_CHOICES = (30, 60, 90)
PROVINCE_CODES = {code for code, _name in PROVINCES}


@dataclass(frozen=True)
class MemberFilters:
    """What the members list and its CSV are narrowed to, read from the query string (anything
    unknown is ignored, never an error)."""

    status: str = ""
    level: str = ""
    province: str = ""
    expiring: int = 0  # active members whose period ends within this many days
    query: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> MemberFilters:
        get = request.GET
        status = get.get("status", "")
        expiring = get.get("expiring", "")
        return cls(
            status=status if status in MemberStatus.values and status != "applicant" else "",
            level=get.get("level", "")[:100],
            province=get.get("province", "") if get.get("province") in PROVINCE_CODES else "",
            expiring=int(expiring) if expiring in {str(d) for d in EXPIRING_CHOICES} else 0,
            query=get.get("q", "").strip()[:100],
        )


def _members(filters: MemberFilters, today: date, grace_days: int):
    """Everyone who has ever held a membership, with their latest level, province and dates,
    narrowed by `filters` on the summary's columns: one query whatever the number of members."""
    members = MemberSummary.objects.select_related("user", "level").order_by(
        "user__last_name", "user__first_name", "user__email"
    )
    if filters.level:
        members = members.filter(level__slug=filters.level)
    if filters.province:
        members = members.filter(province=filters.province)
    for word in filters.query.split()[:5]:  # "jane smith": every word matches some field
        members = members.filter(
            Q(user__email__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
        )
    not_ended_early = Q(ended_early_on__isnull=True) | Q(ended_early_on__gt=today)
    active = Q(standing_since__lte=today, ends_on__gte=today) & not_ended_early
    if filters.expiring:
        members = members.filter(active, ends_on__lte=today + timedelta(days=filters.expiring))
    grace_starts = today - timedelta(days=grace_days)
    status = filters.status
    if status == MemberStatus.ACTIVE:
        return members.filter(active)
    if status in (MemberStatus.SUSPENDED, MemberStatus.RESIGNED):
        return members.filter(ended_early_on__lte=today, end_reason=status)
    if status == MemberStatus.IN_GRACE:
        return members.filter(not_ended_early, ends_on__lt=today, ends_on__gte=grace_starts)
    if status == MemberStatus.LAPSED:
        return members.filter(not_ended_early, ends_on__lt=grace_starts)
    return members


def _status(summary: MemberSummary, today: date, grace_days: int) -> str:
    ended_early = bool(summary.ended_early_on and summary.ended_early_on <= today)
    return status_from(
        summary.ends_on,
        current=summary.standing_since <= today <= summary.ends_on and not ended_early,
        today=today,
        grace_days=grace_days,
        ended_early=summary.end_reason if ended_early else "",
    )


@staff_permission_required("membership.view_membershipperiod")
def member_list(request: HttpRequest) -> HttpResponse:
    """The members list: three queries whatever the number of members (the count, the page
    and the settings)."""
    today = timezone.localdate()
    grace_days = MembershipSettings.load().grace_days
    filters = MemberFilters.from_request(request)
    members = _members(filters, today, grace_days)
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("p"))
    rows = [
        {
            "user": summary.user,
            "level": summary.level.name,
            "ends_on": summary.ends_on,
            "status": _status(summary, today, grace_days),
        }
        for summary in page
    ]
    return TemplateResponse(
        request,
        "membership/admin/member_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "status": filters.status,
            "filters": MEMBER_FILTERS,
            "selected": filters,
            "levels": MembershipLevel.objects.order_by("sort_order", "name"),
            "provinces": PROVINCES,
            "expiring_choices": EXPIRING_CHOICES,
            "header_title": _("Members"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("Members"))),
        },
    )


@staff_permission_required("membership.view_membershipperiod")
def member_export(request: HttpRequest) -> StreamingHttpResponse:
    """The members list (with its status filter) as CSV, streamed in chunks."""
    today = timezone.localdate()
    grace_days = MembershipSettings.load().grace_days
    members = _members(MemberFilters.from_request(request), today, grace_days)
    header = [
        _("Last name"),
        _("First name"),
        _("Email"),
        _("Level"),
        _("Province"),
        _("Status"),
        _("Ends on"),
    ]
    rows = (
        [
            summary.user.last_name,
            summary.user.first_name,
            summary.user.email,
            summary.level.name,
            summary.province,
            _status(summary, today, grace_days),
            summary.ends_on.isoformat(),
        ]
        for summary in members.iterator(chunk_size=2000)
    )
    return csv_response(
        itertools.chain([header], rows), filename=f"members-{today.isoformat()}.csv"
    )


@staff_permission_required("membership.view_membershipperiod")
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One member: details, every period, invoices and what happened, with the standing
    actions (suspend, record a resignation, reinstate) for membership officers."""
    member = get_object_or_404(
        User.objects.filter(membership_periods__isnull=False).distinct(), pk=pk
    )
    today = timezone.localdate()
    applications = list(
        Application.objects.filter(user=member).select_related("level", "decided_by")
    )
    periods = list(MembershipPeriod.objects.filter(user=member).select_related("level"))
    history = (
        ModelLogEntry.objects.filter(
            Q(content_type__model="application", object_id__in=[str(a.pk) for a in applications])
            | Q(content_type__model="membershipperiod", object_id__in=[str(p.pk) for p in periods])
        )
        .select_related("user")
        .order_by("-timestamp")[:50]
    )
    status = membership_status(member, today)
    return TemplateResponse(
        request,
        "membership/admin/member_detail.html",
        {
            "member": member,
            "status": status,
            "application": next((a for a in applications if a.status == "approved"), None)
            or (applications[0] if applications else None),
            "periods": periods,
            "invoices": Invoice.objects.filter(customer=member).exclude(status="draft"),
            "history": history,
            "notes": MemberNote.objects.filter(member=member).select_related("written_by"),
            "emails": SentEmail.objects.filter(to=member.email)[:30],
            "can_act": request.user.has_perm("membership.change_application"),
            "statuses": MemberStatus,
            "header_title": member.get_full_name() or member.email,
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("membership_admin_members"), _("Members")),
                ("", member.get_full_name() or member.email),
            ),
        },
    )


@require_POST
@staff_permission_required("membership.change_application")
def member_standing(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend, record a resignation or reinstate (the `action` field says which)."""
    member = get_object_or_404(User, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action in ("suspended", "resigned"):
            membership_end_early(
                user=member,
                reason=action,
                note=request.POST.get("note", "")[:1000],
                by=request.user,
            )
            message = (
                _("Membership suspended; the member was emailed.")
                if action == "suspended"
                else _("Resignation recorded; the member was emailed.")
            )
        elif action == "reinstate":
            membership_reinstate(user=member, by=request.user)
            message = _("Membership reinstated; the member was emailed.")
        else:
            raise ValidationError(_("Choose an action."), code="action")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    return redirect("membership_admin_member", pk=member.pk)


@staff_permission_required("membership.change_application")
def member_details_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A membership officer corrects a member's details: a move to another province or
    college, a new registration number, a legal name change."""
    member = get_object_or_404(User, pk=pk)
    application = (
        Application.objects.filter(user=member, status=Application.Status.APPROVED)
        .order_by("-decided_at", "-id")
        .first()
    )
    if application is None:
        raise Http404
    form = StaffDetailsForm(request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        try:
            member_details_update(
                user=member,
                data=form.cleaned_data,
                by=request.user,
                fields=Application.STAFF_DETAILS_FIELDS,
            )
        except ValidationError as error:
            held = getattr(error, "code", "") == "registration_held"
            form.add_error("registration_number" if held else None, error)
        else:
            messages.success(request, _("Details saved."))
            return redirect("membership_admin_member", pk=member.pk)
    name = member.get_full_name() or member.email
    return TemplateResponse(
        request,
        "membership/admin/member_details_edit.html",
        {
            "form": form,
            "member": member,
            "header_title": _("Edit details"),
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("membership_admin_members"), _("Members")),
                (reverse("membership_admin_member", args=[member.pk]), name),
                ("", _("Edit details")),
            ),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@staff_permission_required("membership.change_application")
def member_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    text = request.POST.get("text", "").strip()
    if not text:
        messages.error(request, _("Write the note first."))
    elif len(text) > 2000:
        messages.error(request, _("Keep a note under 2,000 characters."))
    else:
        MemberNote.objects.create(member=member, text=text, written_by=request.user)
        messages.success(request, _("Note added."))
    return redirect("membership_admin_member", pk=member.pk)
