"""Small pieces the back-office views of every app share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _


def staff_permission_required(perm: str) -> Callable:
    """403 for staff without `perm`. (Wagtail's admin turns a raised PermissionDenied into a
    redirect to the dashboard, which hides the refusal.)"""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.has_perm(perm):
                return HttpResponse(_("You do not have permission to do this."), status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def admin_breadcrumbs(*items: tuple[str, str]) -> list[dict]:
    """Wagtail's breadcrumbs from the dashboard: admin_breadcrumbs((url, label), …)."""
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        *({"url": url, "label": label} for url, label in items),
    ]
