from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .outbox import uses_email_folder


@hooks.register("register_admin_urls")
def sent_email_urls():
    return [
        path("sent-email/", admin_views.sent_email_list, name="mailing_sent_email"),
        path(
            "sent-email/<slug:id>/", admin_views.sent_email_detail, name="mailing_sent_email_detail"
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
