"""A therapist's public profile: readable URL, schema.org data, 404 when not public."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.membership.factories import make_period
from tide.directory.models import Listing, MonthlyReferrals

from .factories import location, make_listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(db):
    return make_listed(
        name="Amélie Tremblay",
        email="amelie@example.com",
        registration_number="U4812",
        bio="<script>alert(1)</script> Prenatal care.",
        locations=[location("M5V 2T6", clinic_name="Clinique Harmonie")],
        modalities=["prenatal"],
    )


def json_ld(response) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S)
    return json.loads(match.group(1))


def test_the_profile_has_a_readable_url(client, listing):
    assert listing.get_absolute_url() == "/find-an-rmt/amelie-tremblay-toronto/"
    response = client.get(listing.get_absolute_url())
    assert response.status_code == 200
    assert "Amélie Tremblay" in response.text
    assert "Clinique Harmonie" in response.text


def test_the_profile_describes_the_therapist_in_schema_org_json_ld(client, listing):
    data = json_ld(client.get(listing.get_absolute_url()))
    assert data["@type"] == "Person"
    assert data["name"] == "Amélie Tremblay"
    assert data["hasCredential"]["identifier"] == "U4812"
    assert data["workLocation"][0]["address"]["postalCode"] == "M5V 2T6"
    assert data["url"].endswith("/find-an-rmt/amelie-tremblay-toronto/")


def test_the_json_ld_cannot_be_broken_out_of(client):
    listing = make_listed(name="Sneaky Person", bio="</script><script>alert(1)</script>")
    response = client.get(listing.get_absolute_url())
    assert "<script>alert(1)" not in response.text
    assert json_ld(response)["description"] == "</script><script>alert(1)</script>"


def test_the_bio_is_shown_as_text(client, listing):
    response = client.get(listing.get_absolute_url())
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Prenatal care." in response.text


def test_the_profile_links_the_registration_to_the_public_lookup(client, listing):
    response = client.get(listing.get_absolute_url())
    assert "Registration U4812" in response.text
    assert "/find-an-rmt/verify/?number=U4812" in response.text


def test_the_verified_badge_shows_only_once_checked_against_the_register(client, listing):
    assert "Registration verified" not in client.get(listing.get_absolute_url()).text
    listing.user.membership_applications.update(registration_verified_on=timezone.localdate())
    assert "Registration verified" in client.get(listing.get_absolute_url()).text


def test_the_therapists_email_is_never_shown(client, listing):
    assert "amelie@example.com" not in client.get(listing.get_absolute_url()).text


def test_a_visits_only_location_shows_the_area_not_the_address(client):
    listing = make_listed(
        name="Mobile Therapist",
        mobile_visits=True,
        mobile_area="West end and Etobicoke",
        locations=[location("M8V 1A1", address="9 Private Lane", address_hidden=True)],
    )
    response = client.get(listing.get_absolute_url())
    assert "9 Private Lane" not in response.text
    assert "M8V 1A1" not in response.text
    assert "Toronto, ON area" in response.text
    assert "West end and Etobicoke" in response.text
    assert "streetAddress" not in json.dumps(json_ld(response))


def test_a_lapsed_members_profile_is_a_404_until_reinstated(client, listing):
    today = timezone.localdate()
    period = listing.user.membership_periods.get()
    period.starts_on, period.ends_on = today - timedelta(days=800), today - timedelta(days=400)
    period.save()
    assert client.get(listing.get_absolute_url()).status_code == 404

    make_period(listing.user, period.level, ends_on=today + timedelta(days=300))
    assert client.get(listing.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("change", [{"enabled": False}, {"hidden_by_staff": True}])
def test_a_listing_turned_off_or_hidden_is_a_404(client, listing, change):
    Listing.objects.filter(pk=listing.pk).update(**change)
    assert client.get(listing.get_absolute_url()).status_code == 404


def test_an_unknown_profile_is_a_404(client, db):
    assert client.get("/find-an-rmt/nobody-here/").status_code == 404


def test_each_view_adds_one_to_this_months_profile_views(client, listing):
    client.get(listing.get_absolute_url())
    client.get(listing.get_absolute_url())
    row = MonthlyReferrals.objects.get(listing=listing)
    assert row.month == timezone.localdate().replace(day=1)
    assert row.profile_views == 2


def test_profiles_are_not_kept_in_the_page_cache(client, listing):
    response = client.get(listing.get_absolute_url())
    assert "private" in response["Cache-Control"]


def test_contact_links_are_counted_then_followed(client, listing):
    location_pk = listing.locations.get().pk
    response = client.get(f"{listing.get_absolute_url()}go/phone/{location_pk}/")
    assert response.status_code == 302
    assert response["Location"] == "tel:4165550100"
    assert MonthlyReferrals.objects.get(listing=listing).contact_clicks == 1


def test_a_contact_link_that_does_not_exist_is_a_404(client, listing):
    assert client.get(f"{listing.get_absolute_url()}go/booking/").status_code == 404
    assert client.get(f"{listing.get_absolute_url()}go/website/999/").status_code == 404
    assert client.get(f"{listing.get_absolute_url()}go/other/1/").status_code == 404
