"""The renewal-reminder job: each reminder once, on its day, only to members who have not renewed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.billing.threads import on_postgresql, run_together
from tests.conftest import make_user
from tide.association.models import AssociationSettings
from tide.management.commands.runperiodic import periodic_commands
from tide.membership.models import MembershipSettings, RenewalReminder
from tide.membership.renewals import membership_send_reminders

from .factories import make_period, set_rules

pytestmark = pytest.mark.django_db

END = date(2026, 11, 30)  # the last day of the period; grace (60 days) runs to 29 January


def send(today: date, capture) -> int:
    with capture(execute=True):
        return membership_send_reminders(today=today)


@pytest.mark.parametrize(
    ("offset", "subject"),
    [
        (60, "Your membership ends on 30 November 2026: renew now"),
        (30, "Your membership ends on 30 November 2026: renew now"),
        (7, "Your membership ends on 30 November 2026: renew now"),
        (0, "Your membership ends today: renew now"),
        (-14, "Your membership has expired: you are in your grace period until 29 January 2027"),
        (-61, "Your membership has lapsed"),
    ],
)
def test_each_reminder_is_sent_once_on_its_day_and_not_the_day_before_or_after(
    member, rmt, django_capture_on_commit_callbacks, offset, subject
):
    period = make_period(member, rmt, ends_on=END)
    day = END - timedelta(days=offset)

    assert send(day - timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert send(day, django_capture_on_commit_callbacks) == 1
    assert send(day + timedelta(days=1), django_capture_on_commit_callbacks) == 0

    assert [m.subject for m in mail.outbox] == [subject]
    assert mail.outbox[0].to == [member.email]
    assert RenewalReminder.objects.get().period == period


def test_running_the_job_twice_on_one_day_sends_nothing_more(
    member, rmt, django_capture_on_commit_callbacks
):
    make_period(member, rmt, ends_on=END)

    assert send(END - timedelta(days=7), django_capture_on_commit_callbacks) == 1
    assert send(END - timedelta(days=7), django_capture_on_commit_callbacks) == 0

    assert len(mail.outbox) == 1
    assert RenewalReminder.objects.count() == 1


def test_reminders_before_expiry_link_to_the_renew_page(
    member, rmt, django_capture_on_commit_callbacks
):
    make_period(member, rmt, ends_on=END)

    send(END - timedelta(days=30), django_capture_on_commit_callbacks)

    body = mail.outbox[0].body
    assert "Hello Mara Member," in body
    assert "Your RMT membership ends on 30 November 2026." in body
    assert "/membership/renew/" in body


def test_the_grace_reminder_says_when_grace_ends_and_links_to_renew(
    member, rmt, django_capture_on_commit_callbacks
):
    make_period(member, rmt, ends_on=END)

    send(END + timedelta(days=14), django_capture_on_commit_callbacks)

    body = mail.outbox[0].body
    assert "You are in your grace period until 29 January 2027" in body
    assert "/membership/renew/" in body


def test_the_lapse_notice_says_how_to_reinstate(member, rmt, django_capture_on_commit_callbacks):
    make_period(member, rmt, ends_on=END)

    send(END + timedelta(days=61), django_capture_on_commit_callbacks)

    body = mail.outbox[0].body
    assert "your membership has lapsed" in body
    assert "how to reinstate" in body
    assert "/membership/join/" in body
    assert "/membership/renew/" not in body


def test_a_member_who_renewed_gets_no_more_reminders_for_the_old_period(
    member, rmt, django_capture_on_commit_callbacks
):
    old = make_period(member, rmt, ends_on=END)
    make_period(member, rmt, ends_on=END + timedelta(days=365), renewal_of=old)

    for offset in (7, 0, -14, -61):
        assert send(END - timedelta(days=offset), django_capture_on_commit_callbacks) == 0

    assert mail.outbox == []


def test_offsets_come_from_the_membership_settings(member, rmt, django_capture_on_commit_callbacks):
    set_rules(reminder_days="45, 1")
    make_period(member, rmt, ends_on=END)

    assert send(END - timedelta(days=60), django_capture_on_commit_callbacks) == 0
    assert send(END - timedelta(days=45), django_capture_on_commit_callbacks) == 1
    assert send(END - timedelta(days=1), django_capture_on_commit_callbacks) == 1


def test_a_deactivated_account_gets_no_reminder(member, rmt, django_capture_on_commit_callbacks):
    make_period(member, rmt, ends_on=END)
    member.is_active = False
    member.save()

    assert send(END, django_capture_on_commit_callbacks) == 0


def test_the_query_count_does_not_grow_with_the_number_of_members(rmt, settings):
    """Besides the outbox: one queued task per email, counted apart (a backend that keeps them)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    def seed(count: int, ends_on: date) -> None:
        for n in range(count):
            user = make_user(f"m{ends_on:%m%d}-{n}@example.com", first_name="M")
            make_period(user, rmt, ends_on=ends_on)

    MembershipSettings.load()
    AssociationSettings.load()
    seed(2, END)
    seed(25, END + timedelta(days=1))

    with CaptureQueriesContext(connection) as few:
        assert membership_send_reminders(today=END - timedelta(days=7)) == 2
    with CaptureQueriesContext(connection) as many:
        assert membership_send_reminders(today=END + timedelta(days=1) - timedelta(days=7)) == 25

    assert len(many) == len(few)


def test_the_management_command_sends_the_days_reminders(
    member, rmt, django_capture_on_commit_callbacks
):
    make_period(member, rmt, ends_on=END)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("membership_reminders", "--today=2026-11-23", verbosity=0)

    assert len(mail.outbox) == 1


def test_runperiodic_runs_the_reminder_job():
    assert ("membership_reminders", {}) in periodic_commands()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_machines_running_the_job_at_once_send_each_email_once(rmt):
    MembershipSettings.load()
    AssociationSettings.load()
    for n in range(30):
        make_period(make_user(f"m{n}@example.com"), rmt, ends_on=END)

    results, errors = run_together(4, lambda _: membership_send_reminders(today=END))

    assert errors == []
    assert sum(results) == 30
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"m{n}@example.com" for n in range(30))
    assert RenewalReminder.objects.count() == 30


@pytest.mark.parametrize("value", ["sixty", "60;30", "400"])
def test_reminder_days_that_are_not_days_are_refused(value):
    rules = MembershipSettings(reminder_days=value)

    with pytest.raises(ValidationError) as refused:
        rules.full_clean(exclude=["site"])

    assert "reminder_days" in refused.value.message_dict


def test_a_reminder_after_grace_is_refused():
    rules = MembershipSettings(reminder_days="30,-90", grace_days=60)

    with pytest.raises(ValidationError) as refused:
        rules.full_clean()

    assert "within the grace period" in str(refused.value)
