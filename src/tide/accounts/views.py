from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ProfileForm


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
        },
    )
