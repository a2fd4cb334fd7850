"""Check-in at the door: ticket code typed or scanned, or names ticked; credits follow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from tide.education.credits import certificate_token
from tide.education.models import CreditEntry, Registration
from tide.education.services import registration_check_in, registration_create

from .factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_event():
    return make_event(starts_at=timezone.now() + timedelta(hours=1))


def test_typing_the_ticket_code_checks_in_and_awards_credits(
    client, coordinator, member, today_event
):
    registration = registration_create(event=today_event, user=member, province="ON")
    login(client, coordinator)
    client.post(
        reverse("education_admin_check_in_code", args=[today_event.pk]),
        {"code": registration.ticket_code.lower()},
    )
    registration.refresh_from_db()
    assert registration.attended_at is not None
    credit = CreditEntry.objects.get(registration=registration)
    assert credit.credits == today_event.ce_credits
    assert credit.status == CreditEntry.Status.APPROVED


def test_an_unknown_code_says_so(client, coordinator, today_event):
    login(client, coordinator)
    response = client.post(
        reverse("education_admin_check_in_code", args=[today_event.pk]),
        {"code": "NOPE"},
        follow=True,
    )
    assert "No ticket NOPE" in response.content.decode()


def test_ticking_a_name_checks_in_once(client, coordinator, member, today_event):
    registration = registration_create(event=today_event, user=member, province="ON")
    login(client, coordinator)
    url = reverse("education_admin_check_in", args=[registration.pk])
    client.post(url)
    client.post(url)
    assert CreditEntry.objects.filter(registration=registration).count() == 1


def test_undoing_a_check_in_removes_the_credits(client, coordinator, member, today_event):
    registration = registration_create(event=today_event, user=member, province="ON")
    registration_check_in(registration=registration, by=coordinator)
    login(client, coordinator)
    client.post(reverse("education_admin_check_in", args=[registration.pk]), {"undo": "1"})
    assert not CreditEntry.objects.exists()


def test_a_waitlisted_person_cannot_be_checked_in(coordinator, member, other_member):
    event = make_event(capacity=1, starts_at=timezone.now() + timedelta(hours=1))
    registration_create(event=event, user=member, province="ON")
    waiting = registration_create(event=event, user=other_member, province="ON")
    with pytest.raises(Exception, match="confirmed"):
        registration_check_in(registration=waiting, by=coordinator)


def test_check_in_a_week_early_is_refused(coordinator, member):
    event = make_event(starts_at=timezone.now() + timedelta(days=7))
    registration = registration_create(event=event, user=member, province="ON")
    with pytest.raises(Exception, match="day of the event"):
        registration_check_in(registration=registration, by=coordinator)


def test_online_attendance_is_marked_from_the_registration_list(client, coordinator, member):
    event = make_event(
        format="online",
        join_url="https://meet.example.com/x",
        starts_at=timezone.now() - timedelta(hours=2),
    )
    registration = Registration.objects.create(
        event=event, user=member, status="confirmed", audience="member"
    )
    login(client, coordinator)
    page = client.get(reverse("education_admin_event", args=[event.pk])).content.decode()
    assert "Check in Mara Member" in page
    client.post(reverse("education_admin_check_in", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.attended_at


def test_the_certificate_downloads_and_its_qr_page_verifies(
    client, coordinator, member, today_event
):
    registration = registration_create(event=today_event, user=member, province="ON")
    registration_check_in(registration=registration, by=coordinator)
    login(client, member)
    response = client.get(reverse("education:certificate", args=[registration.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    client.logout()
    page = client.get(reverse("education:verify", args=[certificate_token(registration)]))
    assert page.status_code == 200
    assert "Valid certificate" in page.content.decode()
    assert "Mara Member" in page.content.decode()
    bad = client.get(reverse("education:verify", args=[certificate_token(registration) + "x"]))
    assert bad.status_code == 404


def test_the_csv_export_escapes_formulas(client, coordinator, member, today_event):
    member.first_name = "=HYPERLINK(1)"
    member.save()
    registration_create(event=today_event, user=member, province="ON")
    login(client, coordinator)
    response = client.get(reverse("education_admin_export", args=[today_event.pk]))
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in body
    assert "Confirmed" in body


def test_the_event_page_for_staff_shows_revenue_and_refunds(
    client, coordinator, member, other_member
):
    from .factories import pay

    event = make_event(non_member_price_cents=100_00, starts_at=timezone.now() + timedelta(days=30))
    pay(registration_create(event=event, user=member, province="ON"))
    kept = pay(registration_create(event=event, user=other_member, province="ON"))
    from tide.education.services import registration_cancel

    registration_cancel(registration=kept, by=other_member)
    login(client, coordinator)
    page = client.get(reverse("education_admin_event", args=[event.pk])).content.decode()
    assert "Paid $226.00 (tax included) on 2 invoices; $113.00 refunded" in page
