from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import Insurer, Modality


class ModalityViewSet(SnippetViewSet):
    model = Modality
    icon = "list-ul"
    menu_label = _("Modalities")
    menu_order = 30
    list_display = ["name", "slug", "sort_order"]


class InsurerViewSet(SnippetViewSet):
    model = Insurer
    icon = "list-ul"
    menu_label = _("Insurers")
    menu_order = 40
    list_display = ["name", "slug"]


class DirectoryMenu(SnippetViewSetGroup):
    """One Find an RMT entry in the back office's menu: listings, messages and the lists
    members choose from."""

    items = (ModalityViewSet, InsurerViewSet)
    menu_icon = "user"
    menu_label = _("Find an RMT")
    menu_name = "find-an-rmt"
    menu_order = 325
    submenu_hook = "register_directory_menu_item"


register_snippet(DirectoryMenu)


@hooks.register("register_admin_urls")
def directory_urls():
    return [
        path("directory/listings/", admin_views.listing_index, name="directory_admin_listings"),
        path(
            "directory/listings/<int:pk>/",
            admin_views.listing_detail,
            name="directory_admin_listing",
        ),
        path("directory/messages/", admin_views.message_log, name="directory_admin_messages"),
    ]


class ListingsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("directory.change_listing")


class MessagesMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("directory.view_contactmessage")


@hooks.register("register_directory_menu_item")
def listings_menu_item():
    return ListingsMenuItem(
        _("Directory listings"), reverse("directory_admin_listings"), icon_name="user", order=10
    )


@hooks.register("register_directory_menu_item")
def messages_menu_item():
    return MessagesMenuItem(
        _("Directory messages"), reverse("directory_admin_messages"), icon_name="mail", order=20
    )


class ModerateFormatter(LogFormatter):
    label = _("Moderate listing")

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        parts = []
        if "hidden" in data:
            parts.append(_("Listing hidden") if data["hidden"] else _("Listing shown again"))
        if "photo_rejected" in data:
            parts.append(_("Photo rejected") if data["photo_rejected"] else _("Photo accepted"))
        return "; ".join(str(part) for part in parts) or str(_("Listing moderated"))


@hooks.register("register_log_actions")
def directory_log_actions(actions):
    actions.register_action(
        "tide.directory.create", _("Create listing"), _("Directory listing created")
    )
    actions.register_action("tide.directory.edit", _("Edit listing"), _("Directory listing edited"))
    actions.register_action("tide.directory.moderate")(ModerateFormatter)


@hooks.register("register_permissions")
def directory_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="directory",
        codename__in=["change_listing", "view_contactmessage"],
    )
