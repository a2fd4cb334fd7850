"""Segments from membership data narrow a broadcast's list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.membership.factories import make_level
from tide.mailing.models import Contact
from tide.mailing.segments import segment_choices, segment_filter
from tide.membership.models import MembershipPeriod

from .factories import make_list, subscribe

pytestmark = pytest.mark.django_db


def _period(user, level, *, ended_days_ago: int) -> None:
    today = timezone.localdate()
    MembershipPeriod.objects.create(
        user=user,
        level=level,
        starts_on=today - timedelta(days=365 + ended_days_ago),
        ends_on=today - timedelta(days=ended_days_ago),
    )


def test_members_by_status_and_level(member, other_member):
    level = make_level()
    newsletter = make_list()
    _period(member, level, ended_days_ago=-30)  # current
    _period(other_member, level, ended_days_ago=400)  # long lapsed
    subscribe(newsletter, member.email, user=member)
    subscribe(newsletter, other_member.email, user=other_member)
    subscribe(newsletter, "public@example.com")

    def emails(key: str) -> set[str]:
        return set(
            Contact.objects.sendable(newsletter)
            .filter(segment_filter(key))
            .values_list("email", flat=True)
        )

    assert emails("members_active") == {member.email}
    assert emails("members_lapsed") == {other_member.email}
    assert emails("not_members") == {"public@example.com"}
    assert emails("members_level_rmt") == {member.email}
    assert emails("no-such-segment") == set()
    assert ("members_level_rmt", "Members at level: RMT") in segment_choices()
