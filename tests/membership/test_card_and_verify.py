"""The membership card (PDF) and the public verification page its QR code opens."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.conftest import make_user
from tide.association.models import AssociationSettings
from tide.membership.cards import CARD_SIZE_MM, period_from_token, verification_token
from tide.membership.models import MembershipPeriod
from tide.membership.services import application_approve

from .factories import make_paid_application

pytestmark = pytest.mark.django_db

CARD = reverse("membership:card")
PORTAL = reverse("membership:portal")
MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture(autouse=True)
def association(db):
    settings = AssociationSettings.load()
    settings.name = "Harbour RMT Association"
    settings.email = "members@harbour.example"
    settings.save()
    return settings


@pytest.fixture
def amelie(db):
    return make_user("amelie@example.com", first_name="Amélie", last_name="Côté")


@pytest.fixture
def period(amelie, rmt, officer):
    """Amélie, approved as an RMT: in good standing until the end of the membership year."""
    application = make_paid_application(
        amelie, rmt, legal_name="Amélie Côté-O'Brien", registration_number="U4812"
    )
    return application_approve(application=application, by=officer)


def pdf_of(content: bytes) -> PdfReader:
    return PdfReader(BytesIO(content))


def links_in(reader: PdfReader) -> list[str]:
    return [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]


def long_date(day) -> str:
    return f"{day.day} {day:%B %Y}"


def verify_path_on_card(client, member) -> str:
    client.force_login(member)
    (url,) = links_in(pdf_of(client.get(CARD).content))
    client.logout()
    return urlsplit(url).path


# The card


def test_an_active_member_downloads_a_wallet_sized_card(client, amelie, period):
    client.force_login(amelie)

    response = client.get(CARD)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="membership-card.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    reader = pdf_of(response.content)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(CARD_SIZE_MM[0] * MM, abs=0.5)
    assert float(box.height) == pytest.approx(CARD_SIZE_MM[1] * MM, abs=0.5)


def test_the_card_names_association_member_level_and_good_standing_date(client, amelie, period):
    client.force_login(amelie)

    text = pdf_of(client.get(CARD).content).pages[0].extract_text()

    assert "Harbour RMT Association" in text
    assert "Amélie Côté-O'Brien" in text
    assert "RMT" in text
    assert "In good standing until" in text
    assert long_date(period.ends_on) in text
    assert "U4812" not in text


def test_the_cards_qr_code_links_to_the_verification_page(client, amelie, period):
    client.force_login(amelie)

    (url,) = links_in(pdf_of(client.get(CARD).content))

    # The token is signed with a timestamp, so compare what it names, not its text.
    prefix = "http://testserver" + reverse("membership:verify", args=["TOKEN"]).split("TOKEN")[0]
    assert url.startswith(prefix)
    assert period_from_token(url[len(prefix) :].rstrip("/")) == period


def test_a_visitor_is_sent_to_log_in_for_a_card(client):
    response = client.get(CARD)

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_someone_who_is_not_a_member_has_no_card(client, member):
    client.force_login(member)

    assert client.get(CARD).status_code == 404


def test_a_member_whose_period_ended_has_no_card(client, amelie, rmt):
    today = timezone.localdate()
    MembershipPeriod.objects.create(
        user=amelie, level=rmt, starts_on=today - timedelta(days=400), ends_on=today - timedelta(1)
    )
    client.force_login(amelie)

    assert client.get(CARD).status_code == 404


def test_the_portal_offers_the_card_only_to_an_active_member(client, amelie, member, period):
    client.force_login(amelie)
    active = client.get(PORTAL).content.decode()
    client.force_login(member)
    not_yet = client.get(PORTAL).content.decode()

    assert "Download your membership card (PDF)" in active
    assert CARD in active
    assert "Download your membership card (PDF)" not in not_yet


# The verification page


def test_the_cards_url_shows_name_level_and_good_standing_to_anyone(client, amelie, period):
    path = verify_path_on_card(client, amelie)

    response = client.get(path)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Amélie Côté-O&#x27;Brien" in text
    assert "RMT" in text
    assert f"In good standing until {long_date(period.ends_on)}" in text
    assert "badge--ok" in text
    assert "Not in good standing" not in text
    assert response["Cache-Control"] == "no-store"
    assert 'name="robots" content="noindex' in text


def test_the_verification_page_shows_nothing_private(client, amelie, period):
    text = client.get(verify_path_on_card(client, amelie)).content.decode()

    assert "amelie@example.com" not in text
    assert "U4812" not in text  # registration number
    assert "416 555 0142" not in text  # phone
    assert "Queen Street" not in text  # practice address
    assert "M5C 1R9" not in text


def test_after_the_period_ends_the_same_url_says_not_in_good_standing(client, amelie, period):
    path = verify_path_on_card(client, amelie)
    MembershipPeriod.objects.filter(pk=period.pk).update(
        starts_on=period.starts_on - timedelta(days=400),
        ends_on=timezone.localdate() - timedelta(days=1),
    )

    response = client.get(path)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Not in good standing" in text
    assert "In good standing until" not in text
    assert "Amélie Côté-O&#x27;Brien" in text


def test_a_renewal_keeps_an_old_card_in_good_standing(client, amelie, rmt, period):
    path = verify_path_on_card(client, amelie)
    today = timezone.localdate()
    MembershipPeriod.objects.filter(pk=period.pk).update(
        starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=1)
    )
    renewal = MembershipPeriod.objects.create(
        user=amelie, level=rmt, starts_on=today, ends_on=today + timedelta(days=364)
    )

    text = client.get(path).content.decode()

    assert f"In good standing until {long_date(renewal.ends_on)}" in text


def test_a_tampered_token_is_not_found(client, period):
    token = verification_token(period)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(reverse("membership:verify", args=[tampered]))

    assert response.status_code == 404
    text = response.content.decode()
    assert "This link does not verify a membership" in text
    assert "members@harbour.example" in text


def test_a_token_for_another_id_cannot_be_made_by_guessing(client, period):
    guesses = [str(period.pk), f"{period.pk}:abc", "MQ:1tAAAA:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]

    for guess in guesses:
        assert client.get(reverse("membership:verify", args=[guess])).status_code == 404


def test_a_token_of_a_removed_period_is_not_found(client, amelie, rmt):
    gone = MembershipPeriod(pk=987654, user=amelie, level=rmt)

    response = client.get(reverse("membership:verify", args=[verification_token(gone)]))

    assert response.status_code == 404


def test_the_verification_page_takes_a_fixed_number_of_queries(
    client, amelie, period, django_assert_max_num_queries
):
    path = verify_path_on_card(client, amelie)

    with django_assert_max_num_queries(8):
        assert client.get(path).status_code == 200
