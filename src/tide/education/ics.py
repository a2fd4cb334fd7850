"""Calendar files (.ics): one event, the public feed of all events, a member's private feed.

Each session is one VEVENT with its times in the association's time zone (TZID plus the
VTIMEZONE that defines it), so calendars show the right hour wherever the reader is.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from .models import Event, Format


def _where(event: Event) -> str:
    if event.format == Format.ONLINE:
        return "Online"
    parts = [event.venue_name, event.street_address, event.city, event.region]
    return ", ".join(part for part in parts if part)


def build_calendar(
    events: Iterable[Event], *, name: str, join_urls: frozenset[int] = frozenset()
) -> bytes:
    """The calendar of `events` (sessions prefetched). Join links only for `join_urls` ids."""
    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//Tide//Continuing education//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for event in events:
        url = settings.SITE_URL + event.get_absolute_url()
        sessions = list(event.sessions.all())
        for index, session in enumerate(sessions, start=1):
            item = VEvent()
            item.add("uid", f"tide-event-{event.pk}-session-{session.pk}@{_host()}")
            item.add("dtstamp", stamp)
            item.add("dtstart", session.starts_at.astimezone(zone))
            item.add("dtend", session.ends_at.astimezone(zone))
            summary = event.title
            if len(sessions) > 1:
                summary += f" ({index}/{len(sessions)})"
            item.add("summary", summary)
            description = event.summary or ""
            if event.pk in join_urls and event.join_url:
                description += f"\n\nJoin: {event.join_url}"
                item.add(
                    "location", event.join_url if event.format == Format.ONLINE else _where(event)
                )
            else:
                item.add("location", _where(event))
            item.add("description", f"{description}\n\n{url}".strip())
            item.add("url", url)
            calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "tide"


def ics_response(content: bytes, *, filename: str, private: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    if private:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response
