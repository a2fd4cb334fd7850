from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import CreditCategory, CreditEntry, CreditRuleSet, Event, Provider
from .services import event_sync_dates


class EventViewSet(SnippetViewSet):
    model = Event
    icon = "date"
    menu_label = _("Courses and events")
    menu_order = 10
    list_display = ["title", "starts_at", "format", "capacity", "seats_taken", "published"]
    list_filter = ["published", "format"]
    search_fields = ["title"]
    ordering = ["-starts_at"]


class ProviderViewSet(SnippetViewSet):
    model = Provider
    icon = "group"
    menu_label = _("Providers")
    menu_order = 40
    list_display = ["name", "is_association", "approved"]


class CreditCategoryViewSet(SnippetViewSet):
    model = CreditCategory
    icon = "tag"
    menu_label = _("CE categories")
    menu_order = 50
    list_display = ["name", "description"]


class CreditRuleSetViewSet(SnippetViewSet):
    model = CreditRuleSet
    icon = "list-ol"
    menu_label = _("CE rule sets")
    menu_order = 60
    list_display = ["name", "cycle_years", "total_required", "is_default"]


class EducationGroup(SnippetViewSetGroup):
    items = (EventViewSet, ProviderViewSet, CreditCategoryViewSet, CreditRuleSetViewSet)
    menu_icon = "date"
    menu_label = _("Education")
    menu_order = 330
    submenu_hook = "register_education_menu_item"


register_snippet(EducationGroup)


def _sync(request, instance) -> None:
    if isinstance(instance, Event):
        event_sync_dates(instance)  # the catalogue filters on the first and last session


for hook_name in ("after_create_snippet", "after_edit_snippet"):
    hooks.register(hook_name, _sync)


@hooks.register("register_admin_urls")
def education_urls():
    return [
        path("education/events/", admin_views.event_list, name="education_admin_events"),
        path(
            "education/events/<int:pk>/",
            admin_views.event_registrations,
            name="education_admin_event",
        ),
        path(
            "education/events/<int:pk>/check-in/",
            admin_views.check_in_code,
            name="education_admin_check_in_code",
        ),
        path(
            "education/events/<int:pk>/export.csv",
            admin_views.export,
            name="education_admin_export",
        ),
        path(
            "education/registrations/<int:pk>/check-in/",
            admin_views.check_in,
            name="education_admin_check_in",
        ),
        path(
            "education/registrations/<int:pk>/cancel/",
            admin_views.cancel,
            name="education_admin_cancel",
        ),
        path("education/credits/", admin_views.credit_queue, name="education_admin_credits"),
        path(
            "education/credits/<int:pk>/decide/",
            admin_views.credit_decide,
            name="education_admin_credit_decide",
        ),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, perm: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.perm = perm

    def is_shown(self, request) -> bool:
        return request.user.has_perm(self.perm)


class CreditsMenuItem(PermissionMenuItem):
    def render_component(self, request):
        component = super().render_component(request)
        waiting = CreditEntry.objects.filter(status=CreditEntry.Status.PENDING).count()
        if waiting:
            component.label = f"{self.label} ({waiting})"
        return component


@hooks.register("register_education_menu_item")
def registrations_menu_item():
    return PermissionMenuItem(
        _("Registrations"),
        reverse("education_admin_events"),
        icon_name="clipboard-list",
        order=20,
        perm=admin_views.MANAGE,
    )


@hooks.register("register_education_menu_item")
def credits_menu_item():
    return CreditsMenuItem(
        _("CE to approve"),
        reverse("education_admin_credits"),
        icon_name="tick-inverse",
        order=30,
        perm=admin_views.REVIEW,
    )


@hooks.register("register_log_actions")
def education_log_actions(actions):
    for action, label in [
        ("tide.education.event_create", _("Event created")),
        ("tide.education.register", _("Register")),
        ("tide.education.paid", _("Seat paid")),
        ("tide.education.seat_gone", _("Paid after the seat was released; refunded")),
        ("tide.education.offer", _("Seat offered from the waitlist")),
        ("tide.education.accept", _("Offered seat accepted")),
        ("tide.education.cancel", _("Registration cancelled")),
        ("tide.education.expire", _("Seat hold expired")),
        ("tide.education.check_in", _("Checked in")),
        ("tide.education.check_in_undo", _("Check-in undone")),
        ("tide.education.credit_add", _("Outside CE reported")),
        ("tide.education.credit_approve", _("Outside CE approved")),
        ("tide.education.credit_reject", _("Outside CE rejected")),
    ]:
        actions.register_action(action, label, label)


@hooks.register("register_permissions")
def education_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="education",
        codename__in=["manage_registrations", "change_creditentry"],
    )
