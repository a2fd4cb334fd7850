"""Account closure requests in the back office: who asked, and the button that closes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tide.lib.backoffice import admin_breadcrumbs, staff_permission_required

from .models import AccountClosureRequest
from .personal_data import account_close

PERMISSION = "accounts.change_accountclosurerequest"


@staff_permission_required(PERMISSION)
def closure_queue(request: HttpRequest) -> HttpResponse:
    requests = AccountClosureRequest.objects.select_related("user", "handled_by")
    return TemplateResponse(
        request,
        "accounts/admin/closure_queue.html",
        {
            "waiting": requests.filter(status=AccountClosureRequest.Status.OPEN),
            "handled": requests.exclude(status=AccountClosureRequest.Status.OPEN)[:50],
            "header_title": _("Account closures"),
            "breadcrumbs_items": admin_breadcrumbs(("", _("Account closures"))),
        },
    )


@require_POST
@staff_permission_required(PERMISSION)
def closure_close(request: HttpRequest, pk: int) -> HttpResponse:
    closure = get_object_or_404(AccountClosureRequest, pk=pk)
    email = closure.user.email
    try:
        account_close(closure=closure, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The account of %(email)s is closed.") % {"email": email})
    return redirect("accounts_admin_closures")
