"""Every education URL against every persona: visitor, member, another member, staff without
the permission, staff with it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from tide.education.models import Registration
from tide.education.services import registration_check_in, registration_create

from .factories import make_event

pytestmark = pytest.mark.django_db

PUBLIC = ["catalogue", "calendar", "feed"]


@pytest.fixture
def setup(member, coordinator):
    event = make_event(starts_at=timezone.now() + timezone.timedelta(hours=2))
    registration = registration_create(event=event, user=member, province="ON")
    registration_check_in(registration=registration, by=coordinator)
    return event, registration


def _persona(request, name):
    return None if name == "visitor" else request.getfixturevalue(name)


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_open_to_visitors(client, name):
    assert client.get(reverse(f"education:{name}")).status_code == 200


def test_event_page_and_ics_open_to_visitors(client, setup):
    event, _ = setup
    assert client.get(event.get_absolute_url()).status_code == 200
    assert client.get(reverse("education:event_ics", args=[event.slug])).status_code == 200


OWN_PAGES = ["ticket", "certificate"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("visitor", 302), ("member", 200), ("other_member", 404), ("staff_without_permission", 404)],
)
@pytest.mark.parametrize("name", OWN_PAGES)
def test_a_registrants_ticket_and_certificate_are_theirs_alone(
    client, request, setup, persona, expected, name
):
    _, registration = setup
    if user := _persona(request, persona):
        login(client, user)
    response = client.get(reverse(f"education:{name}", args=[registration.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize("name", ["my_events", "transcript", "credit_add", "transcript_pdf"])
def test_personal_pages_need_a_login(client, name):
    response = client.get(reverse(f"education:{name}"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["cancel", "accept"])
def test_another_member_cannot_cancel_or_accept_my_registration(client, other_member, setup, name):
    _, registration = setup
    login(client, other_member)
    assert client.post(reverse(f"education:{name}", args=[registration.pk])).status_code == 404
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"


def test_registering_needs_a_login_and_a_post(client, member, setup):
    event, _ = setup
    url = reverse("education:register", args=[event.slug])
    assert client.post(url).status_code == 302
    assert not Registration.objects.filter(event=event).exclude(user=member).exists()
    login(client, member)
    assert client.get(url).status_code == 405


def _admin_urls(event, registration):
    return [
        ("get", reverse("education_admin_events")),
        ("get", reverse("education_admin_event", args=[event.pk])),
        ("get", reverse("education_admin_export", args=[event.pk])),
        ("post", reverse("education_admin_check_in_code", args=[event.pk])),
        ("post", reverse("education_admin_check_in", args=[registration.pk])),
        ("post", reverse("education_admin_cancel", args=[registration.pk])),
        ("get", reverse("education_admin_credits")),
    ]


@pytest.mark.parametrize("persona", ["member", "staff_without_permission"])
def test_staff_screens_are_refused_without_the_permission(client, request, setup, persona):
    event, registration = setup
    login(client, request.getfixturevalue(persona))
    for method, url in _admin_urls(event, registration):
        response = getattr(client, method)(url)
        assert response.status_code in (302, 403), url
        if persona == "staff_without_permission":
            assert response.status_code == 403, url


def test_visitors_are_sent_to_log_in_for_staff_screens(client, setup):
    event, registration = setup
    for method, url in _admin_urls(event, registration):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url


def test_staff_with_the_permission_open_the_staff_screens(client, coordinator, setup):
    event, registration = setup
    login(client, coordinator)
    for method, url in _admin_urls(event, registration):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_evidence_is_served_to_its_owner_and_reviewers_only(
    client, member, other_member, coordinator, staff_without_permission
):
    from tests.education.test_outside_credits import report

    entry = report(member)
    url = reverse("education:evidence", args=[entry.pk])
    assert client.get(url).status_code == 302
    for user, expected in (
        (member, 200),
        (other_member, 404),
        (staff_without_permission, 404),
        (coordinator, 200),
    ):
        login(client, user)
        response = client.get(url)
        assert response.status_code == expected, user
        if expected == 200:
            assert response["Content-Disposition"].startswith("attachment")
            assert response["X-Content-Type-Options"] == "nosniff"
