"""Bounces and complaints through django-anymail's tracking webhooks (Postmark's format here;
anymail normalises every provider to the same events)."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse

from tide.mailing.models import Delivery, may_send
from tide.mailing.sending import broadcast_progress

from .factories import make_broadcast, make_list, subscribe

pytestmark = pytest.mark.django_db
SECRET = "tide:webhook-password"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


@pytest.fixture
def newsletter():
    return make_list()


def _post(client, payload: dict, *, secret: str = SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        reverse("mailing:anymail:postmark_tracking_webhook"),
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def _bounce(email: str, kind: str = "HardBounce", broadcast_id: int | None = None) -> dict:
    return {
        "RecordType": "Bounce",
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 4096,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": email,
        "BouncedAt": "2026-11-27T21:00:00Z",
        "Description": "The server was unable to deliver your message",
        "Metadata": {"broadcast": str(broadcast_id)} if broadcast_id else {},
        "Tag": "broadcast",
    }


def _complaint(email: str) -> dict:
    return {**_bounce(email, "SpamComplaint"), "TypeCode": 512}


def test_a_hard_bounce_suppresses_the_address(client, newsletter):
    contact = subscribe(newsletter, "gone@example.com")

    response = _post(client, _bounce("gone@example.com"))

    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.suppressed_reason == "hard_bounce"
    assert not may_send(contact, newsletter)


def test_a_complaint_suppresses_the_address_and_counts_for_the_broadcast(
    client, newsletter, association, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    contact = subscribe(newsletter, "angry@example.com")
    broadcast = make_broadcast(newsletter)
    Delivery.objects.create(broadcast=broadcast, contact=contact, status="sent")

    assert (
        _post(
            client,
            {**_complaint("angry@example.com"), "Metadata": {"broadcast": str(broadcast.pk)}},
        ).status_code
        == 200
    )

    contact.refresh_from_db()
    assert contact.suppressed_reason == "complaint"
    assert broadcast_progress(broadcast)["complained"] == 1


def test_soft_bounces_suppress_after_the_threshold(client, newsletter, settings):
    settings.MAILING_SOFT_BOUNCE_LIMIT = 3
    contact = subscribe(newsletter, "full@example.com")

    for _ in range(2):
        _post(client, _bounce("full@example.com", "SoftBounce"))
    contact.refresh_from_db()
    assert contact.soft_bounces == 2 and may_send(contact, newsletter)

    _post(client, _bounce("full@example.com", "SoftBounce"))
    contact.refresh_from_db()
    assert contact.suppressed_reason == "soft_bounces"


@pytest.mark.parametrize("secret", ["tide:wrong", "someone:else", ""])
def test_a_webhook_with_the_wrong_secret_is_refused_and_changes_nothing(client, newsletter, secret):
    contact = subscribe(newsletter, "gone@example.com")

    response = _post(client, _bounce("gone@example.com"), secret=secret)

    assert response.status_code == 400
    contact.refresh_from_db()
    assert not contact.is_suppressed


def test_without_a_configured_secret_the_webhooks_do_not_exist(client, newsletter, settings):
    settings.ANYMAIL = {}
    contact = subscribe(newsletter, "gone@example.com")

    assert _post(client, _bounce("gone@example.com")).status_code == 404
    contact.refresh_from_db()
    assert not contact.is_suppressed


def test_an_event_for_an_unknown_address_is_accepted_and_ignored(client, newsletter):
    assert _post(client, _bounce("stranger@example.com")).status_code == 200
