from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .merge_fields import merge_field_help
from .models import Broadcast, Contact, MailingList, SequenceStep
from .outbox import uses_email_folder
from .segments import segment_choices


@hooks.register("register_admin_urls")
def sent_email_urls():
    return [
        path("sent-email/", admin_views.sent_email_list, name="mailing_sent_email"),
        path(
            "sent-email/<slug:id>/", admin_views.sent_email_detail, name="mailing_sent_email_detail"
        ),
        path(
            "email/broadcasts/<int:pk>/",
            admin_views.broadcast_detail,
            name="mailing_admin_broadcast",
        ),
        path(
            "email/broadcasts/<int:pk>/progress/",
            admin_views.broadcast_progress_view,
            name="mailing_admin_broadcast_progress",
        ),
        path(
            "email/broadcasts/<int:pk>/preview/",
            admin_views.broadcast_preview,
            name="mailing_admin_broadcast_preview",
        ),
        path(
            "email/broadcasts/<int:pk>/test/",
            admin_views.broadcast_test_send,
            name="mailing_admin_broadcast_test",
        ),
        path(
            "email/broadcasts/<int:pk>/send/",
            admin_views.broadcast_send_view,
            name="mailing_admin_broadcast_send",
        ),
        path(
            "email/broadcasts/<int:pk>/pause/",
            admin_views.broadcast_pause_view,
            name="mailing_admin_broadcast_pause",
        ),
        path("email/import/", admin_views.contact_import, name="mailing_admin_import"),
        path(
            "email/import/<int:pk>/",
            admin_views.contact_import_detail,
            name="mailing_admin_import_detail",
        ),
        path(
            "email/import/<int:pk>/progress/",
            admin_views.contact_import_progress_view,
            name="mailing_admin_import_progress",
        ),
        path(
            "email/import/<int:pk>/import/",
            admin_views.contact_import_again_view,
            name="mailing_admin_import_again",
        ),
        path(
            "email/lists/<int:pk>/export.csv",
            admin_views.list_export,
            name="mailing_admin_list_export",
        ),
        path(
            "email/broadcasts/<int:pk>/resume/",
            admin_views.broadcast_resume_view,
            name="mailing_admin_broadcast_resume",
        ),
    ]


class SentEmailMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.is_superuser and uses_email_folder()


@hooks.register("register_settings_menu_item")
def sent_email_menu_item():
    return SentEmailMenuItem(
        _("Sent email"), reverse("mailing_sent_email"), icon_name="mail", order=900
    )


def _segment_choices():
    return [("", _("Everyone on the list")), *segment_choices()]


class BroadcastViewSet(SnippetViewSet):
    model = Broadcast
    icon = "mail"
    menu_label = _("Broadcasts")
    list_display = ["subject", "mailing_list", "status", "created_at"]
    list_filter = ["status", "mailing_list"]
    panels = [
        FieldPanel("subject"),
        FieldPanel("preheader"),
        FieldPanel("mailing_list"),
        FieldPanel("segment", widget=forms.Select(choices=_segment_choices)),
        FieldPanel(
            "body",
            help_text=_("Merge fields: %(fields)s; a fallback after a bar: {first_name|there}.")
            % {"fields": merge_field_help()},
        ),
        FieldPanel("track_opens"),
    ]


class MailingListViewSet(SnippetViewSet):
    model = MailingList
    icon = "list-ul"
    menu_label = _("Lists")
    list_display = ["name", "public", "ebook"]


class ContactViewSet(SnippetViewSet):
    model = Contact
    icon = "user"
    menu_label = _("Contacts")
    list_display = ["email", "name", "suppressed_reason", "created_at"]
    list_filter = ["suppressed_reason"]
    search_fields = ["email", "first_name", "last_name"]
    inspect_view_enabled = True
    panels = [FieldPanel("first_name"), FieldPanel("last_name")]


class SequenceStepViewSet(SnippetViewSet):
    model = SequenceStep
    icon = "time"
    menu_label = _("Follow-up emails")
    list_display = ["subject", "mailing_list", "days_after", "active"]
    list_filter = ["mailing_list", "active"]


class EmailGroup(SnippetViewSetGroup):
    items = (BroadcastViewSet, SequenceStepViewSet, MailingListViewSet, ContactViewSet)
    menu_icon = "mail"
    menu_label = _("Email")
    menu_name = "email"
    menu_order = 340
    submenu_hook = "register_email_menu_item"


register_snippet(EmailGroup)


def _to_detail(request, instance):
    if isinstance(instance, Broadcast):
        return redirect("mailing_admin_broadcast", pk=instance.pk)
    return None


for hook_name in ("after_create_snippet", "after_edit_snippet"):
    hooks.register(hook_name, _to_detail)


@hooks.register("before_edit_snippet")
def _only_drafts_change(request, instance):
    if isinstance(instance, Broadcast) and instance.status != Broadcast.Status.DRAFT:
        if request.method == "POST":
            messages.error(request, _("A broadcast that has started sending cannot be changed."))
        return redirect("mailing_admin_broadcast", pk=instance.pk)
    return None


class ImportMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("mailing.add_contact")


@hooks.register("register_email_menu_item")
def import_menu_item():
    return ImportMenuItem(
        _("Import contacts"), reverse("mailing_admin_import"), icon_name="upload", order=90
    )


@hooks.register("register_log_actions")
def mailing_log_actions(actions):
    for action, label, message in (
        ("consent", _("Consent recorded"), _("Consent recorded")),
        ("unsubscribe", _("Unsubscribe"), _("Unsubscribed from a list")),
        ("suppress", _("Suppress"), _("All marketing email stopped")),
        ("provider_event", _("Provider event"), _("Bounce or complaint reported")),
        ("broadcast_start", _("Start sending"), _("Broadcast sending started")),
        ("broadcast_pause", _("Pause sending"), _("Broadcast paused")),
        ("broadcast_resume", _("Resume sending"), _("Broadcast resumed")),
        ("broadcast_test", _("Test send"), _("Test copy sent")),
        ("import", _("Import"), _("Contacts imported")),
    ):
        actions.register_action(f"tide.mailing.{action}", label, message)


@hooks.register("register_permissions")
def mailing_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(
        content_type__app_label="mailing",
        codename__in=[
            "add_broadcast",
            "change_broadcast",
            "delete_broadcast",
            "add_mailinglist",
            "change_mailinglist",
            "view_contact",
            "add_contact",
            "change_contact",
            "add_sequencestep",
            "change_sequencestep",
        ],
    )
