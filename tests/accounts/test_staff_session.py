"""Staff sessions end after 30 minutes idle or 12 hours in all; members keep theirs."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("accounts:settings")
MINUTE = 60
HOUR = 3600


@pytest.fixture
def clock(monkeypatch):
    """The middleware's clock, moved forward by the test."""
    fake = SimpleNamespace(now=time.time())
    monkeypatch.setattr("tide.accounts.middleware.time", SimpleNamespace(time=lambda: fake.now))
    return fake


def is_logged_in(client) -> bool:
    return client.get(SETTINGS_URL).status_code == 200


def test_staff_idle_for_more_than_thirty_minutes_is_logged_out(
    client, clock, staff_without_permission
):
    login(client, staff_without_permission)
    assert client.get("/admin/").status_code == 200

    clock.now += 31 * MINUTE
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[0] == (f"{reverse('account_login')}?next=%2Fadmin%2F", 302)
    assert "Your staff session expired. Please log in again." in response.content.decode()
    assert not is_logged_in(client)


def test_staff_idle_for_twenty_nine_minutes_stays_logged_in(
    client, clock, staff_without_permission
):
    login(client, staff_without_permission)
    assert client.get("/admin/").status_code == 200

    clock.now += 29 * MINUTE

    assert client.get("/admin/").status_code == 200
    clock.now += 29 * MINUTE
    assert client.get("/admin/").status_code == 200


def test_staff_session_ends_after_twelve_hours_even_when_busy(
    client, clock, staff_without_permission
):
    login(client, staff_without_permission)
    assert client.get("/admin/").status_code == 200

    # A page every 20 minutes for just under 12 hours keeps the session open ...
    for _ in range(35):
        clock.now += 20 * MINUTE
        assert client.get("/admin/").status_code == 200, "logged out too early"
    # ... and the first page after 12 hours does not open.
    clock.now += 20 * MINUTE + 1
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not is_logged_in(client)


def test_expired_staff_session_is_not_revived_by_an_old_cookie(
    client, clock, staff_without_permission
):
    login(client, staff_without_permission)
    client.get("/admin/")
    old_cookie = client.cookies["sessionid"].value

    clock.now += 31 * MINUTE
    client.get("/admin/")
    client.cookies["sessionid"] = old_cookie

    assert client.get("/admin/").status_code == 302
    assert not is_logged_in(client)


def test_members_session_is_not_cut_short(client, clock, member):
    login(client, member)
    assert is_logged_in(client)

    clock.now += 13 * HOUR

    assert is_logged_in(client)
    clock.now += 3 * 24 * HOUR
    assert is_logged_in(client)


def test_staff_idle_limit_applies_outside_the_back_office_too(
    client, clock, staff_without_permission
):
    login(client, staff_without_permission)
    assert is_logged_in(client)

    clock.now += 31 * MINUTE

    assert not is_logged_in(client)


def test_an_editor_given_back_office_access_by_group_gets_a_staff_session(client, clock, db):
    from django.contrib.auth.models import Group, Permission

    from tests.conftest import make_user

    editor = make_user("editor@example.com", mfa=True)  # not is_staff: access comes from the group
    group = Group.objects.create(name="Web editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)
    login(client, editor)
    assert client.get("/admin/").status_code == 200

    clock.now += 31 * MINUTE

    assert client.get(SETTINGS_URL).status_code == 302
    assert not is_logged_in(client)
