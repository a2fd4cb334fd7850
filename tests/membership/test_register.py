"""College registers: staff import a register (CSV, columns mapped, dry run first), and an
application whose number is on it, active, under the applicant's name is approved with no
human step; members on it are marked verified, and lose the mark when they leave it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tide.membership.models import Application, MembershipPeriod, RegisterEntry, RegisterImport
from tide.membership.register import names_match

from .factories import make_paid_application

pytestmark = pytest.mark.django_db

COLLEGE = "College of Massage Therapists of Ontario"
REGISTER = (
    "Registration No.,Full Name,Registration Status,City\n"
    'U-4812,"Member, Mara",Active,Toronto\n'
    "U5120,Priya Shah,Suspended,Ottawa\n"
    "U6001,Someone Else,Active,Guelph\n"
)


def _upload(client, text: str | bytes = REGISTER, *, college: str = COLLEGE):
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("membership_admin_registers"),
        {"college": college, "file": SimpleUploadedFile("register.csv", content, "text/csv")},
    )


def _mapping(action: str, **fields) -> dict:
    return {
        "number_column": "Registration No.",
        "name_column": "Full Name",
        "status_column": "Registration Status",
        "active_values": "Active",
        "action": action,
        **fields,
    }


@pytest.mark.parametrize(
    ("listed", "legal", "same"),
    [
        ("Member, Mara", "Mara Member", True),
        ("Côté-O'Brien, Amélie", "Amelie Cote-O'Brien", True),
        ("Mara Member", "Mara Jane Member", True),  # a middle name left out
        ("Mara Member", "Marat Member", False),
        ("Member", "Mara Member", False),  # one name alone is not enough
    ],
)
def test_names_match_whatever_the_order_accents_and_punctuation(listed, legal, same):
    assert names_match(listed, legal) is same


def test_the_import_is_checked_first_then_approves_the_paid_application_it_lists(
    client, officer, member, rmt, django_capture_on_commit_callbacks
):
    application = make_paid_application(member, rmt, registration_number="U4812", college=COLLEGE)
    assert application.status == Application.Status.AWAITING_REVIEW
    client.force_login(officer)

    response = _upload(client)
    draft = RegisterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("membership_admin_register_map", args=[draft.pk])

    check = client.post(response["Location"], _mapping("check"))
    page = check.content.decode()
    assert "3 registrants read, 2 active" in page
    assert "Mara Member — U4812" in page and "will be approved" in page
    assert not RegisterEntry.objects.exists()  # nothing replaced by a check
    application.refresh_from_db()
    assert application.status == Application.Status.AWAITING_REVIEW

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response["Location"], _mapping("commit"))

    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.registration_verified_on == timezone.localdate()
    assert application.decided_by is None  # no human step
    assert MembershipPeriod.objects.filter(user=member).exists()
    draft.refresh_from_db()
    assert (draft.rows_total, draft.rows_active, draft.verified_count) == (3, 2, 1)
    assert draft.csv_text == ""


def test_an_application_paid_after_the_import_is_approved_at_once(member, officer, rmt):
    _import_register(officer)

    application = make_paid_application(
        member, rmt, registration_number="u 4812", college=COLLEGE.upper()
    )

    assert application.status == Application.Status.APPROVED
    assert application.registration_verified_on is not None


@pytest.mark.parametrize(
    "fields",
    [
        {"registration_number": "U5120", "legal_name": "Priya Shah"},  # suspended
        {"registration_number": "U6001", "legal_name": "Mara Member"},  # someone else's number
        {"registration_number": "U4812", "college": "CMTBC"},  # another college
    ],
)
def test_a_number_that_is_not_active_under_the_name_waits_for_staff(member, officer, rmt, fields):
    _import_register(officer)

    application = make_paid_application(member, rmt, **{"college": COLLEGE, **fields})

    assert application.status == Application.Status.AWAITING_REVIEW
    assert application.registration_verified_on is None


def test_a_member_who_leaves_the_register_loses_the_verified_mark(member, officer, rmt):
    _import_register(officer)
    application = make_paid_application(member, rmt, registration_number="U4812", college=COLLEGE)
    assert application.registration_verified_on is not None

    _import_register(
        officer, REGISTER.replace('U-4812,"Member, Mara",Active', 'U-4812,"Member, Mara",Revoked')
    )

    application.refresh_from_db()
    assert application.registration_verified_on is None
    assert application.status == Application.Status.APPROVED  # membership itself is untouched
    assert RegisterEntry.objects.count() == 3  # the new register replaced the old


def _import_register(officer, text: str = REGISTER) -> None:
    from django.test import Client

    client = Client()
    client.force_login(officer)
    response = _upload(client, text)
    client.post(response["Location"], _mapping("commit"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "\xff\xfe\x00b\x00a\x00d".encode("latin-1") + bytes([0x81, 0x8D, 0x8F]),
            "not text in UTF-8",
        ),
        (b"", "The submitted file is empty"),
        (b"just one column\nU4812\n", "first row must name the columns"),
    ],
)
def test_an_unreadable_file_is_explained_and_nothing_is_stored(client, officer, content, message):
    client.force_login(officer)

    response = _upload(client, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RegisterImport.objects.exists()


def test_columns_that_give_no_rows_are_refused_and_nothing_is_replaced(
    client, officer, member, rmt
):
    _import_register(officer)
    client.force_login(officer)
    response = _upload(client, "Registration No.,Full Name,Registration Status\n,,Active\n")

    page = client.post(response["Location"], _mapping("commit")).content.decode()

    assert "No row has both a registration number and a name" in page
    assert RegisterEntry.objects.count() == 3


def test_windows_1252_from_excel_is_read(client, officer, member, rmt):
    application = make_paid_application(
        member, rmt, registration_number="U4812", college=COLLEGE, legal_name="Amélie Côté"
    )
    text = 'Registration No.,Full Name,Registration Status\nU4812,"Côté, Amélie",Active\n'
    client.force_login(officer)
    response = _upload(client, text.encode("cp1252"))
    client.post(response["Location"], _mapping("commit"))

    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED


@pytest.mark.parametrize("who", ["anonymous", "member", "staff_without_permission"])
def test_only_membership_officers_open_the_registers(client, request, who):
    draft = RegisterImport.objects.create(college=COLLEGE, file_name="r.csv", csv_text=REGISTER)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    index = client.get(reverse("membership_admin_registers"))
    mapping = client.post(
        reverse("membership_admin_register_map", args=[draft.pk]), _mapping("commit")
    )

    expected = (302,) if who == "anonymous" else (302, 403)
    assert index.status_code in expected and mapping.status_code in expected
    if who == "staff_without_permission":
        assert index.status_code == mapping.status_code == 403
    assert not RegisterEntry.objects.exists()


def test_officers_see_the_imported_registers(client, officer):
    _import_register(officer)
    client.force_login(officer)

    page = client.get(reverse("membership_admin_registers")).content.decode()

    assert COLLEGE in page and "register.csv" in page
