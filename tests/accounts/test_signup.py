"""Signing up: name, email and password, then a verification email."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD, make_user
from tide.accounts.models import User

pytestmark = pytest.mark.django_db


def signup(client, capture, **fields):
    data = {
        "first_name": "Ann",
        "last_name": "Archer",
        "email": "ann@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(fields)
    with capture(execute=True):
        return client.post(reverse("account_signup"), data)


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def test_signup_sends_a_verification_email_with_a_link(client, django_capture_on_commit_callbacks):
    response = signup(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann@example.com"]
    assert "confirm" in message.subject.lower()
    assert any("/accounts/confirm-email/" in link for link in links_in(message))
    # The greeting names the site (it was "Hello from !" while Tide's adapter dropped allauth's context).
    assert "Hello from !" not in message.body
    assert "Hello from testserver!" in message.body
    user = User.objects.get(email="ann@example.com")
    assert (user.first_name, user.last_name) == ("Ann", "Archer")
    assert not user.emailaddress_set.get().verified


def test_new_member_cannot_log_in_before_verifying(client, django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks)
    client.logout()

    response = client.post(
        reverse("account_login"), {"login": "ann@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("accounts:settings")).status_code == 302


def test_following_the_verification_link_verifies_the_email_and_logs_in(
    client, django_capture_on_commit_callbacks
):
    signup(client, django_capture_on_commit_callbacks)
    link = next(link for link in links_in(mail.outbox[0]) if "/accounts/confirm-email/" in link)
    path = link.removeprefix("http://testserver")

    page = client.get(path)
    assert page.status_code == 200
    assert "ann@example.com" in page.content.decode()
    response = client.post(path)

    assert response.status_code == 302
    user = User.objects.get(email="ann@example.com")
    assert user.emailaddress_set.get().verified
    settings_page = client.get(reverse("accounts:settings"))
    assert settings_page.status_code == 200
    assert "You are signed in as ann@example.com" in settings_page.content.decode()


@pytest.mark.parametrize("password", ["short pass1", "password1234", "qwertyuiop123"])
def test_short_or_common_password_is_refused_and_no_account_is_made(
    client, django_capture_on_commit_callbacks, password
):
    response = signup(
        client, django_capture_on_commit_callbacks, password1=password, password2=password
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "password1" in errors
    assert not User.objects.exists()
    assert mail.outbox == []


def test_password_of_64_characters_without_symbols_is_accepted(
    client, django_capture_on_commit_callbacks
):
    password = "a long passphrase made only of plain lowercase words and spaces "[:64]
    assert len(password) == 64

    response = signup(
        client, django_capture_on_commit_callbacks, password1=password, password2=password
    )

    assert response.status_code == 302
    assert User.objects.get(email="ann@example.com").check_password(password)


def test_posted_staff_and_superuser_flags_are_ignored(client, django_capture_on_commit_callbacks):
    signup(
        client, django_capture_on_commit_callbacks, is_staff="on", is_superuser="on", is_active="on"
    )

    user = User.objects.get(email="ann@example.com")
    assert not user.is_staff
    assert not user.is_superuser


def test_signing_up_with_a_taken_email_looks_the_same_and_warns_the_owner(
    client, django_capture_on_commit_callbacks
):
    owner = make_user("taken@example.com", first_name="Tara")
    fresh = signup(client, django_capture_on_commit_callbacks, email="fresh@example.com")
    client.logout()
    mail.outbox.clear()

    taken = signup(
        client, django_capture_on_commit_callbacks, email="taken@example.com", first_name="Mallory"
    )

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert User.objects.filter(email="taken@example.com").count() == 1
    owner.refresh_from_db()
    assert owner.first_name == "Tara"
    assert owner.check_password(PASSWORD)
    assert [message.to for message in mail.outbox] == [["taken@example.com"]]
    warning = mail.outbox[0]
    assert warning.subject == "Account Already Exists"
    assert "taken@example.com" in warning.body
    assert "/accounts/password/reset/" in warning.body
    assert "/accounts/confirm-email/" not in warning.body


def test_email_with_capitals_is_stored_in_lower_case(client, django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks, email="Ann.Archer@Example.COM")

    user = User.objects.get()
    assert user.email == "ann.archer@example.com"
    assert user.emailaddress_set.get().email == "ann.archer@example.com"
    assert mail.outbox[0].to == ["ann.archer@example.com"]
