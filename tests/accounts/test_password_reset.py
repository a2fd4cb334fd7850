"""Forgotten password: a reset link by email, only for a known address."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase for spring"


def request_reset(client, capture, email: str):
    with capture(execute=True):
        return client.post(reverse("account_reset_password"), {"email": email})


def reset_link(message) -> str:
    [link] = re.findall(r"http://testserver(/accounts/password/reset/key/\S+)", message.body)
    return link


def test_known_address_gets_a_reset_link(client, member, django_capture_on_commit_callbacks):
    response = request_reset(client, django_capture_on_commit_callbacks, "member@example.com")

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@example.com"]
    assert message.subject == "Password Reset Email"
    assert reset_link(message)


def test_unknown_address_gets_no_reset_link(client, member, django_capture_on_commit_callbacks):
    response = request_reset(client, django_capture_on_commit_callbacks, "stranger@example.com")

    assert response.status_code == 302
    # allauth tells the stranger there is no account here, without a link that could reset anything.
    assert [message.to for message in mail.outbox] == [["stranger@example.com"]]
    assert mail.outbox[0].subject == "Unknown Account"
    assert "/accounts/password/reset/key/" not in mail.outbox[0].body


def test_reset_link_sets_a_new_password_that_then_works(
    client, member, django_capture_on_commit_callbacks
):
    request_reset(client, django_capture_on_commit_callbacks, "member@example.com")
    link = reset_link(mail.outbox[0])

    # allauth moves the key out of the URL into the session, then shows the form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    client.logout()
    old = client.post(
        reverse("account_login"), {"login": "member@example.com", "password": PASSWORD}
    )
    assert old.status_code == 200
    new = client.post(
        reverse("account_login"), {"login": "member@example.com", "password": NEW_PASSWORD}
    )
    assert new.status_code == 302
    assert client.get(reverse("accounts:settings")).status_code == 200


def test_reset_link_works_only_once(client, member, django_capture_on_commit_callbacks):
    request_reset(client, django_capture_on_commit_callbacks, "member@example.com")
    link = reset_link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()

    again = client.get(link, follow=True)

    assert "The password reset link was invalid" in again.content.decode()


def test_reset_form_refuses_a_short_password(client, member, django_capture_on_commit_callbacks):
    request_reset(client, django_capture_on_commit_callbacks, "member@example.com")
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    form_url = form_page.redirect_chain[-1][0]

    response = client.post(form_url, {"password1": "short1", "password2": "short1"})

    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
