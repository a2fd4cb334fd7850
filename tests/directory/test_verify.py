"""The public "verify an RMT" lookup by registration number, as a page and as JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.membership.factories import set_rules

from .factories import make_listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist(db):
    listing = make_listed(name="Amélie Tremblay", registration_number="U4812")
    return listing


def test_the_page_shows_name_level_and_standing_until_when(client, therapist):
    response = client.get("/find-an-rmt/verify/?number=u4812")
    assert response.status_code == 200
    period = therapist.user.membership_periods.get()
    assert "Amélie Tremblay" in response.text
    assert "RMT" in response.text
    assert f"In good standing until {period.ends_on:%-d %B %Y}" in response.text
    assert response["Cache-Control"] == "no-store"


def test_the_json_answers_the_same_for_insurers_and_clinics(client, therapist):
    response = client.get("/find-an-rmt/verify.json?number=U4812")
    assert response.status_code == 200
    [member] = response.json()["members"]
    period = therapist.user.membership_periods.get()
    assert member == {
        "name": "Amélie Tremblay",
        "level": "RMT",
        "registration_number": "U4812",
        "college": "College of Massage Therapists of Ontario",
        "good_standing": True,
        "good_until": period.ends_on.isoformat(),
        "registration_verified_on": None,
    }


def test_a_lapsed_member_is_not_in_good_standing(client, therapist):
    set_rules(grace_days=30)
    today = timezone.localdate()
    therapist.user.membership_periods.update(
        starts_on=today - timedelta(days=500), ends_on=today - timedelta(days=31)
    )
    [member] = client.get("/find-an-rmt/verify.json?number=U4812").json()["members"]
    assert member["good_standing"] is False
    assert member["good_until"] is None
    assert "Not in good standing" in client.get("/find-an-rmt/verify/?number=U4812").text


def test_an_unknown_number_finds_nobody(client, therapist):
    assert client.get("/find-an-rmt/verify.json?number=ZZ999").json()["members"] == []
    assert (
        "No member has this registration number"
        in client.get("/find-an-rmt/verify/?number=ZZ999").text
    )


@pytest.mark.parametrize("number", ["", "<script>", "a-b", "x" * 50])
def test_a_malformed_number_gets_a_400_with_a_message(client, db, number):
    page = client.get("/find-an-rmt/verify/", {"number": number})
    assert page.status_code == 400
    assert "field__error" in page.text
    data = client.get("/find-an-rmt/verify.json", {"number": number})
    assert data.status_code == 400
    assert data.json()["error"]


def test_the_lookup_page_without_a_number_shows_the_form(client, db):
    response = client.get("/find-an-rmt/verify/")
    assert response.status_code == 200
    assert "Registration number" in response.text
