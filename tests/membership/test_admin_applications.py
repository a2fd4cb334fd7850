"""The applications queue and one application's page in the back office."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tide.membership.models import Application, MembershipPeriod

from .factories import make_application, make_paid_application

pytestmark = pytest.mark.django_db

QUEUE = reverse("membership_admin_applications")


def page(application: Application) -> str:
    return reverse("membership_admin_application", args=[application.pk])


def test_queue_lists_paid_applications_and_tabs_show_the_others(
    client, officer, member, other_member, rmt
):
    make_paid_application(member, rmt, legal_name="Paid Person")
    make_application(other_member, rmt, legal_name="Unpaid Person")
    client.force_login(officer)

    review = client.get(QUEUE).content.decode()
    unpaid = client.get(QUEUE, {"status": "awaiting_payment"}).content.decode()

    assert "Paid Person" in review and "Unpaid Person" not in review
    assert "Awaiting review (1)" in review
    assert "Unpaid Person" in unpaid


def test_application_page_shows_details_invoice_and_history(client, officer, member, rmt):
    application = make_paid_application(member, rmt, modalities="<b>bold</b>")
    client.force_login(officer)

    text = client.get(page(application)).content.decode()

    assert application.invoice_number in text
    assert "Paid" in text
    assert "U4812" in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text
    assert "Invoice paid; ready for review" in text
    assert "Approve" in text and "Reject" in text and "Request information" in text


def test_approve_button_makes_a_member_and_emails_them(
    client, officer, member, rmt, django_capture_on_commit_callbacks
):
    application = make_paid_application(member, rmt)
    client.force_login(officer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("membership_admin_approve", args=[application.pk]), follow=True
        )

    assert "is now a member until" in response.content.decode()
    assert MembershipPeriod.objects.get().user == member
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_reject_without_a_reason_shows_the_message_and_changes_nothing(
    client, officer, member, rmt
):
    application = make_paid_application(member, rmt)
    client.force_login(officer)

    response = client.post(
        reverse("membership_admin_reject", args=[application.pk]), {"reason": ""}
    )

    assert response.status_code == 400
    assert "Give the applicant a reason." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.AWAITING_REVIEW


def test_request_information_button(
    client, officer, member, rmt, django_capture_on_commit_callbacks
):
    application = make_paid_application(member, rmt)
    client.force_login(officer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("membership_admin_request_info", args=[application.pk]),
            {"message": "Send a photo of your certificate."},
        )

    application.refresh_from_db()
    assert application.status == Application.Status.INFO_REQUESTED
    assert "Send a photo of your certificate." in mail.outbox[0].body


def test_approving_an_unpaid_application_shows_an_error(client, officer, member, rmt):
    application = make_application(member, rmt)
    client.force_login(officer)

    response = client.post(reverse("membership_admin_approve", args=[application.pk]), follow=True)

    assert "cannot be done" in response.content.decode()
    assert not MembershipPeriod.objects.exists()
