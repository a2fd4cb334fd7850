"""Calendar files parse with icalendar and carry the times in the association's zone."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from icalendar import Calendar

from tests.conftest import login
from tide.education.services import registration_create

from .factories import local, make_event

pytestmark = pytest.mark.django_db


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_an_events_ics_has_each_session_at_its_local_time(client):
    event = make_event(
        starts_at=local(2031, 3, 14, 9, 30), hours=6, days=2, title="Cupping therapy"
    )
    calendar = parse(client.get(reverse("education:event_ics", args=[event.slug])))
    sessions = calendar.walk("VEVENT")
    assert len(sessions) == 2
    first = sessions[0]
    start = first.decoded("dtstart")
    assert start.tzinfo.key == settings.TIME_ZONE == "America/Toronto"
    assert (start.hour, start.minute) == (9, 30)
    assert first.decoded("dtend") - start == timedelta(hours=6)
    assert "Cupping therapy" in str(first["summary"])
    assert sessions[1].decoded("dtstart").date().isoformat() == "2031-03-15"
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "America/Toronto"


def test_times_survive_a_daylight_saving_change(client):
    """9:00 in Toronto is 14:00 UTC in winter and 13:00 UTC in summer."""
    winter = make_event(starts_at=local(2031, 1, 10, 9))
    summer = make_event(starts_at=local(2031, 7, 10, 9))
    for event, utc_hour in ((winter, 14), (summer, 13)):
        calendar = parse(client.get(reverse("education:event_ics", args=[event.slug])))
        start = calendar.walk("VEVENT")[0].decoded("dtstart")
        assert start.astimezone(ZoneInfo("UTC")).hour == utc_hour


def test_the_feed_lists_every_published_event_but_not_drafts(client):
    make_event(title="Published course")
    make_event(title="Draft course", published=False)
    calendar = parse(client.get(reverse("education:feed")))
    summaries = [str(item["summary"]) for item in calendar.walk("VEVENT")]
    assert summaries == ["Published course"]


def test_the_public_ics_never_carries_the_join_link(client):
    event = make_event(format="online", join_url="https://meet.example.com/secret-room")
    content = client.get(reverse("education:event_ics", args=[event.slug])).content
    assert b"secret-room" not in content
    content = client.get(reverse("education:feed")).content
    assert b"secret-room" not in content


def test_my_private_feed_has_my_confirmed_events_with_their_join_links(client, member):
    online = make_event(format="online", join_url="https://meet.example.com/room-7")
    make_event(title="Not mine")
    registration_create(event=online, user=member, province="ON")
    login(client, member)
    client.get(reverse("education:my_events"))
    token = member.education_feed.token
    client.logout()  # calendar apps send no cookies
    calendar = parse(client.get(reverse("education:my_feed", args=[token])))
    [item] = calendar.walk("VEVENT")
    assert "room-7" in str(item["description"])


def test_a_wrong_feed_token_is_a_404(client):
    assert client.get(reverse("education:my_feed", args=["nope"])).status_code == 404


def test_a_new_feed_address_retires_the_old_one(client, member):
    login(client, member)
    client.get(reverse("education:my_events"))
    old = member.education_feed.token
    client.post(reverse("education:my_feed_reset"))
    assert client.get(reverse("education:my_feed", args=[old])).status_code == 404


def test_my_events_shows_my_private_feed_address(client, member):
    login(client, member)
    page = client.get(reverse("education:my_events")).content.decode()
    assert reverse("education:my_feed", args=[member.education_feed.token]) in page
