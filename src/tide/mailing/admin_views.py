from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from tide.lib.backoffice import admin_breadcrumbs, staff_permission_required
from tide.lib.csvexport import csv_response

from .importing import (
    MAX_BYTES,
    contact_import_again,
    contact_import_progress,
    contact_import_queue,
)
from .models import Broadcast, Consent, Contact, ContactImport, MailingList
from .outbox import sent_emails, uses_email_folder
from .rendering import broadcast_render
from .segments import segment_filter, segment_label
from .sending import (
    broadcast_pause,
    broadcast_progress,
    broadcast_recipients,
    broadcast_resume,
    broadcast_send_test,
    broadcast_start,
)


def _superuser_only(request: HttpRequest) -> None:
    # Sent mail holds everyone's password-reset and verification links.
    if not request.user.is_superuser:
        raise PermissionDenied


def sent_email_list(request: HttpRequest) -> HttpResponse:
    _superuser_only(request)
    return TemplateResponse(
        request,
        "mailing/admin/sent_email_list.html",
        {
            "messages_sent": sent_emails(),
            "uses_email_folder": uses_email_folder(),
            "header_title": _("Sent email"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("Sent email"))),
        },
    )


def sent_email_detail(request: HttpRequest, id: str) -> HttpResponse:
    _superuser_only(request)
    message = next((m for m in sent_emails() if m.id == id), None)
    if message is None:
        raise Http404(_("No such email."))
    return TemplateResponse(
        request,
        "mailing/admin/sent_email_detail.html",
        {
            "message": message,
            "header_title": message.subject,
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("mailing_sent_email"), _("Sent email")), ("", message.subject)
            ),
        },
    )


# --- Broadcasts ---------------------------------------------------------------------------


def _broadcast(pk: int) -> Broadcast:
    return get_object_or_404(Broadcast.objects.select_related("mailing_list", "created_by"), pk=pk)


@staff_permission_required("mailing.change_broadcast")
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(pk)
    recipients = (
        broadcast_recipients(broadcast).count()
        if broadcast.status == Broadcast.Status.DRAFT
        else None
    )
    return TemplateResponse(
        request,
        "mailing/admin/broadcast_detail.html",
        {
            "broadcast": broadcast,
            "recipients": recipients,
            "segment": segment_label(broadcast.segment) if broadcast.segment else "",
            "progress": broadcast_progress(broadcast),
            "header_title": broadcast.subject,
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("wagtailsnippets_mailing_broadcast:list"), _("Broadcasts")),
                ("", broadcast.subject),
            ),
        },
    )


@staff_permission_required("mailing.change_broadcast")
def broadcast_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The live progress panel, polled by htmx while the broadcast is sending."""
    broadcast = _broadcast(pk)
    return TemplateResponse(
        request,
        "mailing/admin/_broadcast_progress.html",
        {"broadcast": broadcast, "progress": broadcast_progress(broadcast)},
    )


@xframe_options_sameorigin
@staff_permission_required("mailing.change_broadcast")
def broadcast_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTML part as the staff member would get it (shown in desktop and phone frames)."""
    broadcast = _broadcast(pk)
    contact = Contact(
        pk=0,
        email=request.user.email,
        first_name=getattr(request.user, "first_name", ""),
        user=request.user,
    )
    rendered = broadcast_render(broadcast)
    rendered.load_fields([contact])
    message = rendered.message(contact)
    html = message.alternatives[0][0]
    response = HttpResponse(html)
    # The email's own <style> block needs inline styles; nothing in it runs scripts.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src *"
    return response


