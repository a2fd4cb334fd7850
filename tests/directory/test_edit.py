"""The member's listing editor in the portal."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.conftest import login
from tests.membership.factories import make_level, make_period
from tide.directory.geo import fsa_place
from tide.directory.models import Insurer, Listing, Modality, MonthlyReferrals

from .factories import approved_application, make_listed, rmt_level

pytestmark = pytest.mark.django_db
URL = "/find-an-rmt/my-listing/"


@pytest.fixture
def eligible_member(member):
    """An approved RMT member in good standing, without a listing yet."""
    level = rmt_level()
    approved_application(
        member,
        level,
        practice_address="22 Queen Street East",
        practice_city="Toronto",
        practice_postal_code="M5C 1R9",
    )
    make_period(member, level, ends_on=timezone.localdate() + timedelta(days=200))
    return member


def form_data(**fields) -> dict:
    data = {
        "enabled": "on",
        "display_name": "Mara Member",
        "credentials": "RMT",
        "bio": "Prenatal and sports massage.",
        "languages": ["en", "fr"],
        "modalities": [Modality.objects.get(slug="prenatal").pk],
        "gender": "",
        "accepting_new_patients": "on",
        "booking_url": "",
        "conditions": "",
        "mobile_area": "",
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "0",
        "locations-MIN_NUM_FORMS": "1",
        "locations-MAX_NUM_FORMS": "5",
        "locations-0-clinic_name": "Queen East Massage",
        "locations-0-address": "22 Queen Street East",
        "locations-0-city": "Toronto",
        "locations-0-province": "ON",
        "locations-0-postal_code": "m5c1r9",
        "locations-0-phone": "416 555 0142",
        "locations-0-website": "",
    }
    data.update(fields)
    return data


def photo(size=(1600, 1200), fmt="PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 110)).save(buffer, format=fmt)
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_member_without_a_listing_level_cannot_have_one(client, member):
    student = make_level(name="Student", slug="student", includes_directory_listing=False)
    make_period(member, student, ends_on=timezone.localdate() + timedelta(days=100))
    login(client, member)
    response = client.get(URL)
    assert response.status_code == 403
    assert "comes with memberships" in response.text
    assert client.post(URL, form_data()).status_code == 403
    assert not Listing.objects.exists()


def test_the_form_starts_from_the_application(client, eligible_member):
    login(client, eligible_member)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'value="22 Queen Street East"' in response.text
    assert 'value="M5C 1R9"' in response.text


def test_a_member_turns_on_their_listing_and_it_is_placed_from_the_postal_code(
    client, eligible_member
):
    login(client, eligible_member)
    response = client.post(URL, form_data())
    assert response.status_code == 302
    listing = Listing.objects.get(user=eligible_member)
    assert listing.slug == "mara-member-toronto"
    assert listing.language_codes == ["en", "fr"]
    [place] = listing.locations.all()
    assert place.postal_code == "M5C 1R9"
    centroid = fsa_place("M5C")  # the FSA's centroid, as pypostalcode ships it
    assert (place.latitude, place.longitude) == (centroid.latitude, centroid.longitude)
    assert Listing.objects.public().filter(pk=listing.pk).exists()
    assert "Public" in client.get(URL).text


def test_editing_keeps_the_address_and_replaces_the_locations(client, eligible_member):
    login(client, eligible_member)
    client.post(URL, form_data())
    client.post(
        URL,
        form_data(
            **{
                "display_name": "Mara M.",
                "locations-0-postal_code": "K1N 5X6",
                "locations-0-city": "Ottawa",
            }
        ),
    )
    listing = Listing.objects.get(user=eligible_member)
    assert listing.slug == "mara-member-toronto"  # links already shared keep working
    assert listing.display_name == "Mara M."
    assert [loc.city for loc in listing.locations.all()] == ["Ottawa"]


def test_insurers_are_kept_only_with_direct_billing(client, eligible_member):
    login(client, eligible_member)
    sun_life = Insurer.objects.get(slug="sun-life")
    client.post(URL, form_data(direct_billing="on", insurers=[sun_life.pk]))
    assert list(Listing.objects.get().insurers.all()) == [sun_life]
    client.post(URL, form_data(insurers=[sun_life.pk]))
    assert list(Listing.objects.get().insurers.all()) == []


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"locations-0-postal_code": "12345"}, "Enter a Canadian postal code"),
        ({"locations-0-postal_code": "X0X 0X0"}, "We do not know where postal code"),
        ({"languages": []}, "This field is required"),
        ({"display_name": ""}, "This field is required"),
        ({"booking_url": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"locations-TOTAL_FORMS": "0"}, "Please submit at least 1 form"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, eligible_member, fields, error):
    login(client, eligible_member)
    response = client.post(URL, form_data(**fields))
    assert response.status_code == 200
    assert error in response.text
    assert not Listing.objects.exists()


def test_posted_staff_fields_are_ignored(client, eligible_member):
    login(client, eligible_member)
    client.post(URL, form_data(hidden_by_staff="", photo_rejected="", slug="admin", user=1))
    listing = Listing.objects.get()
    assert listing.slug == "mara-member-toronto"
    assert listing.user == eligible_member


def test_a_photo_is_resized_and_stored_under_a_generated_name(client, eligible_member):
    login(client, eligible_member)
    client.post(URL, form_data(photo=photo()))
    image = Listing.objects.get().photo
    assert max(image.width, image.height) == 800
    assert "me.png" not in image.file.name
    assert image.file.name.endswith(".jpg")


def test_a_file_that_is_not_a_photo_is_refused(client, eligible_member):
    login(client, eligible_member)
    fake = SimpleUploadedFile("me.png", b"<html><script>x</script>", content_type="image/png")
    response = client.post(URL, form_data(photo=fake))
    assert "not a photo we can read" in response.text
    assert not Listing.objects.exists()


def test_a_rejected_photo_is_not_shown_and_a_new_one_clears_it(client, eligible_member):
    login(client, eligible_member)
    client.post(URL, form_data(photo=photo()))
    Listing.objects.update(photo_rejected=True)
    listing = Listing.objects.get()
    assert listing.shown_photo is None
    assert "could not accept your photo" in client.get(URL).text
    client.post(URL, form_data(photo=photo((400, 400))))
    assert Listing.objects.get().photo_rejected is False


def test_a_lapsed_member_sees_their_listing_but_cannot_change_it(client):
    listing = make_listed(
        name="Lapsed Person", bio="Kept.", ends_on=timezone.localdate() - timedelta(days=400)
    )
    login(client, listing.user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "Kept." in response.text
    assert "not in good standing" in response.text
    client.post(URL, form_data(bio="Changed"))
    assert Listing.objects.get().bio == "Kept."


def test_the_member_sees_their_referral_statistics_by_month(client):
    listing = make_listed(name="Counted Person")
    MonthlyReferrals.objects.create(
        listing=listing,
        month=timezone.localdate().replace(day=1),
        profile_views=42,
        contact_clicks=7,
        messages=3,
    )
    login(client, listing.user)
    response = client.get(URL)
    assert "Referral statistics" in response.text
    assert ">42<" in response.text and ">7<" in response.text and ">3<" in response.text


def test_another_members_statistics_are_not_shown(client, other_member):
    listing = make_listed(name="Counted Person")
    MonthlyReferrals.objects.create(
        listing=listing, month=timezone.localdate().replace(day=1), profile_views=42
    )
    level = rmt_level()
    approved_application(other_member, level)
    make_period(other_member, level, ends_on=timezone.localdate() + timedelta(days=10))
    login(client, other_member)
    response = client.get(URL)
    assert ">42<" not in response.text
    assert "Counted Person" not in response.text


def test_the_portal_links_to_the_listing_editor(client, eligible_member):
    login(client, eligible_member)
    response = client.get("/membership/")
    assert URL in response.text


def test_adding_a_location_keeps_what_was_typed_without_saving(client, eligible_member):
    login(client, eligible_member)
    typed = form_data(display_name="Mara Typed", bio="Typed, not saved yet.", add_location="1")
    response = client.post(URL, typed)
    assert response.status_code == 200
    assert not Listing.objects.filter(user=eligible_member).exists()  # nothing saved
    assert "Practice location 2" in response.text
    assert 'value="Mara Typed"' in response.text
    assert "Typed, not saved yet." in response.text
    assert 'value="Queen East Massage"' in response.text
    assert 'name="locations-TOTAL_FORMS" value="2"' in response.text
    assert "This field is required" not in response.text  # no errors on the new, empty form


def test_a_second_location_is_saved_after_adding_it(client, eligible_member):
    login(client, eligible_member)
    second = {
        "locations-TOTAL_FORMS": "2",
        "locations-1-clinic_name": "Ottawa Clinic",
        "locations-1-city": "Ottawa",
        "locations-1-province": "ON",
        "locations-1-postal_code": "K1N 5X6",
    }
    response = client.post(URL, form_data(**second))
    assert response.status_code == 302
    listing = Listing.objects.get(user=eligible_member)
    assert [loc.city for loc in listing.locations.all()] == ["Toronto", "Ottawa"]


def test_an_added_location_left_empty_is_ignored_on_save(client, eligible_member):
    login(client, eligible_member)
    response = client.post(URL, form_data(**{"locations-TOTAL_FORMS": "2"}))
    assert response.status_code == 302
    assert Listing.objects.get(user=eligible_member).locations.count() == 1


def test_no_more_than_five_locations_can_be_added(client, eligible_member):
    login(client, eligible_member)
    five = {"locations-TOTAL_FORMS": "5"}
    for n in range(1, 5):
        five |= {
            f"locations-{n}-city": "Toronto",
            f"locations-{n}-province": "ON",
            f"locations-{n}-postal_code": "M5V 2T6",
        }
    response = client.post(URL, form_data(**five, add_location="1"))
    assert response.status_code == 200
    assert "Practice location 5" in response.text
    assert "Practice location 6" not in response.text
    assert "Add another location" not in response.text
