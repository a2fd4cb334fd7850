"""Follow-up emails N days after joining a list, stopped by unsubscribing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tide.mailing.models import SequenceSend, SequenceStep
from tide.mailing.services import list_unsubscribe

from .factories import make_list, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsletter():
    return make_list()


def _step(mailing_list, days: int, subject: str) -> SequenceStep:
    return SequenceStep.objects.create(
        mailing_list=mailing_list,
        days_after=days,
        subject=subject,
        body=[("paragraph", "<p>Hello {first_name|there}.</p>")],
        created_at=timezone.now() - timedelta(days=30),
    )


def test_each_follow_up_goes_once_when_it_is_due(
    newsletter, smtp_inbox, association, django_capture_on_commit_callbacks
):
    _step(newsletter, 0, "Welcome, {first_name}")
    _step(newsletter, 3, "Day three")
    subscribe(
        newsletter, "ana@example.com", first_name="Ana", given_at=timezone.now() - timedelta(days=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("mailing_sequences", verbosity=0)
        call_command("mailing_sequences", verbosity=0)  # run again: nothing more

    [message] = smtp_inbox.to("ana@example.com")
    assert message["Subject"] == "Welcome, Ana"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert SequenceSend.objects.count() == 1


def test_unsubscribing_stops_the_rest_of_the_series(
    newsletter, smtp_inbox, association, django_capture_on_commit_callbacks
):
    _step(newsletter, 3, "Day three")
    contact = subscribe(newsletter, "ana@example.com", given_at=timezone.now() - timedelta(days=5))
    list_unsubscribe(contact=contact, mailing_list=newsletter, how="page")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("mailing_sequences", verbosity=0)

    assert smtp_inbox.messages == []
