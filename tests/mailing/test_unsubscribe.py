"""The footer link's page, the RFC 8058 one-click POST, and the preference centre."""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse

from tide.mailing.models import Consent, may_send
from tide.mailing.signup import unsubscribe_token

from .factories import make_list, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists():
    return make_list(name="Self-care notes"), make_list(name="Research digest", slug="digest")


@pytest.fixture
def ana(lists):
    contact = subscribe(lists[0], "ana@example.com", first_name="Ana")
    subscribe(lists[1], "ana@example.com")
    return contact


def _token(contact, mailing_list) -> str:
    return unsubscribe_token(contact.pk, mailing_list.pk, None)


def test_opening_the_unsubscribe_link_changes_nothing(client, lists, ana, association):
    response = client.get(reverse("mailing:unsubscribe", args=[_token(ana, lists[0])]))

    assert response.status_code == 200
    assert "Stop sending “Self-care notes” to ana@example.com?" in response.content.decode()
    assert may_send(ana, lists[0])


def test_one_button_unsubscribes_from_that_list_only(client, lists, ana, association):
    response = client.post(reverse("mailing:unsubscribe", args=[_token(ana, lists[0])]))

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not may_send(ana, lists[0])
    assert may_send(ana, lists[1])


def test_the_one_click_post_needs_no_cookie_or_csrf_token_and_returns_no_page(
    lists, ana, association
):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("mailing:unsubscribe_one_click", args=[_token(ana, lists[0])]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert not may_send(ana, lists[0])


def test_a_get_to_the_one_click_url_changes_nothing(client, lists, ana):
    response = client.get(reverse("mailing:unsubscribe_one_click", args=[_token(ana, lists[0])]))

    assert response.status_code == 405
    assert may_send(ana, lists[0])


@pytest.mark.parametrize("how", ["tampered", "expired", "wrong salt"])
@pytest.mark.parametrize("view", ["unsubscribe", "preferences"])
def test_bad_unsubscribe_links_get_a_friendly_page_and_change_nothing(
    client, lists, ana, how, view, settings, association
):
    token = _token(ana, lists[0])
    if how == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif how == "expired":
        settings.MAILING_UNSUBSCRIBE_LINK_DAYS = -1
    else:
        token = signing.dumps([ana.pk, lists[0].pk, None], salt="tide.mailing.confirm")

    response = client.post(reverse(f"mailing:{view}", args=[token]), {"leave_all": "1"})
    one_click = client.post(reverse("mailing:unsubscribe_one_click", args=[token]))

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert one_click.status_code == 400
    assert may_send(ana, lists[0]) and may_send(ana, lists[1])


def test_the_preference_centre_keeps_the_chosen_lists(client, lists, ana, association):
    url = reverse("mailing:preferences", args=[_token(ana, lists[0])])
    page = client.get(url)
    assert page.status_code == 200
    assert "Research digest" in page.content.decode()

    response = client.post(url, {"lists": [lists[1].pk]})

    assert response.status_code == 200
    assert "Your choices are saved." in response.content.decode()
    assert not may_send(ana, lists[0])
    assert may_send(ana, lists[1])


def test_choosing_a_new_list_records_express_consent(client, lists, association):
    contact = subscribe(lists[0], "bo@example.com")
    url = reverse("mailing:preferences", args=[_token(contact, lists[0])])

    client.post(url, {"lists": [lists[0].pk, lists[1].pk]}, REMOTE_ADDR="198.51.100.9")

    consent = Consent.objects.get(contact=contact, mailing_list=lists[1])
    assert (consent.kind, consent.source, consent.ip_address) == (
        "express",
        "preferences",
        "198.51.100.9",
    )
    assert "Research digest" in consent.wording


def test_leaving_every_list_suppresses_the_address(client, lists, ana, association):
    url = reverse("mailing:preferences", args=[_token(ana, lists[0])])

    response = client.post(url, {"leave_all": "1"})

    assert "You have left every list" in response.content.decode()
    ana.refresh_from_db()
    assert ana.suppressed_reason == "unsubscribed"
    assert not may_send(ana, lists[0]) and not may_send(ana, lists[1])


def test_unsubscribe_pages_are_never_cached(client, lists, ana, association):
    response = client.get(reverse("mailing:unsubscribe", args=[_token(ana, lists[0])]))

    assert "no-cache" in response["Cache-Control"]
    assert "X-Page-Cache" not in response
