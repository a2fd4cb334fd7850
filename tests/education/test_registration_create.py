"""Registering: free seats confirm at once, paid seats through billing, the waitlist when full."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.membership.factories import make_level, make_period
from tide.billing.models import Invoice
from tide.education.models import Event, Registration
from tide.education.services import registration_create

from .factories import make_event, pay

pytestmark = pytest.mark.django_db
Status = Registration.Status


def register(event, user, **kwargs):
    return registration_create(event=event, user=user, province="NS", **kwargs)


def test_a_free_event_confirms_at_once_and_takes_a_seat(member, mailoutbox, committed):
    event = make_event(capacity=2)
    with committed():
        registration = register(event, member)
    assert registration.status == Status.CONFIRMED
    assert Event.objects.get(pk=event.pk).seats_left == 1
    [message] = mailoutbox
    assert "You are registered" in message.subject
    assert registration.ticket_code in message.body
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics") and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content


def test_a_paid_seat_is_held_with_an_issued_invoice_until_paid(member, mailoutbox, committed):
    event = make_event(member_price_cents=120_00, non_member_price_cents=180_00)
    registration = register(event, member)
    assert registration.status == Status.AWAITING_PAYMENT
    assert registration.hold_until > timezone.now()
    invoice = Invoice.objects.get(number=registration.invoice_number)
    assert invoice.status == Invoice.Status.OPEN
    assert invoice.subtotal_cents == 180_00  # not a member: the non-member price
    assert invoice.tax_cents == 25_20  # Nova Scotia HST 14%
    assert Event.objects.get(pk=event.pk).seats_taken == 1

    with committed():
        registration = pay(registration)
    assert registration.status == Status.CONFIRMED
    assert registration.paid_at is not None
    assert any("You are registered" in m.subject for m in mailoutbox)


def test_a_member_in_good_standing_pays_the_member_price(member):
    make_period(member, make_level(), ends_on=timezone.localdate() + timedelta(days=200))
    event = make_event(member_price_cents=120_00, non_member_price_cents=180_00)
    registration = register(event, member)
    assert registration.audience == "member"
    assert Invoice.objects.get(number=registration.invoice_number).subtotal_cents == 120_00


def test_a_level_without_member_prices_pays_the_non_member_price(member):
    level = make_level(includes_member_prices=False, slug="student", name="Student")
    make_period(member, level, ends_on=timezone.localdate() + timedelta(days=200))
    event = make_event(member_price_cents=120_00, non_member_price_cents=180_00)
    assert register(event, member).price_cents == 180_00


def test_a_student_pays_the_student_price(member):
    event = make_event(non_member_price_cents=180_00, student_price_cents=60_00)
    assert register(event, member, student=True).price_cents == 60_00


def test_registering_twice_is_refused_clearly(member):
    event = make_event()
    register(event, member)
    with pytest.raises(ValidationError, match="already registered"):
        register(event, member)
    assert Registration.objects.filter(event=event).count() == 1


def test_registering_after_closing_is_refused(member):
    event = make_event(registration_closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="closed"):
        register(event, member)
    assert not Registration.objects.exists()


def test_registering_before_opening_is_refused(member):
    event = make_event(registration_opens_at=timezone.now() + timedelta(days=2))
    with pytest.raises(ValidationError, match="Registration opens on"):
        register(event, member)


def test_registering_for_a_past_event_is_refused(member):
    event = make_event(starts_at=timezone.now() - timedelta(days=3))
    with pytest.raises(ValidationError, match="closed"):
        register(event, member)


def test_an_unpublished_event_takes_no_registrations(member):
    event = make_event(published=False)
    with pytest.raises(ValidationError, match="not open"):
        register(event, member)


def test_when_full_new_registrants_join_the_waitlist(member, other_member, mailoutbox, committed):
    event = make_event(capacity=1)
    register(event, member)
    with committed():
        waiting = register(event, other_member)
    assert waiting.status == Status.WAITLISTED
    assert Event.objects.get(pk=event.pk).seats_taken == 1
    assert "waitlist" in mailoutbox[-1].subject


def test_a_waitlisted_registrant_gets_no_invoice(member, other_member):
    event = make_event(capacity=1, non_member_price_cents=50_00)
    register(event, member)
    assert register(event, other_member).invoice_number == ""


def test_paying_after_the_hold_expired_and_the_seat_went_to_someone_else_refunds(
    member, other_member, mailoutbox
):
    """Never two people in one seat: the late payer is refunded and goes back on the waitlist."""
    from tide.education.services import registrations_expire

    event = make_event(capacity=1, non_member_price_cents=100_00)
    late = register(event, member)
    waiting = register(event, other_member)
    registrations_expire(now=late.hold_until + timedelta(seconds=1))
    late.refresh_from_db()
    waiting.refresh_from_db()
    assert late.status == Status.EXPIRED
    assert waiting.status == Status.OFFERED  # the freed seat is offered to the next in line
    invoice = Invoice.objects.get(number=late.invoice_number)
    assert invoice.status == Invoice.Status.VOID  # an expired hold's invoice cannot be paid

    # The offer is paid; the event is full again.
    pay(waiting)
    assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 1
    assert Event.objects.get(pk=event.pk).seats_taken == 1


def test_a_payment_racing_an_expired_hold_is_refunded_when_the_seat_is_gone(member, other_member):
    """The hold expired while the payment was in flight (the invoice stayed open), and the seat
    went to someone else: the payment is refunded, the payer waitlisted."""
    event = make_event(capacity=1, non_member_price_cents=100_00)
    late = register(event, member)
    # The seat was released (as if expired) and taken by another registrant meanwhile.
    Registration.objects.filter(pk=late.pk).update(status=Status.EXPIRED)
    Event.objects.filter(pk=event.pk).update(seats_taken=0)
    other = register(Event.objects.get(pk=event.pk), other_member)
    pay(other)

    late = pay(late)  # billing runs registration_fulfil once
    assert late.status == Status.WAITLISTED
    assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 1
    assert Event.objects.get(pk=event.pk).seats_taken == 1
    from tide.billing.models import CreditNote

    assert CreditNote.objects.filter(amount_cents=114_00).count() == 1


def test_seat_count_matches_the_registrations(member, other_member):
    event = make_event(capacity=1, non_member_price_cents=10_00)
    register(event, member)
    register(event, other_member)
    event.refresh_from_db()
    assert event.seats_taken == Registration.objects.holding_seats().filter(event=event).count()
