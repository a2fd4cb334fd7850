"""Bad event data is refused with a clear message and nothing half-saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tide.education.models import Event, Session
from tide.education.services import event_create

from .factories import category, provider

pytestmark = pytest.mark.django_db


def fields(**extra):
    return {
        "title": "Cupping",
        "provider": provider(),
        "format": "in_person",
        "venue_name": "Hall",
        "city": "Halifax",
        **extra,
    }


def soon(days=10, hours=0):
    return timezone.now() + timedelta(days=days, hours=hours)


def test_a_session_ending_before_it_starts_is_refused():
    with pytest.raises(ValidationError, match="end after it starts"):
        event_create(sessions=[(soon(), soon(hours=-2))], **fields())
    assert not Event.objects.exists() and not Session.objects.exists()


def test_a_session_in_the_past_is_refused():
    with pytest.raises(ValidationError, match="past"):
        event_create(sessions=[(soon(-3), soon(-3, 2))], **fields())
    assert not Event.objects.exists()


def test_registration_closing_before_it_opens_is_refused():
    with pytest.raises(ValidationError, match="close after it opens"):
        event_create(
            sessions=[(soon(), soon(hours=2))],
            registration_opens_at=soon(5),
            registration_closes_at=soon(4),
            **fields(),
        )


def test_an_in_person_event_needs_a_venue():
    with pytest.raises(ValidationError, match="venue"):
        event_create(sessions=[(soon(), soon(hours=2))], **fields(venue_name="", city=""))


def test_an_online_event_needs_a_join_link():
    with pytest.raises(ValidationError, match="join link"):
        event_create(sessions=[(soon(), soon(hours=2))], **fields(format="online"))


def test_credits_need_a_category():
    with pytest.raises(ValidationError, match="category"):
        event_create(sessions=[(soon(), soon(hours=2))], **fields(ce_credits=3))


def test_an_event_needs_a_session():
    with pytest.raises(ValidationError, match="at least one session"):
        event_create(sessions=[], **fields())


def test_dates_come_from_the_sessions_and_slugs_are_unique():
    first = event_create(
        sessions=[(soon(3), soon(3, 2)), (soon(1), soon(1, 2))],
        ce_credits=2,
        credit_category=category(),
        **fields(),
    )
    second = event_create(sessions=[(soon(), soon(hours=2))], **fields())
    assert first.starts_at == Session.objects.filter(event=first).order_by("starts_at")[0].starts_at
    assert first.ends_at > first.starts_at + timedelta(days=2)
    assert first.slug != second.slug


def test_the_demo_loads_twice_without_duplicates():
    from tide.education.demo import demo_education
    from tide.education.models import CreditRuleSet

    demo_education()
    counts = (Event.objects.count(), CreditRuleSet.objects.count())
    demo_education()
    assert (Event.objects.count(), CreditRuleSet.objects.count()) == counts
    assert counts[1] == 2
