"""A member's status is read from their periods and the grace period, never stored."""

from __future__ import annotations

from datetime import date

import pytest

from tide.membership.models import MembershipPeriod, MemberStatus, membership_status

from .factories import set_rules

pytestmark = pytest.mark.django_db

ENDS = date(2026, 11, 30)


@pytest.fixture
def period(member, rmt):
    set_rules(grace_days=60)
    return MembershipPeriod.objects.create(
        user=member, level=rmt, starts_on=date(2025, 12, 1), ends_on=ENDS
    )


def test_someone_without_periods_is_an_applicant(member):
    assert membership_status(member, date(2026, 6, 1)) == MemberStatus.APPLICANT


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2025, 11, 30), MemberStatus.APPLICANT),  # the day before it starts
        (date(2025, 12, 1), MemberStatus.ACTIVE),
        (date(2026, 11, 30), MemberStatus.ACTIVE),  # the last day is included
        (date(2026, 12, 1), MemberStatus.IN_GRACE),
        (date(2027, 1, 29), MemberStatus.IN_GRACE),  # the 60th day of grace
        (date(2027, 1, 30), MemberStatus.LAPSED),
    ],
)
def test_status_at_the_boundaries(period, member, today, status):
    assert membership_status(member, today) == status


def test_grace_length_is_the_staff_setting(period, member):
    set_rules(grace_days=0)

    assert membership_status(member, date(2026, 12, 1)) == MemberStatus.LAPSED


def test_a_renewal_period_makes_the_member_active_again(period, member, rmt):
    MembershipPeriod.objects.create(
        user=member, level=rmt, starts_on=date(2027, 3, 1), ends_on=date(2027, 11, 30)
    )

    assert membership_status(member, date(2027, 2, 28)) == MemberStatus.LAPSED
    assert membership_status(member, date(2027, 3, 1)) == MemberStatus.ACTIVE


def test_current_periods_are_those_covering_the_day(period, other_member, rmt):
    MembershipPeriod.objects.create(
        user=other_member, level=rmt, starts_on=date(2024, 12, 1), ends_on=date(2025, 11, 30)
    )

    assert list(MembershipPeriod.objects.current(date(2026, 1, 1))) == [period]
    assert list(MembershipPeriod.objects.current(date(2026, 12, 1))) == []
