"""Implied consent from a membership or a purchase (`consent_imply`): two years, renewed
by the next one, and never a way back onto a list someone left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tide.mailing.models import Consent, Contact, MailingSettings, SuppressionReason, may_send
from tide.mailing.services import consent_imply, contact_suppress, list_unsubscribe

from .factories import make_list, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def main_list():
    newsletter = make_list(name="News", slug="news")
    settings = MailingSettings.load()
    settings.home_list = newsletter
    settings.save()
    return newsletter


def test_a_purchase_puts_the_buyer_on_the_main_list_for_two_years(main_list):
    given = timezone.now()

    consent = consent_imply(email="Buyer@Example.com", source="purchase", first_name="Bea")

    contact = Contact.objects.get(email="buyer@example.com")
    assert contact.first_name == "Bea"
    assert (consent.kind, consent.source, consent.mailing_list) == (
        "implied",
        "purchase",
        main_list,
    )
    assert "bought from the association" in consent.wording
    assert may_send(contact, main_list)
    assert not may_send(contact, main_list, at=given + timedelta(days=731))


def test_a_renewal_two_years_on_keeps_the_member_on_the_list(main_list, member):
    first = timezone.now() - timedelta(days=700)
    consent_imply(email=member.email, source="membership", user=member, given_at=first)
    contact = Contact.objects.get(email=member.email)
    assert not may_send(contact, main_list, at=first + timedelta(days=731))

    consent_imply(email=member.email, source="membership", user=member)

    assert may_send(contact, main_list, at=first + timedelta(days=731))
    assert contact.consents.count() == 2


def test_the_same_event_twice_records_one_consent(main_list):
    first = consent_imply(email="a@example.com", source="purchase")
    again = consent_imply(email="a@example.com", source="purchase")

    assert again == first
    assert Consent.objects.count() == 1


def test_someone_who_left_the_list_is_not_put_back_by_a_purchase(main_list):
    contact = subscribe(main_list, "left@example.com")
    list_unsubscribe(contact=contact, mailing_list=main_list, how="page")

    assert consent_imply(email="left@example.com", source="purchase") is None
    assert not may_send(contact, main_list)


@pytest.mark.parametrize(
    "reason",
    [SuppressionReason.UNSUBSCRIBED, SuppressionReason.HARD_BOUNCE, SuppressionReason.COMPLAINT],
)
def test_a_suppressed_address_gets_no_implied_consent(main_list, reason):
    contact = subscribe(main_list, "gone@example.com")
    contact_suppress(contact=contact, reason=reason)

    assert consent_imply(email="gone@example.com", source="membership") is None
    assert not may_send(contact, main_list)


def test_express_consent_is_not_replaced_by_a_lapsing_one(main_list):
    contact = subscribe(main_list, "fan@example.com")

    assert consent_imply(email="fan@example.com", source="purchase") is None
    assert list(contact.consents.values_list("kind", flat=True)) == ["express"]


def test_another_list_can_be_named(main_list):
    digest = make_list(name="Research digest", slug="digest")

    consent_imply(email="a@example.com", source="membership", mailing_list=digest)

    contact = Contact.objects.get(email="a@example.com")
    assert may_send(contact, digest) and not may_send(contact, main_list)


def test_nothing_is_recorded_without_a_main_list_or_for_a_bad_address(db):
    assert consent_imply(email="a@example.com", source="purchase") is None
    newsletter = make_list()
    assert consent_imply(email="not an address", source="purchase", mailing_list=newsletter) is None
    assert not Consent.objects.exists()


def test_only_membership_and_purchase_imply_consent(main_list):
    with pytest.raises(ValueError):
        consent_imply(email="a@example.com", source="form")
