"""Back-office screens for importing existing members: upload, map the columns, check (every
row's problems), then import all or nothing."""

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

from .member_import import TARGETS, guess_mapping, member_import_check, member_import_commit
from .models import MemberImport

PERMISSION = "membership.change_application"
PROBLEMS_SHOWN = 200


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Members (CSV)"),
        help_text=gettext_lazy(
            "Exported from your old system: one row per member with email, level, the current "
            "period's start and end dates (YYYY-MM-DD) and province. Up to 20 MB."
        ),
    )


class MappingForm(forms.Form):
    def __init__(self, *args, headers: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(not in the file)")), *[(h, h) for h in headers if h]]
        for key, label, required in TARGETS:
            self.fields[key] = forms.ChoiceField(label=label, choices=choices, required=required)


@staff_permission_required(PERMISSION)
def member_import_index(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = csv_decode(upload.read(MAX_UPLOAD_BYTES + 1))
            headers = csv_headers(text)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            draft = MemberImport.objects.create(
                file_name=upload.name[:200],
                csv_text=text,
                mapping=guess_mapping(headers),
                created_by=request.user,
            )
            return redirect("membership_admin_member_import", pk=draft.pk)
    return TemplateResponse(
        request,
        "membership/admin/member_import_index.html",
        {
            "form": form,
            "imports": MemberImport.objects.filter(
                status=MemberImport.Status.COMMITTED
            ).select_related("created_by")[:50],
            "header_title": _("Import members"),
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("membership_admin_members"), _("Members")), ("", _("Import members"))
            ),
        },
    )


@staff_permission_required(PERMISSION)
def member_import_map(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(MemberImport, pk=pk, status=MemberImport.Status.DRAFT)
    headers = csv_headers(draft.csv_text)
    form = MappingForm(request.POST or None, headers=headers, initial=draft.mapping)
    check = None
    if request.method == "POST" and form.is_valid():
        draft.mapping = {key: column for key, column in form.cleaned_data.items() if column}
        draft.save(update_fields=["mapping"])
        try:
            if request.POST.get("action") == "commit":
                draft = member_import_commit(draft=draft, by=request.user)
                messages.success(
                    request,
                    _("%(count)s members imported from %(file)s.")
                    % {"count": draft.rows_imported, "file": draft.file_name},
                )
                return redirect("membership_admin_members")
            check = member_import_check(draft)
        except ValidationError as error:
            form.add_error(None, error)
            check = None
    return TemplateResponse(
        request,
        "membership/admin/member_import_map.html",
        {
            "draft": draft,
            "form": form,
            "check": check,
            "problems": check.problems[:PROBLEMS_SHOWN] if check else [],
            "header_title": _("Check %(file)s") % {"file": draft.file_name},
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("membership_admin_member_imports"), _("Import members")),
                ("", draft.file_name),
            ),
        },
    )
