from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .models import AccountClosureRequest


@hooks.register("register_admin_urls")
def accounts_urls():
    return [
        path("accounts/closures/", admin_views.closure_queue, name="accounts_admin_closures"),
        path(
            "accounts/closures/<int:pk>/close/",
            admin_views.closure_close,
            name="accounts_admin_closure_close",
        ),
    ]


class ClosuresMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(admin_views.PERMISSION)

    def render_component(self, request):
        component = super().render_component(request)
        waiting = AccountClosureRequest.objects.filter(
            status=AccountClosureRequest.Status.OPEN
        ).count()
        if waiting:
            component.label = f"{self.label} ({waiting})"
        return component


@hooks.register("register_settings_menu_item")
def closures_menu_item():
    return ClosuresMenuItem(
        _("Account closures"), reverse("accounts_admin_closures"), icon_name="user", order=610
    )


@hooks.register("register_permissions")
def accounts_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="accounts", codename="change_accountclosurerequest"
    )


@hooks.register("register_log_actions")
def accounts_log_actions(actions):
    actions.register_action(
        "tide.account.closure_request", _("Ask to close account"), _("Closure requested")
    )
    actions.register_action("tide.account.closed", _("Close account"), _("Account closed"))
