"""A member keeps their own contact and practice details up to date."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tide.membership.models import Application
from tide.membership.services import application_approve

from .factories import make_paid_application

pytestmark = pytest.mark.django_db

DETAILS = reverse("membership:details")


@pytest.fixture
def approved(member, rmt, officer) -> Application:
    application = make_paid_application(member, rmt)
    application_approve(application=application, by=officer)
    return application


def _details(**fields) -> dict:
    return {
        "preferred_name": "Mara",
        "phone": "416 555 0199",
        "practice_address": "10 Bay Street, Suite 4",
        "practice_city": "Toronto",
        "practice_postal_code": "m5j2r8",
        "languages": "English, Portuguese",
        "modalities": "Swedish, prenatal",
        **fields,
    }


def test_a_member_updates_their_details_and_staff_see_what_changed(client, member, approved):
    client.force_login(member)

    portal = client.get(reverse("membership:portal")).content.decode()
    response = client.post(DETAILS, _details())

    assert DETAILS in portal
    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.phone, approved.practice_postal_code, approved.languages) == (
        "416 555 0199",
        "M5J 2R8",
        "English, Portuguese",
    )
    entry = ModelLogEntry.objects.get(action="tide.membership.details")
    assert "practice_postal_code" in entry.data["changed"] and entry.user == member


def test_province_and_registration_are_shown_not_editable(client, member, approved):
    client.force_login(member)

    client.post(DETAILS, _details(province="BC", registration_number="X999", legal_name="Z"))

    approved.refresh_from_db()
    assert (approved.province, approved.registration_number) == ("ON", "U4812")
    assert approved.legal_name == "Mara Member"
    assert "contact us" in client.get(DETAILS).content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"phone": "call me"}, "Enter a phone number with its area code"),
        ({"phone": ""}, "This field is required."),
        ({"practice_postal_code": "90210"}, "Enter a Canadian postal code"),
        ({"languages": "x" * 300}, "at most 200 characters"),
    ],
)
def test_bad_details_are_explained_and_nothing_changes(client, member, approved, fields, message):
    client.force_login(member)

    response = client.post(DETAILS, _details(**fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    approved.refresh_from_db()
    assert approved.phone == "416 555 0142"


def test_someone_who_is_not_a_member_is_sent_to_the_portal(client, member, rmt):
    make_paid_application(member, rmt)  # paid, not approved yet
    client.force_login(member)

    response = client.post(DETAILS, _details())

    assert response.status_code == 302 and response["Location"] == reverse("membership:portal")
    assert Application.objects.get().phone == "416 555 0142"


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(DETAILS)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_member_changes_only_their_own_details(client, member, other_member, approved, rmt):
    client.force_login(other_member)

    client.post(DETAILS, _details(phone="604 555 0100"))

    approved.refresh_from_db()
    assert approved.phone == "416 555 0142"
