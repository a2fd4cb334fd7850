"""Logging in and out with email and password, and the brute-force limits."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

WRONG = "not the right password"


def log_in(client, email: str, password: str, ip: str = "203.0.113.1"):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip
    )


def is_logged_in(client) -> bool:
    return client.get(reverse("accounts:settings")).status_code == 200


def test_member_logs_in_with_email_and_password(client, member):
    response = log_in(client, "member@example.com", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:settings")
    assert (
        "You are signed in as member@example.com"
        in client.get(response["Location"]).content.decode()
    )


def test_email_in_capitals_logs_in_too(client, member):
    response = log_in(client, "Member@Example.COM", PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_wrong_password_shows_an_error_and_does_not_log_in(client, member):
    response = log_in(client, "member@example.com", WRONG)

    assert response.status_code == 200
    assert (
        "The email address and/or password you specified are not correct."
        in response.content.decode()
    )
    assert not is_logged_in(client)


def test_login_gives_the_browser_a_new_session_key(client, member):
    before = client.session.session_key
    assert before

    log_in(client, "member@example.com", PASSWORD)

    after = client.session.session_key
    assert after != before
    assert is_logged_in(client)


def test_logout_ends_the_session(client, member):
    log_in(client, "member@example.com", PASSWORD)
    old_key = client.session.session_key

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not is_logged_in(client)
    assert not Session.objects.filter(session_key=old_key).exists()


def test_logout_by_get_only_asks_for_confirmation(client, member):
    log_in(client, "member@example.com", PASSWORD)

    response = client.get(reverse("account_logout"))

    assert response.status_code == 200
    assert is_logged_in(client)


def test_eleventh_failed_login_for_one_account_is_refused_even_with_the_right_password(
    client, member
):
    # Ten failures, each from a different address, so only the per-account limit applies.
    for attempt in range(10):
        response = log_in(client, "member@example.com", WRONG, ip=f"198.51.100.{attempt + 1}")
        assert "Too many failed login attempts" not in response.content.decode()

    response = log_in(client, "member@example.com", PASSWORD, ip="198.51.100.99")

    # allauth answers with the login form again (200) and an error, not a 429.
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert not is_logged_in(client)


def test_ten_failed_logins_from_one_address_block_that_address_for_other_accounts(
    client, member, other_member
):
    for attempt in range(10):
        log_in(client, f"nobody{attempt}@example.com", WRONG, ip="203.0.113.7")

    blocked = log_in(client, "other@example.com", PASSWORD, ip="203.0.113.7")
    assert "Too many failed login attempts. Try again later." in blocked.content.decode()
    assert not is_logged_in(client)

    elsewhere = log_in(client, "other@example.com", PASSWORD, ip="203.0.113.8")
    assert elsewhere.status_code == 302


def test_account_lock_lifts_by_itself_after_fifteen_minutes(client, member, monkeypatch):
    now = time.time()
    clock = SimpleNamespace(time=lambda: now, monotonic=time.monotonic, sleep=time.sleep)
    monkeypatch.setattr("allauth.core.internal.ratelimit.time", clock)
    for attempt in range(10):
        log_in(client, "member@example.com", WRONG, ip=f"198.51.100.{attempt + 1}")
    assert "Too many failed" in log_in(client, "member@example.com", PASSWORD).content.decode()

    now += 15 * 60 + 1
    response = log_in(client, "member@example.com", PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_password_reset_answers_the_same_for_known_and_unknown_emails(
    client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": "member@example.com"})
        unknown = client.post(reverse("account_reset_password"), {"email": "stranger@example.com"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("account_reset_password_done")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "member@example.com",
        "stranger@example.com",
    ]


def test_unknown_and_known_emails_get_the_same_login_error(client, member):
    known = log_in(client, "member@example.com", WRONG)
    unknown = log_in(client, "stranger@example.com", WRONG)

    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


def test_deactivated_account_cannot_log_in(client, db):
    make_user("gone@example.com", is_active=False)

    response = log_in(client, "gone@example.com", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert not is_logged_in(client)
