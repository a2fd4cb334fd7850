"""A member's portal and answering a request for information."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tide.membership.models import Application, MembershipPeriod
from tide.membership.services import application_approve, application_request_info

from .factories import make_application, make_paid_application

pytestmark = pytest.mark.django_db

PORTAL = reverse("membership:portal")


def test_someone_without_a_membership_is_invited_to_join(client, member):
    client.force_login(member)

    text = client.get(PORTAL).content.decode()

    assert "You are not a member yet." in text
    assert reverse("membership:join") in text


def test_an_unpaid_application_links_to_its_invoice(client, member, rmt):
    application = make_application(member, rmt)
    client.force_login(member)

    text = client.get(PORTAL).content.decode()

    assert f"Pay invoice {application.invoice_number}" in text


def test_an_active_member_sees_status_expiry_and_history(client, member, rmt, officer):
    application_approve(application=make_paid_application(member, rmt), by=officer)
    period = MembershipPeriod.objects.get()
    client.force_login(member)

    text = client.get(PORTAL).content.decode()

    assert 'badge--ok">Active' in text
    assert "In good standing until" in text
    assert f"{period.ends_on.day} " in text
    assert reverse("billing:invoice_list") in text


def test_a_lapsed_member_is_told_how_to_reinstate(client, member, rmt):
    today = timezone.localdate()
    MembershipPeriod.objects.create(
        user=member,
        level=rmt,
        starts_on=today - timedelta(days=500),
        ends_on=today - timedelta(days=200),
    )
    client.force_login(member)

    text = client.get(PORTAL).content.decode()

    assert "Lapsed" in text
    assert "Reinstate my membership" in text


def test_staff_message_is_shown_and_the_applicant_can_answer(client, member, rmt, officer):
    application = make_paid_application(member, rmt)
    application_request_info(application=application, by=officer, message="Which <college>?")
    client.force_login(member)

    text = client.get(PORTAL).content.decode()
    assert "Which &lt;college&gt;?" in text

    url = reverse("membership:application", args=[application.pk])
    form = client.get(url).content.decode()
    assert 'name="college"' in form
    bad = client.post(url, {"legal_name": "", "phone": "416 555 0142", "province": "ON"})
    assert bad.status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.INFO_REQUESTED

    response = client.post(
        url,
        {
            "legal_name": "Mara Member",
            "phone": "416 555 0142",
            "province": "ON",
            "college": "CMTO",
            "registration_number": "Z9999",
        },
        follow=True,
    )

    assert "back with our staff" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.AWAITING_REVIEW
    assert application.registration_number == "Z9999"


def test_an_application_in_review_cannot_be_changed(client, member, rmt):
    application = make_paid_application(member, rmt)
    client.force_login(member)

    client.post(reverse("membership:application", args=[application.pk]), {"legal_name": "Changed"})

    application.refresh_from_db()
    assert application.legal_name == "Mara Member"
