"""A whole-page cache for anonymous visitors, cleared whenever content changes.

Anonymous GETs of HTML pages are stored in the shared cache under a generation number;
`page_cache_clear()` bumps the generation, so publishing a page, approving a comment or
saving the association's settings makes every cached page stale at once, on every server.

Forms still work on a cached page: each CSRF token is stored as a placeholder and a fresh
token (with its cookie) is put in when the page is served.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

GENERATION_KEY = "pagecache:generation"
FORMAT = 2  # bump when what is stored changes shape, so a deploy never reads old entries
CSRF_PLACEHOLDER = "__TIDE_CSRF_TOKEN__"
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# Pages with these cookies are personal (a signed-in user, a pending message).
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
# Search results are left out: every query would be a new entry anyone could fill the cache with.
UNCACHED_PREFIXES = ("/admin/", "/django-admin/", "/accounts/", "/static/", "/media/", "/search/")
# Headers a stored page is served with again (cookies never are).
REPLAYED_HEADERS = ("Content-Type", "Content-Language", "Vary")


def page_cache_clear() -> None:
    """Make every cached page stale (call after a change visitors should see)."""
    if not cache.add(GENERATION_KEY, 1, timeout=None):
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 1, timeout=None)


def _cache_key(request: HttpRequest, generation: int) -> str:
    address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"pagecache:v{FORMAT}:{generation}:{address}"


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
    )


def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and "no-cache" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
        # A page that logged someone in or started a session is personal.
        and settings.SESSION_COOKIE_NAME not in response.cookies
        and not getattr(request, "_messages", None)
    )


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable_request(request):
            return self.get_response(request)

        generation = request.page_cache_generation = cache.get(GENERATION_KEY, 0)
        key = _cache_key(request, generation)
        if (stored := cache.get(key)) is not None:
            content, headers = stored
            if CSRF_PLACEHOLDER.encode() in content:
                # A fresh token for this visitor; CsrfViewMiddleware then sets its cookie.
                content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
            response = HttpResponse(content, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response

        response = self.get_response(request)
        if _cacheable_response(request, response):
            patch_vary_headers(response, ["Cookie"])
            content = _CSRF_INPUT.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", response.content.decode())
            headers = {
                name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)
            }
            cache.set(key, (content.encode(), headers), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response
