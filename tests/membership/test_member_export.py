"""Staff download the members list as CSV; spreadsheet formulas never run from it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user

from .factories import make_period

pytestmark = pytest.mark.django_db

EXPORT = reverse("membership_admin_members_export")


@pytest.fixture
def officer(db):
    user = make_user("officer@example.com", staff=True, mfa=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "view_membershipperiod"])
    )
    return user


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_officer_downloads_every_member_with_level_status_and_expiry(client, officer, rmt):
    today = timezone.localdate()
    make_period(
        make_user("amelie@example.com", first_name="Amélie", last_name="Côté"),
        rmt,
        ends_on=today + timedelta(days=200),
    )
    make_period(
        make_user("old@example.com", first_name="Olga", last_name="Old"),
        rmt,
        ends_on=today - timedelta(days=400),
    )
    client.force_login(officer)

    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _rows(response)
    assert header == ["Last name", "First name", "Email", "Level", "Province", "Status", "Ends on"]
    assert [row[:6] for row in rows] == [
        ["Côté", "Amélie", "amelie@example.com", "RMT", "", "active"],
        ["Old", "Olga", "old@example.com", "RMT", "", "lapsed"],
    ]


def test_the_status_filter_applies_to_the_download(client, officer, rmt):
    make_period(
        make_user("amelie@example.com", last_name="Côté"),
        rmt,
        ends_on=timezone.localdate() + timedelta(days=200),
    )
    client.force_login(officer)

    _, *lapsed = _rows(client.get(EXPORT, {"status": "lapsed"}))

    assert lapsed == []


def test_a_name_written_as_a_formula_is_exported_as_text(client, officer, rmt):
    make_period(
        make_user("evil@example.com", first_name='=HYPERLINK("http://x","y")'),
        rmt,
        ends_on=timezone.localdate() + timedelta(days=200),
    )
    client.force_login(officer)

    _, row = _rows(client.get(EXPORT))

    assert row[1] == '\'=HYPERLINK("http://x","y")'


def test_staff_without_the_permission_and_members_get_no_export(
    client, staff_without_permission, member
):
    client.force_login(staff_without_permission)
    assert client.get(EXPORT).status_code == 403

    client.force_login(member)
    response = client.get(EXPORT)
    assert response.status_code in (302, 403)
    assert not getattr(response, "streaming", False)
