"""Guards for staff sessions: MFA before the back office, and short-lived sessions."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

BACK_OFFICE_PREFIXES = ("/admin/", "/django-admin/")
# Wagtail's and Django's own login forms check the password only, skipping allauth's
# second step; everyone logs in through allauth instead.
PASSWORD_ONLY_LOGINS = ("/admin/login/", "/django-admin/login/")


def staff_mfa_required(get_response: Callable[[HttpRequest], HttpResponse]):
    """Staff without a second factor are sent to set one up before the back office opens."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path in PASSWORD_ONLY_LOGINS:
            if request.user.is_authenticated:
                # Logged in, yet sent here: that back office is not theirs (a redirect would loop).
                raise PermissionDenied
            query = request.META.get("QUERY_STRING", "")
            return redirect(reverse("account_login") + (f"?{query}" if query else ""))
        user = request.user
        if (
            settings.STAFF_MFA_REQUIRED
            and request.path.startswith(BACK_OFFICE_PREFIXES)
            and user.is_authenticated
            and user.can_open_back_office
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request,
                _(
                    "Staff accounts need two-factor authentication. Set up an authenticator app to open the back office."
                ),
            )
            return redirect("mfa_activate_totp")
        return get_response(request)

    return middleware


def staff_session_expiry(get_response: Callable[[HttpRequest], HttpResponse]):
    """Staff sessions end 12 hours after login or after 30 minutes idle (members keep 2 weeks).

    A session counts as staff once its user is staff or opens the back office.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and (
            user.is_staff
            or "staff_session_started" in request.session
            or (request.path.startswith(BACK_OFFICE_PREFIXES) and user.can_open_back_office)
        ):
            now = int(time.time())
            started = request.session.setdefault("staff_session_started", now)
            last_seen = request.session.get("staff_last_seen", now)
            if (
                now - started > settings.STAFF_SESSION_MAX_AGE
                or now - last_seen > settings.STAFF_SESSION_IDLE
            ):
                logout(request)
                messages.info(request, _("Your staff session expired. Please log in again."))
                return redirect(
                    f"{settings.WAGTAILADMIN_LOGIN_URL}?{urlencode({'next': request.path})}"
                )
            # Write at most once a minute, so every page view does not save the session.
            if now - last_seen >= 60 or "staff_last_seen" not in request.session:
                request.session["staff_last_seen"] = now
        return get_response(request)

    return middleware
