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


# --- Membership officers correct what members cannot -------------------------------------


def _staff_url(member) -> str:
    return reverse("membership_admin_member_details", args=[member.pk])


def _staff_details(approved: Application, **fields) -> dict:
    return {
        "legal_name": approved.legal_name,
        **_details(),
        "province": "BC",
        "college": "College of Complementary Health Professionals of BC",
        "registration_number": "m 04512",
        **fields,
    }


def test_an_officer_records_a_move_to_another_province_and_college(
    client, officer, member, approved
):
    from tide.membership.models import MemberSummary

    Application.objects.filter(pk=approved.pk).update(registration_verified_on="2026-01-10")
    client.force_login(officer)

    page = client.get(reverse("membership_admin_member", args=[member.pk])).content.decode()
    response = client.post(_staff_url(member), _staff_details(approved))

    assert _staff_url(member) in page
    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.province, approved.registration_number) == ("BC", "M04512")
    assert approved.registration_verified_on is None  # the new number is not verified yet
    assert MemberSummary.objects.get(user=member).province == "BC"  # the list follows
    entry = ModelLogEntry.objects.get(action="tide.membership.details")
    assert entry.user == officer and "registration_verified_on" in entry.data["changed"]


def test_an_officer_cannot_give_a_number_someone_else_holds(
    client, officer, member, other_member, approved, rmt
):
    make_paid_application(other_member, rmt, registration_number="M04512", province="BC")
    client.force_login(officer)

    response = client.post(_staff_url(member), _staff_details(approved))

    assert response.status_code == 400
    assert "already has this registration number" in response.content.decode()
    approved.refresh_from_db()
    assert approved.province == "ON"


def test_only_membership_officers_edit_a_members_details(
    client, member, staff_without_permission, approved
):
    assert client.get(_staff_url(member))["Location"].startswith("/accounts/login/")
    client.force_login(member)
    assert client.post(_staff_url(member), _staff_details(approved)).status_code in (302, 403)
    client.force_login(staff_without_permission)
    assert client.post(_staff_url(member), _staff_details(approved)).status_code == 403
    approved.refresh_from_db()
    assert approved.province == "ON"


def test_someone_without_an_approved_application_has_no_details_to_edit(
    client, officer, other_member
):
    client.force_login(officer)

    assert client.get(_staff_url(other_member)).status_code == 404
