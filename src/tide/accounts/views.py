from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tide.mailing.transactional import email_send_template

from .forms import ClosureForm, ProfileForm
from .models import AccountClosureRequest
from .personal_data import closure_request, personal_data_export


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    """One page for everything about the account: name, emails, password, two-factor."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your name was saved."))
        return redirect("accounts:settings")
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "emails": EmailAddress.objects.filter(user=request.user).order_by("-primary", "email"),
            "authenticators": Authenticator.objects.filter(user=request.user).order_by("type"),
            "closure_form": ClosureForm(),
            "closure": AccountClosureRequest.objects.filter(
                user=request.user, status=AccountClosureRequest.Status.OPEN
            ).first(),
        },
    )


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    """Everything Tide holds about the signed-in person, as one JSON file."""
    response = JsonResponse(
        personal_data_export(request.user), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    filename = f"my-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def request_closure(request: HttpRequest) -> HttpResponse:
    form = ClosureForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", [])))
        return redirect("accounts:settings")
    closure = closure_request(user=request.user, reason=form.cleaned_data["reason"])
    email_send_template(
        "accounts/email/closure_requested", to=request.user.email, context={"closure": closure}
    )
    messages.success(
        request,
        _(
            "We have your request. Staff will close your account within 30 days and tell you by "
            "email; download your data first if you want a copy."
        ),
    )
    return redirect("accounts:settings")
