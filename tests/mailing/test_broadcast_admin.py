"""The broadcast screens in the back office: who may open them, test send, send, pause."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.conftest import login, make_user
from tide.mailing.models import Broadcast, Delivery

from .factories import make_broadcast, make_list, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailer(db):
    user = make_user("mailer@example.com", staff=True, mfa=True, first_name="Meg")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="mailing"),
    )
    return user


@pytest.fixture
def broadcast(association):
    newsletter = make_list()
    subscribe(newsletter, "ana@example.com", first_name="Ana")
    return make_broadcast(newsletter)


URLS = [
    ("mailing_admin_broadcast", "get"),
    ("mailing_admin_broadcast_progress", "get"),
    ("mailing_admin_broadcast_preview", "get"),
    ("mailing_admin_broadcast_test", "post"),
    ("mailing_admin_broadcast_send", "post"),
    ("mailing_admin_broadcast_pause", "post"),
    ("mailing_admin_broadcast_resume", "post"),
]


@pytest.mark.parametrize(("name", "method"), URLS)
def test_visitors_are_sent_to_log_in(client, broadcast, name, method):
    response = getattr(client, method)(reverse(name, args=[broadcast.pk]))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(("name", "method"), URLS)
@pytest.mark.parametrize("persona", ["member", "other_member", "staff_without_permission"])
def test_people_without_the_permission_are_refused(
    client, broadcast, name, method, persona, request
):
    login(client, request.getfixturevalue(persona))

    response = getattr(client, method)(reverse(name, args=[broadcast.pk]))

    if persona == "staff_without_permission":
        assert response.status_code == 403
    else:  # not staff: the back office sends them to log in
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    assert Delivery.objects.count() == 0
    assert Broadcast.objects.get().status == "draft"


def test_staff_see_the_broadcast_with_its_recipient_count_and_previews(client, mailer, broadcast):
    login(client, mailer)

    response = client.get(reverse("mailing_admin_broadcast", args=[broadcast.pk]))

    assert response.status_code == 200
    text = response.content.decode()
    assert "1 contact with live consent" in text
    assert "Preview at phone width" in text
    preview = client.get(reverse("mailing_admin_broadcast_preview", args=[broadcast.pk]))
    assert preview.status_code == 200
    assert "Hello Meg" in preview.content.decode()


def test_a_test_send_goes_to_the_staff_member_only(
    client, mailer, broadcast, smtp_inbox, django_capture_on_commit_callbacks
):
    login(client, mailer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mailing_admin_broadcast_test", args=[broadcast.pk]))

    assert [r for r, _ in smtp_inbox.messages] == [["mailer@example.com"]]
    assert smtp_inbox.messages[0][1]["Subject"].startswith("[Test] Spring self-care, Meg")
    assert Delivery.objects.count() == 0


def test_sending_from_the_back_office_delivers_and_shows_progress(
    client, mailer, broadcast, smtp_inbox, django_capture_on_commit_callbacks
):
    login(client, mailer)

    send_url = reverse("mailing_admin_broadcast_send", args=[broadcast.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send_url, {"confirmed": "yes"})

    assert response.status_code == 302
    assert [r for r, _ in smtp_inbox.messages] == [["ana@example.com"]]
    progress = client.get(reverse("mailing_admin_broadcast_progress", args=[broadcast.pk]))
    assert "1 of 1 (100%)" in progress.content.decode()
    again = client.post(send_url, {"confirmed": "yes"}, follow=True)
    assert "This broadcast has already been sent or started." in again.content.decode()
    assert len(smtp_inbox.messages) == 1


def test_send_now_first_shows_subject_list_and_recipient_count(
    client, mailer, broadcast, smtp_inbox, django_capture_on_commit_callbacks
):
    subscribe(broadcast.mailing_list, "bo@example.com")
    login(client, mailer)
    detail = client.get(reverse("mailing_admin_broadcast", args=[broadcast.pk])).content.decode()
    send_url = reverse("mailing_admin_broadcast_send", args=[broadcast.pk])
    assert f'href="{send_url}"' in detail  # a plain link: works without JavaScript

    page = client.get(send_url)

    text = page.content.decode()
    assert page.status_code == 200
    assert "Spring self-care, {first_name|friend}" in text
    assert "Self-care notes — everyone on the list" in text
    assert "2 contacts with live consent" in text
    assert "Yes, send it to 2 people" in text
    assert Broadcast.objects.get().status == "draft"
    assert smtp_inbox.messages == []


def test_a_post_without_the_confirmation_only_shows_the_confirmation(
    client, mailer, broadcast, smtp_inbox, django_capture_on_commit_callbacks
):
    login(client, mailer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mailing_admin_broadcast_send", args=[broadcast.pk]))

    assert response.status_code == 200
    assert "Check before sending" in response.content.decode()
    assert Broadcast.objects.get().status == "draft"
    assert smtp_inbox.messages == []


def test_the_confirmation_names_the_segment_and_says_when_nobody_would_get_it(
    client, mailer, association
):
    empty = make_broadcast(make_list(name="Digest", slug="digest"), segment="members_active")
    login(client, mailer)

    text = client.get(reverse("mailing_admin_broadcast_send", args=[empty.pk])).content.decode()

    assert "Digest — Members in good standing" in text
    assert "Nobody on this list may be sent it now" in text
    assert "Yes, send it" not in text


def test_a_sent_broadcast_cannot_be_edited(client, mailer, broadcast):
    Broadcast.objects.filter(pk=broadcast.pk).update(status="sent")
    login(client, mailer)

    response = client.get(reverse("wagtailsnippets_mailing_broadcast:edit", args=[broadcast.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("mailing_admin_broadcast", args=[broadcast.pk])
