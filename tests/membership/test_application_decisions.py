"""Staff approve, reject or ask for information; the applicant answers; each step is emailed
and logged, and a step from the wrong status is refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from tide.membership.models import Application, MembershipPeriod, MemberStatus, membership_status
from tide.membership.services import (
    application_approve,
    application_reject,
    application_request_info,
    application_resubmit,
)

from .factories import application_data, make_application, make_paid_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(member, rmt):
    return make_paid_application(member, rmt, today=date(2026, 6, 15))


def test_approving_starts_a_membership_and_emails_the_member(
    paid, member, officer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        period = application_approve(application=paid, by=officer, today=date(2026, 6, 15))

    assert (period.starts_on, period.ends_on) == (date(2026, 6, 15), date(2026, 11, 30))
    assert period.application == paid
    assert membership_status(member, date(2026, 6, 15)) == MemberStatus.ACTIVE
    paid.refresh_from_db()
    assert paid.status == Application.Status.APPROVED
    assert paid.decided_by == officer
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert "approved" in mail.outbox[0].subject
    assert "30 November 2026" in mail.outbox[0].body
    assert ModelLogEntry.objects.get(action="tide.membership.approve").user == officer


def test_a_late_approval_gives_what_was_paid_for_and_no_more(paid, officer):
    period = application_approve(application=paid, by=officer, today=date(2026, 12, 3))

    assert paid.billed_through == date(2026, 11, 30)
    assert period.ends_on == date(2026, 11, 30)


def test_rejecting_emails_the_reason(paid, member, officer, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application_reject(application=paid, by=officer, reason="Your registration has expired.")

    paid.refresh_from_db()
    assert paid.status == Application.Status.REJECTED
    assert paid.decision_reason == "Your registration has expired."
    assert not MembershipPeriod.objects.exists()
    assert mail.outbox[0].to == [member.email]
    assert "Your registration has expired." in mail.outbox[0].body
    entry = ModelLogEntry.objects.get(action="tide.membership.reject")
    assert entry.user == officer
    assert entry.data["reason"] == "Your registration has expired."


def test_rejecting_needs_a_reason(paid, officer):
    with pytest.raises(ValidationError):
        application_reject(application=paid, by=officer, reason="   ")

    paid.refresh_from_db()
    assert paid.status == Application.Status.AWAITING_REVIEW


def test_requesting_information_emails_the_question_with_a_link(
    paid, member, officer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application_request_info(
            application=paid, by=officer, message="Please send your college number."
        )

    paid.refresh_from_db()
    assert paid.status == Application.Status.INFO_REQUESTED
    assert mail.outbox[0].to == [member.email]
    assert "Please send your college number." in mail.outbox[0].body
    assert f"/membership/applications/{paid.pk}/" in mail.outbox[0].body
    assert ModelLogEntry.objects.get(action="tide.membership.request_info").user == officer


def test_request_for_information_needs_a_message(paid, officer):
    with pytest.raises(ValidationError):
        application_request_info(application=paid, by=officer, message="")


def test_the_applicant_answers_and_the_application_goes_back_to_review(paid, member, officer):
    application_request_info(application=paid, by=officer, message="Which college?")

    application_resubmit(
        application=paid,
        by=member,
        data=application_data(college="CMTO", registration_number="X123"),
    )

    paid.refresh_from_db()
    assert paid.status == Application.Status.AWAITING_REVIEW
    assert (paid.college, paid.registration_number) == ("CMTO", "X123")
    entry = ModelLogEntry.objects.get(action="tide.membership.resubmit")
    assert entry.user == member
    assert sorted(entry.data["changed"]) == ["college", "registration_number"]


def test_an_application_with_information_requested_can_still_be_rejected(paid, officer):
    application_request_info(application=paid, by=officer, message="Which college?")

    application_reject(application=paid, by=officer, reason="No answer after 30 days.")

    paid.refresh_from_db()
    assert paid.status == Application.Status.REJECTED


def test_only_the_applicant_can_answer(paid, officer, other_member):
    application_request_info(application=paid, by=officer, message="Which college?")

    with pytest.raises(ValidationError):
        application_resubmit(application=paid, by=other_member, data=application_data())


@pytest.mark.parametrize(
    "action",
    [
        lambda app, by: application_approve(application=app, by=by),
        lambda app, by: application_reject(application=app, by=by, reason="No."),
        lambda app, by: application_request_info(application=app, by=by, message="Why?"),
    ],
    ids=["approve", "reject", "request_info"],
)
def test_an_unpaid_application_cannot_be_decided(member, rmt, officer, action):
    unpaid = make_application(member, rmt)

    with pytest.raises(ValidationError) as error:
        action(unpaid, officer)

    assert error.value.code == "wrong_status"
    unpaid.refresh_from_db()
    assert unpaid.status == Application.Status.AWAITING_PAYMENT
    assert not MembershipPeriod.objects.exists()


def test_an_approved_application_cannot_be_approved_again_or_rejected(paid, officer):
    application_approve(application=paid, by=officer)

    with pytest.raises(ValidationError):
        application_approve(application=paid, by=officer)
    with pytest.raises(ValidationError):
        application_reject(application=paid, by=officer, reason="Changed my mind.")

    assert MembershipPeriod.objects.count() == 1


def test_an_application_in_review_cannot_be_resubmitted(paid, member):
    with pytest.raises(ValidationError):
        application_resubmit(application=paid, by=member, data=application_data())


def test_a_refused_step_sends_no_email(member, rmt, officer, django_capture_on_commit_callbacks):
    unpaid = make_application(member, rmt)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        application_approve(application=unpaid, by=officer)

    assert mail.outbox == []
