"""Back-office screens for the colleges' registers: the imports so far, an upload, then the
column mapping with a dry run before anything is replaced."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tide.lib.backoffice import admin_breadcrumbs, staff_permission_required
from tide.lib.csvimport import MAX_UPLOAD_BYTES, csv_decode, csv_headers

from .models import Application, RegisterImport
from .register import register_commit, register_matches, register_rows

PERMISSION = "membership.change_application"


class UploadForm(forms.Form):
    college = forms.CharField(
        label=gettext_lazy("Regulatory college"),
        max_length=200,
        help_text=gettext_lazy("As members name it on their applications."),
        widget=forms.TextInput(attrs={"list": "colleges", "autocomplete": "off"}),
    )
    file = forms.FileField(
        label=gettext_lazy("Register (CSV)"),
        help_text=gettext_lazy("The college's public register, exported as CSV. Up to 20 MB."),
    )


class MappingForm(forms.Form):
    number_column = forms.ChoiceField(label=gettext_lazy("Registration number"))
    name_column = forms.ChoiceField(label=gettext_lazy("Name"))
    status_column = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        help_text=gettext_lazy("Leave empty if the file lists only active registrants."),
    )
    active_values = forms.CharField(
        label=gettext_lazy("Statuses that mean active"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Separated by commas, e.g. “Active, Practising”."),
    )

    def __init__(self, *args, headers: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(header, header) for header in headers if header]
        self.fields["number_column"].choices = choices
        self.fields["name_column"].choices = choices
        self.fields["status_column"].choices = [("", _("(none)")), *choices]


def _guess(headers: list[str], *words: str) -> str:
    for header in headers:
        if any(word in header.casefold() for word in words):
            return header
    return ""


def _college_names() -> list[str]:
    return sorted(
        set(Application.objects.exclude(college="").values_list("college", flat=True).distinct())
    )


@staff_permission_required(PERMISSION)
def register_index(request: HttpRequest) -> HttpResponse:
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = csv_decode(upload.read(MAX_UPLOAD_BYTES + 1))
                csv_headers(text)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                draft = RegisterImport.objects.create(
                    college=form.cleaned_data["college"].strip(),
                    file_name=upload.name[:200],
                    csv_text=text,
                    created_by=request.user,
                )
                return redirect("membership_admin_register_map", pk=draft.pk)
    return TemplateResponse(
        request,
        "membership/admin/register_index.html",
        {
            "form": form,
            "imports": RegisterImport.objects.filter(
                status=RegisterImport.Status.COMMITTED
            ).select_related("created_by")[:50],
            "colleges": _college_names(),
            "header_title": _("College registers"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("College registers"))),
        },
    )


def _dry_run(draft: RegisterImport) -> dict:
    """What committing would do: the rows read and the applications and members it verifies."""
    rows = register_rows(draft)
    matches = register_matches(rows, draft.college)
    return {
        "rows": len(rows),
        "active": len({row.number for row in rows if row.active}),
        "verifies": matches.verifies,
        "mismatched": matches.mismatched,
        "sample": rows[:5],
    }


@staff_permission_required(PERMISSION)
def register_map(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(RegisterImport, pk=pk, status=RegisterImport.Status.DRAFT)
    headers = csv_headers(draft.csv_text)
    initial = {
        "number_column": draft.number_column or _guess(headers, "number", "registration", "reg"),
        "name_column": draft.name_column or _guess(headers, "name"),
        "status_column": draft.status_column or _guess(headers, "status"),
        "active_values": draft.active_values,
    }
    form = MappingForm(request.POST or None, headers=headers, initial=initial)
    dry_run = None
    if request.method == "POST" and form.is_valid():
        for field, value in form.cleaned_data.items():
            setattr(draft, field, value.strip())
        draft.save()
        try:
            if request.POST.get("action") == "commit":
                draft = register_commit(draft=draft, by=request.user)
                messages.success(
                    request,
                    _(
                        "%(college)s register imported: %(rows)s registrants; "
                        "%(verified)s applications and members verified."
                    )
                    % {
                        "college": draft.college,
                        "rows": draft.rows_total,
                        "verified": draft.verified_count,
                    },
                )
                return redirect("membership_admin_registers")
            dry_run = _dry_run(draft)
        except ValidationError as error:
            form.add_error(None, error)
    return TemplateResponse(
        request,
        "membership/admin/register_map.html",
        {
            "draft": draft,
            "form": form,
            "dry_run": dry_run,
            "header_title": _("Map the columns of %(file)s") % {"file": draft.file_name},
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("membership_admin_registers"), _("College registers")),
                ("", draft.file_name),
            ),
        },
    )
