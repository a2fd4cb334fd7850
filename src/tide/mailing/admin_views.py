from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from tide.lib.backoffice import admin_breadcrumbs

from .outbox import sent_emails, uses_email_folder


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
