"""Registering, cancelling and taking an offered seat through the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from tide.education.models import Registration
from tide.education.services import registration_cancel, registration_create

from .factories import make_event

pytestmark = pytest.mark.django_db


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_registering_for_a_free_event_shows_the_ticket(client, member):
    event = make_event()
    login(client, member)
    response = client.post(reverse("education:register", args=[event.slug]), follow=True)
    registration = Registration.objects.get()
    assert response.redirect_chain[-1][0] == reverse("education:ticket", args=[registration.pk])
    assert registration.ticket_code in response.content.decode()
    assert "<svg" in response.content.decode()


def test_registering_for_a_paid_event_goes_to_the_invoice(client, member):
    event = make_event(non_member_price_cents=90_00)
    login(client, member)
    response = client.post(reverse("education:register", args=[event.slug]))
    registration = Registration.objects.get()
    assert response["Location"] == reverse(
        "billing:invoice_detail", args=[registration.invoice_number]
    )


def test_registering_twice_through_the_page_says_so(client, member):
    event = make_event()
    login(client, member)
    client.post(reverse("education:register", args=[event.slug]))
    response = client.post(reverse("education:register", args=[event.slug]), follow=True)
    assert "already registered" in messages_of(response)
    assert Registration.objects.count() == 1


def test_registering_after_closing_through_the_page_says_so(client, member):
    event = make_event(registration_closes_at=timezone.now() - timedelta(hours=1))
    login(client, member)
    response = client.post(reverse("education:register", args=[event.slug]), follow=True)
    assert response.status_code == 200
    assert "has closed" in messages_of(response)
    assert "Registration is closed" in response.content.decode()


def test_a_full_event_puts_you_on_the_waitlist(client, member, other_member):
    event = make_event(capacity=1)
    registration_create(event=event, user=other_member, province="ON")
    login(client, member)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Join the waitlist" in page
    response = client.post(reverse("education:register", args=[event.slug]), follow=True)
    assert "waitlist" in messages_of(response)
    assert "Waitlisted" in response.content.decode()


def test_cancelling_from_my_events(client, member):
    event = make_event()
    registration = registration_create(event=event, user=member, province="ON")
    login(client, member)
    response = client.post(reverse("education:cancel", args=[registration.pk]), follow=True)
    assert "cancelled" in messages_of(response)
    assert Registration.objects.get().status == "cancelled"


def test_taking_an_offered_seat_from_my_events(client, member, other_member):
    event = make_event(capacity=1)
    first = registration_create(event=event, user=other_member, province="ON")
    waiting = registration_create(event=event, user=member, province="ON")
    registration_cancel(registration=first, by=other_member)
    login(client, member)
    page = client.get(reverse("education:my_events")).content.decode()
    assert "Take the seat" in page
    response = client.post(reverse("education:accept", args=[waiting.pk]))
    assert response["Location"] == reverse("education:ticket", args=[waiting.pk])


def test_a_ticket_exists_only_for_a_confirmed_seat(client, member):
    event = make_event(non_member_price_cents=90_00)
    registration = registration_create(event=event, user=member, province="ON")
    login(client, member)
    assert client.get(reverse("education:ticket", args=[registration.pk])).status_code == 404


def test_the_join_link_is_shown_only_to_confirmed_registrants(client, member, other_member):
    event = make_event(format="online", join_url="https://meet.example.com/room-42")
    registration_create(event=event, user=member, province="ON")
    assert "room-42" not in client.get(event.get_absolute_url()).content.decode()
    login(client, other_member)
    assert "room-42" not in client.get(event.get_absolute_url()).content.decode()
    login(client, member)
    assert "room-42" in client.get(event.get_absolute_url()).content.decode()


def test_the_portal_links_to_my_events_and_the_transcript(client, member):
    login(client, member)
    page = client.get(reverse("membership:portal")).content.decode()
    assert reverse("education:my_events") in page
    assert reverse("education:transcript") in page
