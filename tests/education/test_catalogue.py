"""The public catalogue, calendar and event page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tide.education.services import registration_create

from .factories import local, make_event

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [event.title for event in response.context["page_obj"]]


def test_upcoming_events_are_listed_soonest_first(client):
    later = make_event(title="Later", starts_at=timezone.now() + timedelta(days=40))
    sooner = make_event(title="Sooner", starts_at=timezone.now() + timedelta(days=5))
    make_event(title="Draft", published=False)
    make_event(title="Long ago", starts_at=timezone.now() - timedelta(days=40))
    response = client.get(reverse("education:catalogue"))
    assert titles(response) == [sooner.title, later.title]


def test_past_events_stay_visible_with_their_details(client):
    event = make_event(title="Last spring", starts_at=timezone.now() - timedelta(days=60))
    response = client.get(reverse("education:catalogue") + "?when=past")
    assert titles(response) == ["Last spring"]
    page = client.get(event.get_absolute_url())
    assert page.status_code == 200
    assert "This event has taken place" in page.content.decode()
    assert "Harbour Hall" in page.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ce=1", ["CE course"]),
        ("online=1", ["Webinar"]),
        ("region=ON", ["Toronto social"]),
        ("month=2031-05", ["Webinar"]),
        ("ce=1&region=NS", ["CE course"]),
    ],
)
def test_filters(client, query, expected):
    make_event(title="CE course", starts_at=local(2031, 4, 2))
    make_event(
        title="Webinar",
        format="online",
        join_url="https://meet.example.com/w",
        ce_credits=0,
        credit_category=None,
        starts_at=local(2031, 5, 20),
        region="",
    )
    make_event(
        title="Toronto social",
        region="ON",
        city="Toronto",
        ce_credits=0,
        credit_category=None,
        starts_at=local(2031, 6, 1),
    )
    assert titles(client.get(reverse("education:catalogue") + "?" + query)) == expected


@pytest.mark.parametrize("query", ["month=2031-13", "month=abc", "region=XX", "page=999", "page=x"])
def test_odd_filters_are_ignored_not_errors(client, query):
    make_event()
    assert client.get(reverse("education:catalogue") + "?" + query).status_code == 200


def test_the_catalogue_query_count_does_not_grow_with_events(client, django_assert_max_num_queries):
    for _ in range(3):
        make_event()
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("education:catalogue") + "?ce=1")
    for _ in range(15):
        make_event()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("education:catalogue") + "?ce=1")


def test_the_event_page_shows_seats_left_even_to_cached_visitors(
    client, member, other_member, committed
):
    event = make_event(capacity=3)
    with committed():
        registration_create(event=event, user=member, province="ON")
    assert "2 seats left" in client.get(event.get_absolute_url()).content.decode()
    with committed():  # the commit clears the visitors' page cache
        registration_create(event=event, user=other_member, province="ON")
    assert "1 seat left" in client.get(event.get_absolute_url()).content.decode()


def test_the_calendar_puts_events_on_their_local_day(client, django_assert_max_num_queries):
    make_event(title="Late evening class", starts_at=local(2031, 5, 20, 21, 30))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("education:calendar") + "?month=2031-05")
    days = {
        day.day: [e.title for e in events]
        for week in response.context["weeks"]
        for day, in_month, events in week
        if in_month
    }
    assert days[20] == ["Late evening class"]  # 01:30 UTC on the 21st, but the 20th in Toronto


def test_an_unknown_or_unpublished_event_is_a_404(client):
    event = make_event(published=False)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(reverse("education:event", args=["no-such-event"])).status_code == 404
