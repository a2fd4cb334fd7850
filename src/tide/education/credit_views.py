"""A member's CE transcript (page and PDF), outside CE, certificates and their public check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from tide.association.models import AssociationSettings
from tide.lib.ratelimit import rate_limit_exceeded

from .credits import (
    certificate_token,
    credit_outside_add,
    registration_from_token,
    transcript_for,
)
from .forms import OutsideCreditForm
from .models import CreditEntry, Registration


def _num(value) -> str:
    return f"{value.normalize():f}"


@login_required
def transcript(request: HttpRequest) -> HttpResponse:
    data = transcript_for(request.user)
    attended = (
        Registration.objects.filter(user=request.user, attended_at__isnull=False)
        .select_related("event")
        .order_by("-attended_at")
    )
    response = TemplateResponse(
        request,
        "education/transcript.html",
        {"transcript": data, "attended": attended, "form": OutsideCreditForm()},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def credit_add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if rate_limit_exceeded("education-credit", str(request.user.pk), limit=20, seconds=3600):
            return HttpResponse(_("Too many uploads; try again later."), status=429)
        form = OutsideCreditForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                credit_outside_add(
                    user=request.user,
                    category=data["category"],
                    title=data["title"],
                    provider_name=data["provider_name"],
                    completed_on=data["completed_on"],
                    hours=data["hours"],
                    credits=data["credits"],
                    evidence=data["evidence"],
                )
            except ValidationError as error:
                form.add_error(
                    "evidence" if error.code in ("too_large", "wrong_type") else None, error
                )
            else:
                messages.success(request, _("Thank you. Staff will review it shortly."))
                return redirect("education:transcript")
        status = 400
    else:
        form = OutsideCreditForm()
        status = 200
    return TemplateResponse(request, "education/credit_add.html", {"form": form}, status=status)


@login_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence file: its owner and staff who review credits only."""
    entry = get_object_or_404(CreditEntry, pk=pk)
    if entry.user_id != request.user.pk and not request.user.has_perm(
        "education.change_creditentry"
    ):
        raise Http404
    if not entry.evidence:
        raise Http404
    response = FileResponse(
        entry.evidence.open("rb"),
        as_attachment=True,
        filename=entry.evidence.name.rsplit("/", 1)[-1],
    )
    response["Content-Type"] = entry.evidence_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _letterhead(request):
    from tide.billing.receipts import letterhead_for

    return letterhead_for(AssociationSettings.load(request_or_site=request))


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(
        Registration.objects.select_related("event", "event__provider", "event__credit_category"),
        pk=pk,
        user=request.user,
        attended_at__isnull=False,
    )
    from tide.lib.pdf import Document, pdf_response

    event = registration.event
    verify_url = request.build_absolute_uri(
        reverse("education:verify", args=[certificate_token(registration)])
    )
    name = request.user.get_full_name() or request.user.email
    doc = Document(letterhead=_letterhead(request), title=_("Certificate of completion"))
    doc.add_page()
    doc.title_block(_("Certificate of completion"), event.provider.name)
    doc.section_heading(_("This certifies that"))
    doc.set_font("Helvetica", "B", 18)
    doc.cell(0, 10, name, new_x="LMARGIN", new_y="NEXT")
    doc.section_heading(_("attended"))
    doc.set_font("Helvetica", "B", 14)
    doc.multi_cell(0, 7, event.title, new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    facts = [
        (_("Date"), [format_date(timezone.localtime(event.starts_at), "j F Y")]),
        (_("Attended"), [format_date(timezone.localtime(registration.attended_at), "j F Y")]),
    ]
    if event.ce_credits or event.ce_hours:
        facts.append(
            (
                _("CE"),
                [
                    _("%(credits)s credits, %(category)s")
                    % {"credits": _num(event.ce_credits), "category": event.credit_category or ""},
                    _("%(hours)s hours") % {"hours": _num(event.ce_hours)},
                ],
            )
        )
    doc.facts(facts)
    y = doc.get_y() + 4
    doc.qr_code(verify_url, x=doc.l_margin, y=y, size=32)
    doc.set_xy(doc.l_margin + 36, y + 10)
    doc.note(_("Scan the code or open %(url)s to verify this certificate.") % {"url": verify_url})
    return pdf_response(doc.render(), filename=f"certificate-{event.slug}.pdf")


def verify(request: HttpRequest, token: str) -> HttpResponse:
    registration = registration_from_token(token)
    association = AssociationSettings.load(request_or_site=request)
    if registration is None:
        response = TemplateResponse(
            request,
            "education/verify.html",
            {"registration": None, "association": association},
            status=404,
        )
    else:
        response = TemplateResponse(
            request,
            "education/verify.html",
            {
                "registration": registration,
                "event": registration.event,
                "name": registration.user.get_full_name() or _("A participant"),
                "association": association,
            },
        )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
def transcript_pdf(request: HttpRequest) -> HttpResponse:
    data = transcript_for(request.user)
    if data is None:
        raise Http404
    from tide.lib.pdf import Document, pdf_response

    name = request.user.get_full_name() or request.user.email
    doc = Document(
        letterhead=_letterhead(request), title=_("CE transcript — %(name)s") % {"name": name}
    )
    doc.add_page()
    doc.title_block(
        _("CE transcript"),
        _("%(name)s · %(rules)s") % {"name": name, "rules": data.rule_set.name},
    )
    doc.facts(
        [
            (
                _("Cycle"),
                [f"{format_date(data.starts_on, 'j M Y')} to {format_date(data.ends_on, 'j M Y')}"],
            ),
            (_("Required"), [_num(data.required)]),
            (_("Earned"), [_num(data.total)]),
            (_("Printed"), [format_date(timezone.localdate(), "j M Y")]),
        ]
    )
    if data.categories:
        doc.section_heading(_("By category"))
        doc.data_table(
            [_("Category"), _("Earned"), _("Minimum")],
            [[c.category.name, _num(c.earned), _num(c.minimum)] for c in data.categories],
            widths=(100, 40, 40),
            align=("LEFT", "RIGHT", "RIGHT"),
        )
    doc.section_heading(_("Activities"))
    rows = [
        [
            format_date(entry.completed_on, "j M Y"),
            entry.title,
            entry.category.name,
            _("Course") if entry.registration_id else _("Outside"),
            _num(credits),
        ]
        for entry, credits in data.entries
    ]
    if data.carried:
        rows.append(["", _("Carried over from the previous cycle"), "", "", _num(data.carried)])
    if rows:
        doc.data_table(
            [_("Date"), _("Activity"), _("Category"), _("Source"), _("Credits")],
            rows,
            widths=(28, 70, 35, 22, 20),
            align=("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"),
        )
    else:
        doc.note(_("No credits in this cycle yet."))
    return pdf_response(doc.render(), filename="ce-transcript.pdf")
