"""A fixed-window counter in the shared cache, for forms the public can post."""

from __future__ import annotations

from django.core.cache import cache


def rate_limit_exceeded(scope: str, key: str, *, limit: int, seconds: int) -> bool:
    """Count one attempt; True once more than `limit` were made in the current window."""
    cache_key = f"ratelimit:{scope}:{key}"
    if cache.add(cache_key, 1, timeout=seconds):
        return False
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=seconds)
        return False
    return count > limit


def client_ip(request) -> str:
    """The visitor's address (the proxy's X-Forwarded-For is trusted only when configured)."""
    from django.conf import settings

    if settings.SECURE_PROXY_SSL_HEADER and (forwarded := request.META.get("HTTP_X_FORWARDED_FOR")):
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
