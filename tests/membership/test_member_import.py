"""Importing existing members from another system: columns mapped, a check naming every
row's problems, then all or nothing, keeping the dates the old system had."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tide.accounts.models import User
from tide.membership.models import Application, MemberImport, MembershipPeriod, membership_status

from .factories import make_level, make_period

pytestmark = pytest.mark.django_db

HEADER = "Email Address,First Name,Last Name,Membership Type,Start Date,Expiry Date,Prov,Postal\n"
GOOD = (
    HEADER
    + "ana@example.com,Ana,Lima,RMT,2026-04-01,2027-03-31,ON,m5v2t6\n"
    + "BEN@example.com,Ben,Roy,Student,2026/04/01,2027/03/31,Quebec,\n"
)


@pytest.fixture
def levels(db):
    return make_level(), make_level(
        name="Student", slug="student", requires_registration_number=False
    )


def _upload(client, text: str | bytes):
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("membership_admin_member_imports"),
        {"file": SimpleUploadedFile("members.csv", content, "text/csv")},
    )


def _submit(client, url: str, action: str):
    """Post the mapping the page offers (its guesses), with `action`."""
    draft = MemberImport.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))
    return client.post(url, {**draft.mapping, "action": action})


def test_a_clean_file_imports_every_member_with_their_dates(client, officer, levels):
    client.force_login(officer)
    url = _upload(client, GOOD)["Location"]

    check = _submit(client, url, "check").content.decode()
    assert "All 2 members are ready to import" in check
    assert not User.objects.filter(email="ana@example.com").exists()

    done = _submit(client, url, "commit")

    assert done.status_code == 302
    ana = User.objects.get(email="ana@example.com")
    period = MembershipPeriod.objects.get(user=ana)
    assert (period.level.name, period.starts_on, period.ends_on) == (
        "RMT",
        date(2026, 4, 1),
        date(2027, 3, 31),
    )
    assert not ana.has_usable_password()
    application = Application.objects.get(user=ana)
    assert (application.status, application.practice_postal_code, application.province) == (
        Application.Status.APPROVED,
        "M5V 2T6",
        "ON",
    )
    ben = User.objects.get(email="ben@example.com")
    assert Application.objects.get(user=ben).province == "QC"
    assert membership_status(ana, today=date(2026, 12, 1)) == "active"
    members = client.get(reverse("membership_admin_members"), {"province": "QC"})
    assert "ben@example.com" in members.content.decode()  # imported members are listed


def test_every_problem_is_named_with_its_line_and_nothing_is_imported(
    client, officer, member, levels
):
    make_period(member, levels[0], ends_on=date(2027, 3, 31))
    bad = (
        HEADER
        + "not-an-email,A,B,RMT,2026-04-01,2027-03-31,ON,\n"
        + "c@example.com,C,D,Platinum,2026-04-01,2027-03-31,ON,\n"
        + "d@example.com,D,E,RMT,31/03/2027,2027-03-31,ON,\n"
        + "e@example.com,E,F,RMT,2027-04-01,2027-03-31,Texas,ZZZ\n"
        + "member@example.com,Mara,Member,RMT,2026-04-01,2027-03-31,ON,\n"
        + "ok@example.com,O,K,RMT,2026-04-01,2027-03-31,ON,\n"
        + "ok@example.com,O,K,RMT,2026-04-01,2027-03-31,ON,\n"
    )
    client.force_login(officer)
    url = _upload(client, bad)["Location"]

    page = _submit(client, url, "check").content.decode()
    forced = _submit(client, url, "commit").content.decode()

    for line, problem in [
        (2, "is not an email address"),
        (3, "No membership level is called “Platinum”"),
        (4, "Write the period&#x27;s dates as YYYY-MM-DD"),
        (5, "The period ends before it starts"),
        (5, "“Texas” is not a Canadian province"),
        (5, "Enter a Canadian postal code"),
        (6, "member@example.com is already a member over these dates"),
        (8, "ok@example.com appears twice in the file"),
    ]:
        assert re.search(rf"<td>{line}</td><td>[^<]*{re.escape(problem)}", page), problem
    assert "Import 1 member" not in page
    assert "nothing was imported" in forced
    assert not User.objects.filter(email="ok@example.com").exists()
    assert MemberImport.objects.get().status == MemberImport.Status.DRAFT


def test_a_missing_required_column_is_explained(client, officer, levels):
    client.force_login(officer)
    url = _upload(client, "Email,Name\nana@example.com,Ana\n")["Location"]

    page = _submit(client, url, "check").content.decode()

    assert "This field is required" in page or "Choose the column" in page
    assert not User.objects.filter(email="ana@example.com").exists()


@pytest.mark.parametrize("who", ["anonymous", "member", "staff_without_permission"])
def test_only_membership_officers_import(client, request, who, levels):
    draft = MemberImport.objects.create(file_name="m.csv", csv_text=GOOD, mapping={})
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    index = client.get(reverse("membership_admin_member_imports"))
    commit = client.post(
        reverse("membership_admin_member_import", args=[draft.pk]), {"action": "commit"}
    )

    assert index.status_code in (302, 403) and commit.status_code in (302, 403)
    if who == "staff_without_permission":
        assert index.status_code == commit.status_code == 403
    assert not User.objects.filter(email="ana@example.com").exists()