@require_POST
@staff_permission_required("mailing.change_broadcast")
def broadcast_test_send(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast(pk)
    broadcast_send_test(broadcast=broadcast, to=request.user)
    messages.success(
        request, _("A test copy is on its way to %(email)s.") % {"email": request.user.email}
    )
    return redirect("mailing_admin_broadcast", pk=pk)


def _act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    broadcast = _broadcast(pk)
    try:
        action(broadcast=broadcast, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("mailing_admin_broadcast", pk=pk)


@require_http_methods(["GET", "POST"])
@staff_permission_required("mailing.change_broadcast")
def broadcast_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Send now" first shows what is about to happen (subject, list, how many people);
    only the POST from that page, which says it was confirmed, starts sending."""
    broadcast = _broadcast(pk)
    if broadcast.status != Broadcast.Status.DRAFT:
        messages.error(request, _("This broadcast has already been sent or started."))
        return redirect("mailing_admin_broadcast", pk=pk)
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        return _act(request, pk, broadcast_start, _("Sending has started."))
    return TemplateResponse(
        request,
        "mailing/admin/broadcast_confirm.html",
        {
            "broadcast": broadcast,
            "recipients": broadcast_recipients(broadcast).count(),
            "segment": segment_label(broadcast.segment) if broadcast.segment else "",
            "header_title": _("Send “%(subject)s”?") % {"subject": broadcast.subject},
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("wagtailsnippets_mailing_broadcast:list"), _("Broadcasts")),
                (reverse("mailing_admin_broadcast", args=[pk]), broadcast.subject),
                ("", _("Send")),
            ),
        },
    )


@require_POST
@staff_permission_required("mailing.change_broadcast")
def broadcast_pause_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, broadcast_pause, _("Paused after the batch in progress."))


@require_POST
@staff_permission_required("mailing.change_broadcast")
def broadcast_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, broadcast_resume, _("Sending again."))


# --- Import and export --------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file or Mailchimp export ZIP"),
        help_text=_(
            "Columns: email (required), first_name, last_name, status (subscribed, "
            "unsubscribed, cleaned), optin_time, optin_ip. Mailchimp's column names work too."
        ),
    )
    mailing_list = forms.ModelChoiceField(queryset=MailingList.objects.all(), label=_("Into list"))
    wording = forms.CharField(
        label=_("What these people agreed to"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with each imported consent as evidence."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show the report, import nothing"),
        required=False,
        initial=True,
    )


@staff_permission_required("mailing.add_contact")
def contact_import(request: HttpRequest) -> HttpResponse:
    """Upload a file; it is checked or imported in the background (its page shows progress)."""
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_BYTES:
                    raise ValidationError(
                        _("The file is larger than 50 MB; use the import command.")
                    )
                job = contact_import_queue(
                    data=upload.read(),
                    file_name=upload.name,
                    mailing_list=form.cleaned_data["mailing_list"],
                    wording=form.cleaned_data["wording"],
                    dry_run=form.cleaned_data["dry_run"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error("file", error)
                status = 400
            else:
                return redirect("mailing_admin_import_detail", pk=job.pk)
        else:
            status = 400
    else:
        form = ImportForm()
    return TemplateResponse(
        request,
        "mailing/admin/import.html",
        {
            "form": form,
            "imports": ContactImport.objects.select_related("mailing_list").defer("data")[:10],
            "header_title": _("Import contacts"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("Import contacts"))),
        },
        status=status,
    )


def _import_job(pk: int) -> ContactImport:
    return get_object_or_404(
        ContactImport.objects.select_related("mailing_list").defer("data"), pk=pk
    )


def _import_context(job: ContactImport) -> dict:
    counts = job.report.get("counts", {})
    return {
        "job": job,
        "percent": contact_import_progress(job),
        "counts": counts,
        "problems": job.report.get("problems", []),
        "problems_not_listed": counts.get("problems", 0) - len(job.report.get("problems", [])),
        "problems_removed": job.report.get("problems_removed", False),
        "can_import": job.dry_run
        and job.status == ContactImport.Status.DONE
        and ContactImport.objects.filter(pk=job.pk).exclude(data=b"").exists(),
    }


@staff_permission_required("mailing.add_contact")
def contact_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _import_job(pk)
    title = _("Dry run: %(file)s") if job.dry_run else _("Import: %(file)s")
    return TemplateResponse(
        request,
        "mailing/admin/import_detail.html",
        {
            **_import_context(job),
            "header_title": title % {"file": job.file_name},
            "breadcrumbs_items": admin_breadcrumbs(
                (reverse("mailing_admin_import"), _("Import contacts")), ("", job.file_name)
            ),
        },
    )


@staff_permission_required("mailing.add_contact")
def contact_import_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel, polled by htmx while the import runs."""
    return TemplateResponse(
        request, "mailing/admin/_import_progress.html", _import_context(_import_job(pk))
    )


@require_POST
@staff_permission_required("mailing.add_contact")
def contact_import_again_view(request: HttpRequest, pk: int) -> HttpResponse:
    """After a dry run, import the same file for real."""
    job = get_object_or_404(ContactImport.objects.select_related("mailing_list"), pk=pk)
    try:
        again = contact_import_again(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("mailing_admin_import_detail", pk=pk)
    return redirect("mailing_admin_import_detail", pk=again.pk)


@staff_permission_required("mailing.view_contact")
def list_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Everyone who may be sent the list now (optionally one segment), with their consent."""
    mailing_list = get_object_or_404(MailingList, pk=pk)
    contacts = Contact.objects.sendable(mailing_list)
    segment = request.GET.get("segment", "")
    if segment:
        contacts = contacts.filter(segment_filter(segment))
    consents = Consent.objects.filter(
        mailing_list=mailing_list, withdrawn_at__isnull=True
    ).order_by("contact_id", "-given_at")

    def rows():
        yield [
            "email",
            "first_name",
            "last_name",
            "consent",
            "source",
            "given_at",
            "ip",
            "expires_at",
        ]
        latest = {}
        for consent in consents.iterator(chunk_size=2000):
            latest.setdefault(consent.contact_id, consent)
        for contact in contacts.order_by("email").iterator(chunk_size=2000):
            consent = latest.get(contact.pk)
            yield [
                contact.email,
                contact.first_name,
                contact.last_name,
                consent.kind if consent else "",
                consent.source if consent else "",
                consent.given_at.isoformat() if consent else "",
                (consent.ip_address or "") if consent else "",
                consent.expires_at.isoformat() if consent and consent.expires_at else "",
            ]

    name = f"{mailing_list.slug}{'-' + segment if segment else ''}.csv"
    return csv_response(rows(), filename=name)
