from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from ..models import MailingSettings
from ..signup import signup_offer

register = template.Library()


@register.simple_tag(takes_context=True)
def home_signup(context) -> SafeString | str:
    """The home page's sign-up section, from the Email list settings ("" when switched off)."""
    settings = MailingSettings.load()
    if settings.home_list_id is None:
        return ""
    value = {
        "heading": settings.home_heading,
        "text": settings.home_text,
        "wording": settings.home_wording,
        "button_label": settings.home_button_label,
    }
    return render_to_string(
        "mailing/blocks/signup.html",
        {"value": value, "offer": signup_offer(settings.home_list, settings.home_wording)},
        request=context.get("request"),
    )
