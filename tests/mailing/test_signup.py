"""Sign up → confirmation email with a signed link → thank-you page and the ebook by email."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tide.mailing.models import Consent, Contact, MailingSettings, Signup, may_send
from tide.mailing.services import signups_purge
from tide.mailing.signup import confirm_token, signup_offer

from .factories import make_ebook, make_list, subscribe

pytestmark = pytest.mark.django_db
WORDING = "Yes, email me the free ebook and news. I can unsubscribe at any time."


@pytest.fixture
def ebook_list():
    return make_list(name="Free ebook", slug="ebook", ebook=make_ebook())


def _post(client, mailing_list, **fields):
    data = {
        "offer": signup_offer(mailing_list, WORDING),
        "first_name": "Ana",
        "email": "Ana@Example.com",
        "consent": "on",
        **fields,
    }
    return client.post(reverse("mailing:signup"), data, REMOTE_ADDR="198.51.100.4")


def _link(message, name: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(rf"https://harbour\.example(/email/{name}/[^\s]+)", text).group(1)


def test_signing_up_sends_a_confirmation_link_and_subscribes_nobody_yet(
    client, ebook_list, smtp_inbox, association, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, ebook_list)

    assert response.status_code == 302
    assert response["Location"] == reverse("mailing:check_inbox")
    [message] = smtp_inbox.to("ana@example.com")
    assert "Confirm your subscription to “Free ebook”" in message["Subject"]
    assert _link(message, "confirm")
    assert not Contact.objects.exists()
    signup = Signup.objects.get()
    assert (signup.email, signup.wording, signup.ip_address) == (
        "ana@example.com",
        WORDING,
        "198.51.100.4",
    )


def test_confirming_records_express_consent_shows_the_download_and_emails_the_ebook(
    client, ebook_list, smtp_inbox, association, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, ebook_list)
    confirm_path = _link(smtp_inbox.messages[0][1], "confirm")

    page = client.get(confirm_path)
    assert page.status_code == 200
    assert not Contact.objects.exists()  # a GET (a link scanner) confirms nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_path, follow=True)

    assert response.status_code == 200
    assert "Thank you, Ana" in response.content.decode()
    assert "Download the ebook (PDF)" in response.content.decode()
    contact = Contact.objects.get(email="ana@example.com")
    consent = Consent.objects.get(contact=contact)
    assert (consent.kind, consent.source, consent.wording) == ("express", "form", WORDING)
    assert consent.ip_address == "198.51.100.4"
    assert may_send(contact, ebook_list)

    [ebook_email] = [
        m for m in smtp_inbox.to("ana@example.com") if "Your free ebook" in m["Subject"]
    ]
    download = client.get(_link(ebook_email, "download"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 the ebook"
    assert "attachment" in download["Content-Disposition"]


def test_confirming_twice_records_one_consent(client, ebook_list, association):
    signup = Signup.objects.create(mailing_list=ebook_list, email="ana@example.com", wording="w")
    path = reverse("mailing:confirm", args=[confirm_token(signup.pk)])

    client.post(path)
    client.post(path)

    assert Consent.objects.count() == 1


def test_signing_up_again_with_a_subscribed_address_reveals_nothing(
    client, ebook_list, smtp_inbox, association, django_capture_on_commit_callbacks
):
    subscribe(ebook_list, "known@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        known = _post(client, ebook_list, email="known@example.com")
        unknown = _post(client, ebook_list, email="new@example.com")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # Both get the same kind of email: a confirmation link.
    assert len(smtp_inbox.to("known@example.com")) == len(smtp_inbox.to("new@example.com")) == 1


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "Enter an email address like name@example.com."),
        ("someone@example", "Enter an email address like name@example.com."),
        ("a@b.com\r\nBcc: all@example.com", "Line breaks are not allowed here."),
        ("ana@mailinator.com", "throw-away inboxes cannot receive the ebook"),
        ("ana@yopmail.com", "throw-away inboxes cannot receive the ebook"),
    ],
)
def test_malformed_and_disposable_addresses_get_a_clear_message(
    client, ebook_list, email, message, association
):
    response = _post(client, ebook_list, email=email)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Signup.objects.exists()


def test_the_consent_box_must_be_ticked(client, ebook_list, association):
    response = _post(client, ebook_list, consent="")

    assert response.status_code == 400
    assert "Tick the box to agree" in response.content.decode()
    assert not Signup.objects.exists()


def test_a_tampered_offer_is_refused(client, ebook_list, association):
    offer = signup_offer(ebook_list, WORDING)
    response = _post(client, ebook_list, offer=offer[:-3] + "abc")

    assert response.status_code == 400
    assert "This form is out of date" in response.content.decode()
    assert not Signup.objects.exists()


def test_the_honeypot_looks_like_success_and_does_nothing(client, ebook_list, association):
    response = _post(client, ebook_list, website="https://spam.example")

    assert response.status_code == 302
    assert not Signup.objects.exists()


def test_too_many_signups_from_one_address_get_429(client, ebook_list, association):
    for _ in range(10):
        _post(client, ebook_list, email=f"a{_}@example.com")
    response = _post(client, ebook_list)

    assert response.status_code == 429


@pytest.mark.parametrize("how", ["tampered", "expired", "unknown"])
def test_bad_confirmation_links_get_a_friendly_page_and_change_nothing(
    client, ebook_list, how, association, settings
):
    signup = Signup.objects.create(mailing_list=ebook_list, email="ana@example.com", wording="w")
    token = confirm_token(signup.pk)
    if how == "tampered":
        token = signing.dumps(signup.pk + 1, salt="wrong")
    elif how == "expired":
        settings.MAILING_CONFIRM_DAYS = -1
    else:
        token = confirm_token(signup.pk + 99)

    response = client.post(reverse("mailing:confirm", args=[token]))

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert not Contact.objects.exists()


def test_unconfirmed_signups_are_purged_after_30_days(ebook_list):
    old = Signup.objects.create(
        mailing_list=ebook_list,
        email="old@example.com",
        wording="w",
        created_at=timezone.now() - timedelta(days=31),
    )
    recent = Signup.objects.create(mailing_list=ebook_list, email="new@example.com", wording="w")
    confirmed = Signup.objects.create(
        mailing_list=ebook_list,
        email="yes@example.com",
        wording="w",
        created_at=timezone.now() - timedelta(days=60),
        confirmed_at=timezone.now() - timedelta(days=59),
    )

    assert signups_purge() == 1
    assert set(Signup.objects.values_list("pk", flat=True)) == {recent.pk, confirmed.pk}
    assert not Signup.objects.filter(pk=old.pk).exists()


def test_the_home_page_shows_the_signup_section(client, ebook_list, association):
    settings = MailingSettings.load()
    settings.home_list = ebook_list
    settings.save()
    html = render_to_string("website/includes/signup_slot.html", {})
    assert "Join our community and get the free ebook" in html
    assert WORDING not in html  # the default wording, not this test's
    assert 'name="offer"' in html
