from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from tide.lib.pagecache import page_cache_clear

from . import admin_views, member_import_views, register_views
from .models import Application, MembershipLevel


class MembershipLevelViewSet(SnippetViewSet):
    model = MembershipLevel
    icon = "list-ul"
    menu_label = _("Membership levels")
    list_display = ["name", "annual_price", "admin_fee", "requires_registration_number", "active"]
    list_filter = ["active"]
    menu_order = 40  # last in the Membership menu


class MembershipMenu(SnippetViewSetGroup):
    """One Membership entry in the back office's menu: the screens below and the levels."""

    items = (MembershipLevelViewSet,)
    menu_label = _("Membership")
    menu_icon = "group"
    menu_order = 305
    submenu_hook = "register_membership_menu_item"


register_snippet(MembershipMenu)


def _clear_join_page(request, instance) -> None:
    if isinstance(instance, MembershipLevel):
        page_cache_clear()  # the join page visitors see lists the levels


for hook_name in ("after_create_snippet", "after_edit_snippet"):
    hooks.register(hook_name, _clear_join_page)


@hooks.register("after_delete_snippet")
def _clear_after_delete(request, instances) -> None:
    if any(isinstance(instance, MembershipLevel) for instance in instances):
        page_cache_clear()


@hooks.register("register_admin_urls")
def membership_urls():
    return [
        path(
            "membership/applications/",
            admin_views.application_queue,
            name="membership_admin_applications",
        ),
        path(
            "membership/applications/<int:pk>/",
            admin_views.application_detail,
            name="membership_admin_application",
        ),
        path(
            "membership/applications/<int:pk>/approve/",
            admin_views.application_approve_view,
            name="membership_admin_approve",
        ),
        path(
            "membership/applications/<int:pk>/reject/",
            admin_views.application_reject_view,
            name="membership_admin_reject",
        ),
        path(
            "membership/applications/<int:pk>/request-info/",
            admin_views.application_request_info_view,
            name="membership_admin_request_info",
        ),
        path("membership/members/", admin_views.member_list, name="membership_admin_members"),
        path(
            "membership/members/import/",
            member_import_views.member_import_index,
            name="membership_admin_member_imports",
        ),
        path(
            "membership/members/import/<int:pk>/",
            member_import_views.member_import_map,
            name="membership_admin_member_import",
        ),
        path(
            "membership/members/<int:pk>/",
            admin_views.member_detail,
            name="membership_admin_member",
        ),
        path(
            "membership/members/<int:pk>/details/",
            admin_views.member_details_edit,
            name="membership_admin_member_details",
        ),
        path(
            "membership/members/<int:pk>/notes/",
            admin_views.member_note_add,
            name="membership_admin_member_note",
        ),
        path(
            "membership/members/<int:pk>/standing/",
            admin_views.member_standing,
            name="membership_admin_member_standing",
        ),
        path(
            "membership/registers/",
            register_views.register_index,
            name="membership_admin_registers",
        ),
        path(
            "membership/registers/<int:pk>/",
            register_views.register_map,
            name="membership_admin_register_map",
        ),
        path(
            "membership/members/export.csv",
            admin_views.member_export,
            name="membership_admin_members_export",
        ),
    ]


class ApplicationsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("membership.change_application")

    def render_component(self, request):
        component = super().render_component(request)
        waiting = Application.objects.filter(status=Application.Status.AWAITING_REVIEW).count()
        if waiting:
            component.label = f"{self.label} ({waiting})"
        return component


class ApplicationsOnlyMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("membership.change_application")


class MembersMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("membership.view_membershipperiod")


@hooks.register("register_membership_menu_item")
def applications_menu_item():
    return ApplicationsMenuItem(
        _("Applications"),
        reverse("membership_admin_applications"),
        icon_name="form",
        order=10,
    )


@hooks.register("register_membership_menu_item")
def members_menu_item():
    return MembersMenuItem(
        _("Members"), reverse("membership_admin_members"), icon_name="group", order=20
    )


@hooks.register("register_membership_menu_item")
def registers_menu_item():
    return ApplicationsOnlyMenuItem(
        _("College registers"),
        reverse("membership_admin_registers"),
        icon_name="tasks",
        order=30,
    )


class ReasonFormatter(LogFormatter):
    label = _("Reject application")
    message = _("Application rejected")

    def format_comment(self, log_entry) -> str:
        return (log_entry.data or {}).get("reason", "")


class InfoFormatter(LogFormatter):
    label = _("Request information")
    message = _("More information requested from the applicant")

    def format_comment(self, log_entry) -> str:
        return (log_entry.data or {}).get("message", "")


class DeclinedFormatter(LogFormatter):
    label = _("Automatic renewal declined")
    message = _("The saved card was declined")

    def format_comment(self, log_entry) -> str:
        return (log_entry.data or {}).get("reason", "")


class NoteFormatter(LogFormatter):
    label = _("Suspend membership")
    message = _("Membership suspended")

    def format_comment(self, log_entry) -> str:
        return (log_entry.data or {}).get("note", "")


class DetailsFormatter(LogFormatter):
    label = _("Update details")
    message = _("The member updated their details")

    def format_comment(self, log_entry) -> str:
        return ", ".join((log_entry.data or {}).get("changed", []))


@hooks.register("register_log_actions")
def membership_log_actions(actions):
    actions.register_action("tide.membership.details")(DetailsFormatter)
    actions.register_action(
        "tide.membership.submit", _("Submit application"), _("Application submitted and billed")
    )
    actions.register_action(
        "tide.membership.paid", _("Application paid"), _("Invoice paid; ready for review")
    )
    actions.register_action(
        "tide.membership.approve", _("Approve application"), _("Application approved")
    )
    actions.register_action("tide.membership.reject")(ReasonFormatter)
    actions.register_action("tide.membership.request_info")(InfoFormatter)
    actions.register_action(
        "tide.membership.resubmit",
        _("Update application"),
        _("Applicant sent more information; back to review"),
    )
    actions.register_action("tide.membership.renew", _("Renew membership"), _("Renewal invoiced"))
    actions.register_action("tide.membership.suspended")(NoteFormatter)
    actions.register_action(
        "tide.membership.resigned", _("Record resignation"), _("Resignation recorded")
    )
    actions.register_action(
        "tide.membership.reinstate", _("Reinstate membership"), _("Membership reinstated")
    )
    actions.register_action(
        "tide.membership.member_import", _("Import members"), _("Members imported")
    )
    actions.register_action(
        "tide.membership.auto_renewed", _("Automatic renewal"), _("Renewed with the saved card")
    )
    actions.register_action("tide.membership.auto_renew_declined")(DeclinedFormatter)
    actions.register_action(
        "tide.membership.register_import",
        _("Import a college register"),
        _("College register imported"),
    )
    actions.register_action(
        "tide.membership.renewed", _("Renewal paid"), _("Renewal paid; next period added")
    )


@hooks.register("register_permissions")
def membership_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="membership",
        codename__in=["change_application", "view_membershipperiod"],
    )
