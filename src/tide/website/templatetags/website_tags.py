from __future__ import annotations

from django import template
from wagtail.models import Page, Site

from tide.association.models import AssociationSettings

from ..models import BlogIndexPage

register = template.Library()


@register.simple_tag(takes_context=True)
def association_settings(context) -> AssociationSettings:
    request = context.get("request")
    if request is None:
        return AssociationSettings.load()
    if not hasattr(request, "_association_settings"):
        request._association_settings = AssociationSettings.load(request_or_site=request)
    return request._association_settings


@register.simple_tag(takes_context=True)
def main_menu(context) -> list[Page]:
    """The home page's children marked "show in menus", once per request."""
    request = context.get("request")
    if request is not None and hasattr(request, "_main_menu"):
        return request._main_menu
    site = (
        Site.find_for_request(request)
        if request is not None
        else Site.objects.filter(is_default_site=True).first()
    )
    menu = list(site.root_page.get_children().live().public().in_menu()) if site else []
    if request is not None:
        request._main_menu = menu
    return menu


@register.simple_tag
def blog_feed_url() -> str:
    blog = BlogIndexPage.objects.live().first()
    return f"{blog.url}feed/" if blog else "/"
