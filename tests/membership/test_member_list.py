"""The staff members list: status filter, pagination, a query count that does not grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from tide.membership.models import MembershipPeriod

from .factories import set_rules

pytestmark = pytest.mark.django_db

MEMBERS = reverse("membership_admin_members")


def add_member(n: int, level, *, ends_in_days: int) -> None:
    user = make_user(f"member{n}@example.com", first_name=f"Name{n:03d}", last_name="Test")
    today = timezone.localdate()
    MembershipPeriod.objects.create(
        user=user,
        level=level,
        starts_on=today - timedelta(days=400),
        ends_on=today + timedelta(days=ends_in_days),
    )


@pytest.fixture
def mixed(rmt):
    set_rules(grace_days=60)
    add_member(1, rmt, ends_in_days=100)  # active
    add_member(2, rmt, ends_in_days=-10)  # in grace
    add_member(3, rmt, ends_in_days=-100)  # lapsed


def test_members_list_shows_level_status_and_expiry(client, officer, mixed):
    client.force_login(officer)

    text = client.get(MEMBERS).content.decode()

    assert "member1@example.com" in text and "Active" in text
    assert "In grace period" in text and "Lapsed" in text
    assert "RMT" in text


@pytest.mark.parametrize(
    ("status", "shown"),
    [("active", "member1@"), ("in_grace", "member2@"), ("lapsed", "member3@")],
)
def test_filtering_by_status(client, officer, mixed, status, shown):
    client.force_login(officer)

    text = client.get(MEMBERS, {"status": status}).content.decode()

    assert shown in text
    others = {"member1@", "member2@", "member3@"} - {shown}
    assert not any(other in text for other in others)


def test_query_count_does_not_grow_with_members(
    client, officer, rmt, django_assert_max_num_queries
):
    client.force_login(officer)
    add_member(0, rmt, ends_in_days=10)
    client.get(MEMBERS)  # warm up session and permission caches

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(MEMBERS)
    for n in range(1, 40):
        add_member(n, rmt, ends_in_days=n)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MEMBERS)

    assert "Name039" in response.content.decode() or "Name001" in response.content.decode()


def test_members_list_is_paginated(client, officer, rmt):
    for n in range(55):
        add_member(n, rmt, ends_in_days=30)
    client.force_login(officer)

    first = client.get(MEMBERS).content.decode()
    second = client.get(MEMBERS, {"p": 2}).content.decode()

    assert "Name000" in first and "Name054" not in first
    assert "Name054" in second


def test_filters_by_level_province_expiry_and_name_combine(client, officer, rmt):
    from tests.membership.factories import make_level
    from tide.membership.models import Application

    student = make_level(name="Student", slug="student", requires_registration_number=False)
    add_member(1, rmt, ends_in_days=20)  # RMT, expiring soon
    add_member(2, rmt, ends_in_days=200)  # RMT, later
    add_member(3, student, ends_in_days=20)  # student, expiring soon
    for n, province in ((1, "BC"), (2, "BC"), (3, "ON")):
        user = __import__("tide.accounts.models", fromlist=["User"]).User.objects.get(
            email=f"member{n}@example.com"
        )
        Application.objects.create(
            user=user, level=rmt, legal_name="x", phone="1", province=province, status="approved"
        )
    client.force_login(officer)

    def shown(**query) -> set[str]:
        text = client.get(MEMBERS, query).content.decode()
        return {f"member{n}@" for n in (1, 2, 3) if f"member{n}@" in text}

    assert shown(level="rmt") == {"member1@", "member2@"}
    assert shown(province="BC") == {"member1@", "member2@"}
    assert shown(expiring="30") == {"member1@", "member3@"}
    assert shown(level="rmt", expiring="30", province="BC") == {"member1@"}
    assert shown(q="Name003") == {"member3@"}
    assert shown(q="  name003   TEST ") == {"member3@"}  # first and last name, any case
    # Nonsense is ignored, never an error.
    assert shown(expiring="9999", province="XX", status="<b>") == {
        "member1@",
        "member2@",
        "member3@",
    }
    export = client.get(
        reverse("membership_admin_members_export"), {"level": "rmt", "province": "BC"}
    )
    body = b"".join(export.streaming_content).decode()
    assert "member1@" in body and "member3@" not in body and ",BC," in body


def test_status_follows_renewals_rejoining_and_suspension(client, officer, rmt):
    from tide.membership.services import membership_end_early, membership_reinstate

    set_rules(grace_days=60)
    today = timezone.localdate()
    renewed = make_user("renewed@example.com")  # paid next year before this one ended
    MembershipPeriod.objects.create(
        user=renewed, level=rmt, starts_on=today - timedelta(days=300), ends_on=today
    )
    MembershipPeriod.objects.create(
        user=renewed,
        level=rmt,
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=365),
    )
    rejoined = make_user("rejoined@example.com")  # lapsed for a year, then joined again
    MembershipPeriod.objects.create(
        user=rejoined,
        level=rmt,
        starts_on=today - timedelta(days=900),
        ends_on=today - timedelta(days=500),
    )
    MembershipPeriod.objects.create(
        user=rejoined, level=rmt, starts_on=today, ends_on=today + timedelta(days=30)
    )
    not_yet = make_user("later@example.com")  # imported with a period that starts next month
    MembershipPeriod.objects.create(
        user=not_yet,
        level=rmt,
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=400),
    )
    suspended = make_user("suspended@example.com")
    MembershipPeriod.objects.create(
        user=suspended, level=rmt, starts_on=today, ends_on=today + timedelta(days=300)
    )
    membership_end_early(user=suspended, reason="suspended", note="Unpaid fine", by=officer)
    client.force_login(officer)

    def shown(**query) -> set[str]:
        text = client.get(MEMBERS, query).content.decode()
        return {who for who in ("renewed", "rejoined", "later", "suspended") if f"{who}@" in text}

    assert shown(status="active") == {"renewed", "rejoined"}
    assert shown(expiring="30") == {"rejoined"}  # the renewed member's year runs on
    assert shown(status="suspended") == {"suspended"}
    assert shown(status="lapsed") == set() and shown(status="in_grace") == set()

    membership_reinstate(user=suspended, by=officer)

    assert shown(status="active") == {"renewed", "rejoined", "suspended"}
    assert shown(status="suspended") == set()
