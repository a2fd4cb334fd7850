"""Consent and suppression decide who may be sent a list's marketing (`may_send`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tide.mailing.models import Consent, Contact, SuppressionReason, may_send
from tide.mailing.services import contact_suppress, list_unsubscribe

from .factories import make_list, subscribe

pytestmark = pytest.mark.django_db


def test_nobody_is_sendable_without_a_consent_for_that_list():
    newsletter, digest = make_list(), make_list(name="Research digest", slug="digest")
    contact = subscribe(newsletter, "ana@example.com")

    assert may_send(contact, newsletter)
    assert not may_send(contact, digest)


def test_consent_keeps_the_evidence():
    newsletter = make_list()
    contact = subscribe(newsletter, "ana@example.com")

    consent = Consent.objects.get(contact=contact)
    assert consent.kind == "express"
    assert consent.source == "form"
    assert consent.wording == "Yes, email me."
    assert consent.ip_address == "203.0.113.7"
    assert consent.expires_at is None  # express consent lasts until withdrawn


def test_implied_consent_lapses_after_two_years(settings):
    newsletter = make_list()
    given = timezone.now() - timedelta(days=729)
    contact = subscribe(
        newsletter, "ana@example.com", kind="implied", source="membership", given_at=given
    )

    assert may_send(contact, newsletter)
    assert not may_send(contact, newsletter, at=given + timedelta(days=731))
    assert Consent.objects.get().expires_at == given + timedelta(days=730)


def test_the_implied_consent_period_is_a_setting(settings):
    settings.MAILING_IMPLIED_CONSENT_DAYS = 180  # an inquiry: six months
    newsletter = make_list()
    given = timezone.now() - timedelta(days=181)
    contact = subscribe(newsletter, "ana@example.com", kind="implied", given_at=given)

    assert not may_send(contact, newsletter)


def test_renewed_implied_consent_is_live_again():
    newsletter = make_list()
    old = timezone.now() - timedelta(days=800)
    subscribe(newsletter, "ana@example.com", kind="implied", given_at=old)
    contact = subscribe(newsletter, "ana@example.com", kind="implied")

    assert may_send(contact, newsletter)


def test_express_consent_outlives_the_implied_period():
    newsletter = make_list()
    given = timezone.now() - timedelta(days=3000)
    contact = subscribe(newsletter, "ana@example.com", given_at=given)

    assert may_send(contact, newsletter)


def test_unsubscribing_from_one_list_leaves_the_others():
    newsletter, digest = make_list(), make_list(name="Research digest", slug="digest")
    contact = subscribe(newsletter, "ana@example.com")
    subscribe(digest, "ana@example.com")

    list_unsubscribe(contact=contact, mailing_list=newsletter, how="page")

    assert not may_send(contact, newsletter)
    assert may_send(contact, digest)


@pytest.mark.parametrize(
    "reason",
    [SuppressionReason.HARD_BOUNCE, SuppressionReason.COMPLAINT, SuppressionReason.UNSUBSCRIBED],
)
def test_suppression_stops_every_list_at_once(reason):
    newsletter, digest = make_list(), make_list(name="Research digest", slug="digest")
    contact = subscribe(newsletter, "ana@example.com")
    subscribe(digest, "ana@example.com")

    contact_suppress(contact=contact, reason=reason)

    assert not may_send(contact, newsletter)
    assert not may_send(contact, digest)
    assert Contact.objects.sendable(newsletter).count() == 0


def test_suppression_does_not_stop_transactional_email(
    smtp_inbox, association, django_capture_on_commit_callbacks
):
    from tide.mailing.transactional import email_send_template

    contact = subscribe(make_list(), "ana@example.com")
    contact_suppress(contact=contact, reason=SuppressionReason.COMPLAINT)
    with django_capture_on_commit_callbacks(execute=True):
        email_send_template(
            "mailing/email/signup_confirm",
            to="ana@example.com",
            context={"mailing_list": {"name": "x"}, "confirm_url": "https://x", "days": 7},
        )

    assert len(smtp_inbox.to("ana@example.com")) == 1
