from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django import template
from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from wagtail.models import Site

from tide.association.models import AssociationSettings
from tide.lib.pagecache import GENERATION_KEY

from ..models import BlogIndexPage

register = template.Library()
# The header and footer are keyed by the page cache's generation, so they are never stale;
# this only bounds how long an unused host's entry lingers. Independent of
# PAGE_CACHE_SECONDS: with whole pages uncached (0), every page still shares its chrome.
CHROME_SECONDS = 24 * 3600
CHROME_FORMAT = 2  # bump when Chrome changes shape, so a deploy never reads old entries


@dataclass(frozen=True)
class MenuLink:
    title: str
    url: str
    url_path: str


@dataclass(frozen=True)
class Chrome:
    """What every page's header and footer show: the association's details, the menu, the
    feed and the privacy policy's address."""

    association: AssociationSettings
    menu: list[MenuLink]
    feed_url: str
    privacy_url: str
    # Names this build: the header and footer drawn from it are kept under it (_drawn).
    build_id: str = field(default_factory=lambda: secrets.token_hex(8))


def _build_chrome(request: HttpRequest | None) -> Chrome:
    site = (
        Site.find_for_request(request)
        if request is not None
        else Site.objects.filter(is_default_site=True).first()
    )
    association = AssociationSettings.load(request_or_site=request or site)
    pages = site.root_page.get_children().live().public().in_menu() if site else []
    blog = BlogIndexPage.objects.live().first()
    privacy = association.privacy_page
    return Chrome(
        association=association,
        menu=[MenuLink(page.title, page.get_url(request), page.url_path) for page in pages],
        feed_url=f"{blog.url}feed/" if blog else "/",
        privacy_url=privacy.get_url(request) if privacy and privacy.live else "",
    )


def site_chrome(request: HttpRequest | None) -> Chrome:
    """The header and footer's data, kept in the shared cache under the page cache's
    generation: whatever clears the page cache (publishing, moving a page, saving the
    settings or a site) makes it stale too. Four queries a page saved."""
    if request is None:
        return _build_chrome(None)
    if not hasattr(request, "_chrome"):
        generation = getattr(request, "page_cache_generation", None)  # read by the page cache
        if generation is None:
            generation = cache.get(GENERATION_KEY, 0)
        key = f"chrome:v{CHROME_FORMAT}:{generation}:{request.get_host()}"
        chrome = cache.get(key)
        if chrome is None:
            chrome = _build_chrome(request)
            cache.set(key, chrome, CHROME_SECONDS)
        request._chrome = chrome
    return request._chrome


# The header and footer as drawn, per process: {(chrome build, language, what varies): HTML}.
# Any change builds a new chrome (see site_chrome), so it starts new entries.
_drawn: dict[tuple, SafeString] = {}
_DRAWN_LIMIT = 1000


def _draw_once(key: tuple | None, template: str, context: dict) -> SafeString:
    html = _drawn.get(key) if key else None
    if html is None:
        drawn = render_to_string(template, context)
        html = mark_safe(drawn)  # noqa: S308  # nosec B308 B703 - a template's output, escaped
        if key:
            if len(_drawn) >= _DRAWN_LIMIT:  # old generations' entries: start again
                _drawn.clear()
            _drawn[key] = html
    return html


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    """The site's header, drawn once per menu, section, current page and kind of visitor:
    on every page, the template costs more than most pages' own content."""
    request = context.get("request")
    chrome = site_chrome(request)
    page = context.get("page")
    match = getattr(request, "resolver_match", None)
    app = match.app_name if match else ""
    menu = [(item, bool(page and item.url_path in page.url_path)) for item in chrome.menu]
    user = context.get("user")
    visitor = "anonymous"
    if user is not None and user.is_authenticated:
        visitor = "staff" if user.is_staff else "member"
    where = (app, visitor, *(current for _, current in menu))
    key = (chrome.build_id, get_language(), "header", *where) if request else None
    return _draw_once(
        key,
        "includes/site_header.html",
        {"association": chrome.association, "menu": menu, "app": app, "visitor": visitor},
    )


@register.simple_tag(takes_context=True)
def site_footer(context) -> SafeString:
    request = context.get("request")
    chrome = site_chrome(request)
    year = timezone.localdate().year
    key = (chrome.build_id, get_language(), "footer", year) if request else None
    return _draw_once(
        key,
        "includes/site_footer.html",
        {
            "association": chrome.association,
            "menu": chrome.menu,
            "privacy_url": chrome.privacy_url,
            "feed_url": chrome.feed_url,
            "year": year,
        },
    )


@register.simple_tag(takes_context=True)
def association_settings(context) -> AssociationSettings:
    return site_chrome(context.get("request")).association


@register.simple_tag(takes_context=True)
def blog_feed_url(context) -> str:
    return site_chrome(context.get("request")).feed_url
