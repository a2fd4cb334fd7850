"""Offers that expire and pass on, cancelling with refunds, reminders a week and a day before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import make_user
from tide.billing.models import CreditNote, Invoice
from tide.education.models import Event, Registration
from tide.education.services import (
    registration_accept_offer,
    registration_cancel,
    registration_create,
    registrations_expire,
    reminders_send,
)

from .factories import make_event, pay

pytestmark = pytest.mark.django_db
Status = Registration.Status


def register(event, user):
    return registration_create(event=event, user=user, province="NS")


@pytest.fixture
def third(db):
    return make_user("third@example.com", first_name="Tess", last_name="Third")


def test_a_cancelled_seat_is_offered_to_the_first_in_line(
    member, other_member, third, mailoutbox, committed
):
    event = make_event(capacity=1)
    first = register(event, member)
    second = register(event, other_member)
    register(event, third)
    with committed():
        registration_cancel(registration=first, by=member)
    second.refresh_from_db()
    assert second.status == Status.OFFERED
    assert any("A seat is free for you" in m.subject for m in mailoutbox)
    registration_accept_offer(registration=second, by=other_member)
    second.refresh_from_db()
    assert second.status == Status.CONFIRMED
    assert Event.objects.get(pk=event.pk).seats_taken == 1


def test_an_unanswered_offer_expires_and_passes_on(member, other_member, third):
    event = make_event(capacity=1)
    first = register(event, member)
    second = register(event, other_member)
    last = register(event, third)
    registration_cancel(registration=first, by=member)
    second.refresh_from_db()
    assert registrations_expire(now=second.hold_until + timedelta(minutes=1)) == 1
    second.refresh_from_db()
    last.refresh_from_db()
    assert second.status == Status.EXPIRED
    assert last.status == Status.OFFERED
    assert Event.objects.get(pk=event.pk).seats_taken == 1


def test_expiring_twice_changes_nothing(member):
    event = make_event(capacity=1, non_member_price_cents=50_00)
    held = register(event, member)
    later = held.hold_until + timedelta(minutes=1)
    assert registrations_expire(now=later) == 1
    assert registrations_expire(now=later) == 0
    assert Event.objects.get(pk=event.pk).seats_taken == 0


def test_the_periodic_command_runs_the_expiry(member):
    event = make_event(capacity=1, non_member_price_cents=50_00)
    held = register(event, member)
    Registration.objects.filter(pk=held.pk).update(hold_until=timezone.now() - timedelta(hours=1))
    call_command("education_periodic", verbosity=0)
    held.refresh_from_db()
    assert held.status == Status.EXPIRED


def test_a_paid_offer_comes_with_its_invoice(member, other_member):
    event = make_event(capacity=1, non_member_price_cents=80_00)
    first = register(event, member)
    second = register(event, other_member)
    registration_cancel(registration=first, by=member)
    second.refresh_from_db()
    assert second.status == Status.OFFERED
    pay(second)
    second.refresh_from_db()
    assert second.status == Status.CONFIRMED


def test_cancelling_a_paid_seat_within_the_policy_refunds_in_full(member):
    event = make_event(
        non_member_price_cents=100_00,
        refund_until_days=7,
        starts_at=timezone.now() + timedelta(days=20),
    )
    registration = pay(register(event, member))
    registration_cancel(registration=registration, by=member)
    note = CreditNote.objects.get()
    assert note.amount_cents == Invoice.objects.get(number=registration.invoice_number).total_cents
    assert Event.objects.get(pk=event.pk).seats_taken == 0


def test_cancelling_late_frees_the_seat_without_a_refund(member):
    event = make_event(
        non_member_price_cents=100_00,
        refund_until_days=7,
        starts_at=timezone.now() + timedelta(days=3),
    )
    registration = pay(register(event, member))
    registration_cancel(registration=registration, by=member)
    assert not CreditNote.objects.exists()
    assert Registration.objects.get(pk=registration.pk).status == Status.CANCELLED


def test_cancelling_an_unpaid_seat_voids_its_invoice(member):
    event = make_event(non_member_price_cents=100_00)
    registration = register(event, member)
    registration_cancel(registration=registration, by=member)
    assert Invoice.objects.get(number=registration.invoice_number).status == Invoice.Status.VOID


def test_a_week_and_a_day_before_each_confirmed_registrant_is_reminded_once(
    member, mailoutbox, committed
):
    event = make_event(starts_at=timezone.now() + timedelta(days=10))
    register(event, member)
    mailoutbox.clear()
    start = Event.objects.get(pk=event.pk).starts_at
    with committed():
        assert reminders_send(now=start - timedelta(days=6)) == 1
        assert reminders_send(now=start - timedelta(days=6)) == 0
        assert reminders_send(now=start - timedelta(hours=20)) == 1
    subjects = [m.subject for m in mailoutbox]
    assert subjects[0].startswith("Next week") and subjects[1].startswith("Tomorrow")
    assert mailoutbox[0].attachments[0][0].endswith(".ics")


def test_confirmation_arrives_over_smtp_with_the_ics_attached(member, smtp_inbox, committed):
    from icalendar import Calendar

    event = make_event()
    with committed():
        register(event, member)
    [(recipients, message)] = smtp_inbox.messages
    assert recipients == [member.email]
    [attachment] = [part for part in message.iter_attachments()]
    assert attachment.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(attachment.get_content())
    assert str(calendar.walk("VEVENT")[0]["summary"]) == event.title
