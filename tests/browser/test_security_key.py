"""A member adds a security key in a real browser, then signs in with it.

Chromium's virtual authenticator (DevTools protocol, WebAuthn domain) plays the USB key:
it creates and signs credentials for navigator.credentials, touched and PIN-verified at once.
WebAuthn does not accept an IP address as relying-party ID, so the journeys use "localhost"
(a secure context over plain HTTP, and in ALLOWED_HOSTS) instead of the live server's
127.0.0.1; allauth takes the RP ID from the request's host.
"""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user

from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("wagtail_tree"),
]

EMAIL = "member@example.com"


def add_virtual_authenticator(page) -> tuple[object, str]:
    """A CTAP2 USB key with resident keys and user verification, touched automatically."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, authenticator["authenticatorId"]


def key_credentials(cdp, authenticator_id: str) -> list[dict]:
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]


def base_url(live_server) -> str:
    return live_server.url.replace("127.0.0.1", "localhost")


def add_security_key(page, url: str, *, passwordless: bool) -> None:
    """From the two-factor page through allauth's real add flow, password check included."""
    page.goto(url + reverse("mfa_index"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    expect(page.get_by_text("No security keys have been added.")).to_be_visible()
    page.get_by_role("link", name="Add", exact=True).click()

    # Adding a second factor always asks for the password again ("Confirm Access").
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=%2Faccounts%2F2fa%2F"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_add_webauthn")) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Security Key")
    page.get_by_label("Name").fill("Blue USB key")
    if passwordless:
        page.get_by_label("Passwordless").check()
    page.get_by_role("button", name="Add", exact=True).click()

    # The first key also brings recovery codes, shown straight away.
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_view_recovery_codes")) + "$"))
    expect(page.get_by_label("Unused codes")).not_to_be_empty()

    # The two-factor page counts the key; the key list names it.
    page.goto(url + reverse("mfa_index"))
    expect(page.get_by_text("You have added 1 security key.")).to_be_visible()
    page.get_by_role("link", name="Manage", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_list_webauthn")) + "$"))
    row = page.get_by_role("row").filter(has_text="Blue USB key")
    expect(row).to_have_count(1)
    if passwordless:
        expect(row).to_contain_text("Passkey")
    else:
        expect(row).not_to_contain_text("Passkey")


def log_out(page, url: str) -> None:
    page.goto(url + reverse("accounts:settings"))
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    page.goto(url + reverse("accounts:settings"))
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def expect_signed_in(page, url: str) -> None:
    expect(page).to_have_url(url + reverse("accounts:settings"))
    expect(page.get_by_text(f"You are signed in as {EMAIL}.")).to_be_visible()


def test_member_adds_security_key_and_uses_it_as_second_factor(live_server, page):
    user = make_user(EMAIL, first_name="Mara")
    url = base_url(live_server)
    cdp, authenticator_id = add_virtual_authenticator(page)

    log_in(page, url, EMAIL, PASSWORD)
    expect_signed_in(page, url)
    add_security_key(page, url, passwordless=False)

    # The key holds one (non-resident) credential; the server stored the matching authenticator.
    credentials = key_credentials(cdp, authenticator_id)
    assert len(credentials) == 1
    assert credentials[0]["rpId"] == "localhost"
    assert credentials[0]["isResidentCredential"] is False
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1
    signatures = credentials[0]["signCount"]
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    log_out(page, url)

    # Password alone is not enough now: the second step asks for the key.
    log_in(page, url, EMAIL, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    page.get_by_role("button", name="Use a security key").click()

    expect_signed_in(page, url)
    # The key really signed this login.
    assert key_credentials(cdp, authenticator_id)[0]["signCount"] > signatures


def test_member_signs_in_with_a_passkey(live_server, page):
    make_user(EMAIL, first_name="Mara")
    url = base_url(live_server)
    cdp, authenticator_id = add_virtual_authenticator(page)

    log_in(page, url, EMAIL, PASSWORD)
    expect_signed_in(page, url)
    add_security_key(page, url, passwordless=True)
    credentials = key_credentials(cdp, authenticator_id)
    assert len(credentials) == 1
    assert credentials[0]["isResidentCredential"] is True
    signatures = credentials[0]["signCount"]

    log_out(page, url)

    # No email, no password: the passkey alone signs the member in.
    page.goto(url + reverse("account_login"))
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect_signed_in(page, url)
    assert key_credentials(cdp, authenticator_id)[0]["signCount"] > signatures
