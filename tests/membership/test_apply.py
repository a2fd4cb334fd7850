"""The join page and the application form: bad input gets a message next to the field and
nothing is stored; a good form lands on the invoice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tide.billing.models import Invoice
from tide.membership.models import Application

from .factories import make_level

pytestmark = pytest.mark.django_db

JOIN = reverse("membership:join")
APPLY = reverse("membership:apply", args=["rmt"])


def form_data(**fields) -> dict:
    return {
        "legal_name": "Mara Member",
        "phone": "416 555 0142",
        "province": "ON",
        "practice_address": "22 Queen Street East",
        "practice_city": "Toronto",
        "practice_postal_code": "m5c1r9",
        "college": "College of Massage Therapists of Ontario",
        "registration_number": "u4812",
        "graduation_year": "2016",
        "languages": "English",
        "modalities": "Swedish",
        "privacy_accepted": "on",
        **fields,
    }


def test_join_page_shows_each_open_level_with_its_price_and_benefits(client, rmt):
    make_level(name="Student", slug="student", annual_price_cents=50_00, admin_fee_cents=0,
               requires_registration_number=False, includes_directory_listing=False)  # fmt: skip
    make_level(name="Lifetime", slug="lifetime", active=False)

    page = client.get(JOIN).content.decode()

    assert "RMT" in page and "$350.00" in page and "$50.00 admin fee" in page
    assert "Student" in page and "A listing in the public Find an RMT directory" in page
    assert "Lifetime" not in page
    assert APPLY in page


def test_join_page_without_levels_says_applications_are_closed(client, db):
    assert "Applications are closed for now" in client.get(JOIN).content.decode()


def test_a_visitor_choosing_a_level_is_asked_to_sign_in_and_comes_back(client, rmt):
    response = client.get(APPLY)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/membership/join/rmt/" in response["Location"]


def test_the_form_shows_what_the_applicant_will_pay(client, member, rmt):
    client.force_login(member)

    page = client.get(APPLY).content.decode()

    assert "Membership dues — RMT" in page
    assert "Admin fee for new members" in page
    assert 'name="privacy_accepted"' in page
    assert "checked" not in page  # nothing is ticked for the applicant


def test_a_good_application_lands_on_the_invoice_with_a_notice(client, member, rmt):
    client.force_login(member)

    response = client.post(APPLY, form_data(), follow=True)

    application = Application.objects.get()
    assert response.redirect_chain[-1][0] == f"/billing/invoices/{application.invoice_number}/"
    assert "Application received — pay the invoice to continue" in response.content.decode()
    assert application.practice_postal_code == "M5C 1R9"
    assert application.registration_number == "U4812"
    assert application.news_opt_in is False


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"legal_name": ""}, "This field is required."),
        ({"legal_name": "x" * 300}, "at most 200 characters"),
        ({"practice_postal_code": "12345"}, "Enter a Canadian postal code, like K1A 0B1."),
        ({"registration_number": "AB-12"}, "3 to 20 letters and digits"),
        ({"registration_number": "A1"}, "3 to 20 letters and digits"),
        ({"registration_number": ""}, "This field is required."),
        ({"privacy_accepted": ""}, "Tick this box to accept the privacy terms"),
        ({"phone": "call me"}, "Enter a phone number with its area code"),
        ({"province": "ZZ"}, "Select a valid choice"),
        ({"graduation_year": "1066"}, "Enter a year between 1950"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    client, member, rmt, fields, message
):
    client.force_login(member)

    response = client.post(APPLY, form_data(**fields))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the fields marked below." in page
    assert message in page
    assert 'class="field__error"' in page
    assert not Application.objects.exists()
    assert not Invoice.objects.exists()


def test_an_empty_form_is_refused_with_messages(client, member, rmt):
    client.force_login(member)

    response = client.post(APPLY, {})

    assert response.status_code == 200
    assert response.content.decode().count('class="field__error"') >= 5
    assert not Application.objects.exists()


def test_html_typed_in_a_field_is_shown_as_text(client, member, rmt):
    client.force_login(member)

    page = client.post(
        APPLY,
        form_data(
            modalities="<script>alert(1)</script>", postal_code="bad", practice_postal_code="bad"
        ),
    ).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_level_without_registration_number_does_not_ask_for_one(client, member):
    make_level(name="Associate", slug="associate", requires_registration_number=False)
    client.force_login(member)

    response = client.post(
        reverse("membership:apply", args=["associate"]),
        form_data(college="", registration_number=""),
    )

    assert response.status_code == 302
    assert Application.objects.get().registration_number == ""


def test_submitting_twice_makes_one_application_and_one_invoice(client, member, rmt):
    client.force_login(member)

    first = client.post(APPLY, form_data())
    second = client.post(APPLY, form_data())

    assert first.status_code == second.status_code == 302
    assert Application.objects.count() == 1
    assert Invoice.objects.count() == 1
    application = Application.objects.get()
    assert second["Location"] == reverse("membership:application", args=[application.pk])


def test_an_unknown_or_closed_level_is_not_found(client, member):
    make_level(slug="closed", active=False)
    client.force_login(member)

    assert client.get(reverse("membership:apply", args=["nope"])).status_code == 404
    assert client.get(reverse("membership:apply", args=["closed"])).status_code == 404


def test_a_new_price_shows_on_the_cached_join_page_at_once(client, rmt):
    from tide.association.models import AssociationSettings
    from tide.membership.models import MembershipSettings

    # Settings rows are made on first use, and that save would clear the cache by itself.
    AssociationSettings.load()
    MembershipSettings.load()
    client.get("/membership/join/")
    assert client.get("/membership/join/")["X-Page-Cache"] == "hit"

    rmt.annual_price_cents = 375_00
    rmt.save()

    response = client.get("/membership/join/")
    assert response["X-Page-Cache"] == "miss"
    assert "$375.00" in response.content.decode()


@pytest.fixture
def student_level(db):
    return make_level(
        name="Student",
        slug="student",
        requires_registration_number=False,
        requires_student_evidence=True,
    )


def test_a_student_gives_school_and_expected_graduation(client, member, student_level):
    from datetime import date

    from django.utils import timezone

    client.force_login(member)
    url = reverse("membership:apply", args=["student"])
    graduation = date(timezone.localdate().year + 1, 6, 15)

    form = client.get(url).content.decode()
    response = client.post(
        url,
        form_data(
            college="",
            registration_number="",
            school="Mount Royal University",
            expected_graduation_on=graduation.isoformat(),
        ),
    )

    assert 'name="school"' in form and 'name="expected_graduation_on"' in form
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.school, application.expected_graduation_on) == (
        "Mount Royal University",
        graduation,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"school": ""}, "This field is required."),
        ({"expected_graduation_on": ""}, "This field is required."),
        ({"expected_graduation_on": "2020-06-15"}, "choose the New graduate level"),
        ({"expected_graduation_on": "2099-06-15"}, "within the next six years"),
        ({"expected_graduation_on": "June"}, "Enter a valid date."),
    ],
)
def test_a_student_without_evidence_is_told_what_is_missing(
    client, member, student_level, fields, message
):
    client.force_login(member)
    data = form_data(college="", registration_number="", school="Mount Royal University")
    data["expected_graduation_on"] = "2030-06-15"

    response = client.post(reverse("membership:apply", args=["student"]), {**data, **fields})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Application.objects.exists()


def test_other_levels_do_not_ask_for_a_school(client, member, rmt):
    client.force_login(member)

    assert 'name="school"' not in client.get(APPLY).content.decode()


def test_a_registration_number_another_member_holds_is_refused(client, member, other_member, rmt):
    from .factories import make_application

    make_application(other_member, rmt, registration_number="U4812")
    client.force_login(member)

    response = client.post(APPLY, form_data(registration_number="u 4812"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Another member&#x27;s application already has this registration number" in page
    assert "other@" not in page  # whose it is stays private
    assert Application.objects.filter(user=member).count() == 0


def test_the_same_number_at_another_provinces_college_is_someone_else(
    client, member, other_member, rmt
):
    from .factories import make_application

    make_application(other_member, rmt, registration_number="U4812", province="BC")
    client.force_login(member)

    assert client.post(APPLY, form_data(registration_number="U4812")).status_code == 302
