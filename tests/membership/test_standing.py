"""Suspension and resignation end the current period early (no grace, benefits stop that
day); reinstating a suspension lets the period run to its end again. Staff do both from the
member's page in the back office, and the member is told by email."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tide.membership.models import MembershipPeriod, MemberStatus, membership_status
from tide.membership.renewals import renewal_quote
from tide.membership.services import membership_end_early, membership_reinstate

from .factories import make_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(member, rmt) -> MembershipPeriod:
    return make_period(member, rmt, ends_on=timezone.localdate() + timedelta(days=200))


def _standing(client, member, action: str, note: str = ""):
    return client.post(
        reverse("membership_admin_member_standing", args=[member.pk]),
        {"action": action, "note": note},
        follow=True,
    )


def test_a_suspended_member_loses_good_standing_at_once_and_gets_it_back(
    client, officer, member, period, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=True):
        _standing(client, member, "suspended", "Unpaid insurance premium")

    assert membership_status(member) == MemberStatus.SUSPENDED
    assert not MembershipPeriod.objects.current(today).exists()
    assert not MembershipPeriod.objects.good_standing(today, grace_days=30).exists()
    assert "Unpaid insurance premium" in mail.outbox[-1].body
    with pytest.raises(ValidationError, match="suspended"):
        renewal_quote(user=member, today=today)
    client.force_login(member)
    portal = client.get(reverse("membership:portal")).content.decode()
    assert "suspended on" in portal and "Unpaid insurance premium" in portal
    join = client.get(reverse("membership:apply", args=["rmt"]), follow=True).content.decode()
    assert "contact us to reinstate it" in join

    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        _standing(client, member, "reinstate")

    assert membership_status(member) == MemberStatus.ACTIVE
    period.refresh_from_db()
    assert period.ends_on == today + timedelta(days=200)  # what was paid for is kept
    assert "reinstated" in mail.outbox[-1].subject


def test_a_resignation_ends_membership_without_grace_and_stops_reminders(
    client, officer, member, period
):
    client.force_login(officer)

    page = _standing(client, member, "resigned").content.decode()

    assert "Resignation recorded" in page
    assert membership_status(member) == MemberStatus.RESIGNED
    with pytest.raises(ValidationError, match="rejoin"):
        renewal_quote(user=member, today=timezone.localdate())
    with pytest.raises(ValidationError, match="Only a suspended membership"):
        membership_reinstate(user=member, by=officer)
    members = client.get(reverse("membership_admin_members") + "?status=resigned").content.decode()
    assert member.email in members
    active = client.get(reverse("membership_admin_members") + "?status=active").content.decode()
    assert member.email not in active


def test_a_suspension_needs_a_reason_and_nothing_changes_without_one(
    client, officer, member, period
):
    client.force_login(officer)

    page = _standing(client, member, "suspended", "   ").content.decode()

    assert "Say why the membership is suspended" in page
    assert membership_status(member) == MemberStatus.ACTIVE


def test_someone_without_an_active_membership_cannot_be_suspended(member, officer, rmt):
    make_period(member, rmt, ends_on=timezone.localdate() - timedelta(days=400))

    with pytest.raises(ValidationError, match="no active membership"):
        membership_end_early(user=member, reason="suspended", note="x", by=officer)


def test_the_member_page_shows_periods_invoices_and_history(client, officer, member, period):
    membership_end_early(user=member, reason="suspended", note="Audit", by=officer)
    client.force_login(officer)

    page = client.get(reverse("membership_admin_member", args=[member.pk])).content.decode()

    assert "Suspended" in page and "Audit" in page and "Reinstate" in page


@pytest.mark.parametrize("who", ["anonymous", "member", "other_member", "staff_without_permission"])
def test_only_membership_staff_open_a_member_or_change_standing(
    client, request, member, period, who
):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    page = client.get(reverse("membership_admin_member", args=[member.pk]))
    action = client.post(
        reverse("membership_admin_member_standing", args=[member.pk]),
        {"action": "suspended", "note": "x"},
    )

    assert page.status_code in (302, 403) and action.status_code in (302, 403)
    if who == "staff_without_permission":
        assert page.status_code == action.status_code == 403
    assert membership_status(member) == MemberStatus.ACTIVE


def test_staff_who_may_only_view_members_see_no_standing_buttons(
    client, staff_without_permission, member, period
):
    from django.contrib.auth.models import Permission

    staff_without_permission.user_permissions.add(
        Permission.objects.get(codename="view_membershipperiod")
    )
    client.force_login(staff_without_permission)

    page = client.get(reverse("membership_admin_member", args=[member.pk])).content.decode()
    action = client.post(
        reverse("membership_admin_member_standing", args=[member.pk]),
        {"action": "suspended", "note": "x"},
    )

    assert "Record resignation" not in page
    assert action.status_code == 403


def test_officers_keep_notes_on_a_member_that_the_member_can_download(
    client, officer, member, period
):
    import json

    client.force_login(officer)
    url = reverse("membership_admin_member_note", args=[member.pk])

    empty = client.post(url, {"text": "   "}, follow=True).content.decode()
    client.post(url, {"text": "Called about the <b>insurance</b> form."})
    page = client.get(reverse("membership_admin_member", args=[member.pk])).content.decode()

    assert "Write the note first" in empty
    assert "Called about the &lt;b&gt;insurance&lt;/b&gt; form." in page
    client.force_login(member)
    data = json.loads(client.get(reverse("accounts:data_export")).content)
    assert data["membership"]["staff_notes"][0]["text"].startswith("Called about")


def test_members_and_other_staff_cannot_add_notes(client, member, staff_without_permission, period):
    from tide.membership.models import MemberNote

    url = reverse("membership_admin_member_note", args=[member.pk])
    client.force_login(member)
    as_member = client.post(url, {"text": "hi"})
    client.force_login(staff_without_permission)
    as_staff = client.post(url, {"text": "hi"})

    assert as_member.status_code in (302, 403) and as_staff.status_code == 403
    assert not MemberNote.objects.exists()


def test_the_member_page_lists_the_emails_sent_to_them(
    client, officer, member, period, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership_end_early(user=member, reason="suspended", note="Audit", by=officer)
    client.force_login(officer)

    page = client.get(reverse("membership_admin_member", args=[member.pk])).content.decode()

    assert "Emails sent" in page and "membership is suspended" in page
