"""A broadcast as it arrives through a real SMTP server: headers, both parts, the footer, a
working unsubscribe URL, and each recipient exactly once."""

from __future__ import annotations

import re
import smtplib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tide.mailing.models import Broadcast, Delivery, SuppressionReason, may_send
from tide.mailing.sending import (
    broadcast_pause,
    broadcast_progress,
    broadcast_resume,
    broadcast_send_batches,
    broadcast_start,
    broadcasts_resume_stalled,
)
from tide.mailing.services import contact_suppress, list_unsubscribe

from .factories import make_broadcast, make_list, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsletter():
    return make_list(name="Self-care notes")


def _send(broadcast, captured):
    with captured(execute=True):
        return broadcast_start(broadcast=broadcast, by=None)


def test_a_broadcast_arrives_with_both_parts_the_footer_and_one_click_headers(
    client, newsletter, smtp_inbox, association, django_capture_on_commit_callbacks
):
    subscribe(newsletter, "ana@example.com", first_name="Ana")
    broadcast = make_broadcast(newsletter)

    assert _send(broadcast, django_capture_on_commit_callbacks) == 1

    [message] = smtp_inbox.to("ana@example.com")
    assert message["Subject"] == "Spring self-care, Ana"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.fullmatch(
        r"<https://harbour\.example(/email/unsubscribe/\S+/one-click/)>",
        message["List-Unsubscribe"].strip(),
    )
    assert one_click, message["List-Unsubscribe"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Hello Ana" in text and "Hello Ana" in html
    assert "stretches (https://example.com/stretch)" in text
    assert "Book a massage: https://example.com/book" in text
    assert "Three stretches for the season" in html  # the preheader
    assert 'style="' in html and "color: #0b5c5c" in html  # CSS inlined
    for part in (text, html):
        assert "Harbour RMT Association" in part
        assert "1 Pier Road, Halifax NS, B3H 1A1" in part
        assert "hello@harbour.example" in part
        assert "https://harbour.example/email/unsubscribe/" in part

    # The footer link opens a page; the header URL unsubscribes on a bare POST (RFC 8058).
    footer = re.search(r"https://harbour\.example(/email/unsubscribe/[^\s/]+/)\s", text)
    assert footer, text
    footer = footer.group(1)
    assert client.get(footer).status_code == 200
    contact = Delivery.objects.get().contact
    assert may_send(contact, newsletter)
    response = client.post(
        one_click.group(1),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not may_send(contact, newsletter)
    assert broadcast_progress(broadcast)["unsubscribed"] == 1


def test_merge_fields_fall_back_when_the_name_is_unknown(
    newsletter, smtp_inbox, association, django_capture_on_commit_callbacks
):
    subscribe(newsletter, "noname@example.com")
    _send(make_broadcast(newsletter), django_capture_on_commit_callbacks)

    [message] = smtp_inbox.to("noname@example.com")
    assert message["Subject"] == "Spring self-care, friend"
    assert "Hello there" in message.get_body(preferencelist=("plain",)).get_content()


def test_merge_values_are_escaped_in_html(
    newsletter, smtp_inbox, association, django_capture_on_commit_callbacks
):
    subscribe(newsletter, "x@example.com", first_name="<b>Bo</b>")
    _send(make_broadcast(newsletter), django_capture_on_commit_callbacks)

    [message] = smtp_inbox.to("x@example.com")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Hello &lt;b&gt;Bo&lt;/b&gt;" in html


def test_only_contacts_with_live_consent_and_no_suppression_receive_it(
    newsletter, smtp_inbox, association, django_capture_on_commit_callbacks
):
    other = make_list(name="Digest", slug="digest")
    subscribe(newsletter, "yes@example.com")
    subscribe(other, "otherlist@example.com")
    left = subscribe(newsletter, "left@example.com")
    list_unsubscribe(contact=left, mailing_list=newsletter, how="page")
    bounced = subscribe(newsletter, "bounced@example.com")
    contact_suppress(contact=bounced, reason=SuppressionReason.HARD_BOUNCE)

    _send(make_broadcast(newsletter), django_capture_on_commit_callbacks)

    assert [recipients for recipients, _ in smtp_inbox.messages] == [["yes@example.com"]]


def test_someone_who_unsubscribes_after_the_start_is_skipped(
    newsletter, smtp_inbox, association, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    subscribe(newsletter, "stays@example.com")
    leaver = subscribe(newsletter, "leaver@example.com")
    broadcast = make_broadcast(newsletter)
    broadcast_start(broadcast=broadcast, by=None)

    list_unsubscribe(contact=leaver, mailing_list=newsletter, how="one-click")
    broadcast_send_batches(broadcast.pk)

    assert [recipients for recipients, _ in smtp_inbox.messages] == [["stays@example.com"]]
    assert Delivery.objects.get(contact=leaver).status == "skipped"
    broadcast.refresh_from_db()
    assert broadcast.status == "sent"


def test_each_recipient_gets_it_once_however_many_workers_run(
    newsletter, smtp_inbox, association, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MAILING_BATCH_SIZE = 3
    for number in range(10):
        subscribe(newsletter, f"p{number}@example.com")
    broadcast = make_broadcast(newsletter)
    broadcast_start(broadcast=broadcast, by=None)

    broadcast_send_batches(broadcast.pk)
    broadcast_send_batches(broadcast.pk)  # a second worker finds nothing left

    assert sorted(r[0] for r, _ in smtp_inbox.messages) == sorted(
        f"p{n}@example.com" for n in range(10)
    )


def test_a_dead_workers_claims_are_taken_over_after_the_lease(
    newsletter, smtp_inbox, association, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    for number in range(4):
        subscribe(newsletter, f"p{number}@example.com")
    broadcast = make_broadcast(newsletter)
    broadcast_start(broadcast=broadcast, by=None)
    # A worker claimed everything, sent the first one, and was killed.
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - timedelta(seconds=settings.MAILING_CLAIM_LEASE_SECONDS + 1)
    rows = list(Delivery.objects.order_by("id"))
    Delivery.objects.filter(pk=rows[0].pk).update(status="sent", claimed_by="dead")
    Delivery.objects.filter(pk__in=[r.pk for r in rows[1:]]).update(
        status="claimed", claimed_by="dead", claimed_at=long_ago
    )
    Broadcast.objects.filter(pk=broadcast.pk).update(heartbeat_at=long_ago)

    assert broadcasts_resume_stalled() == [broadcast.pk]  # queues a new worker
    broadcast_send_batches(broadcast.pk)

    assert sorted(r[0] for r, _ in smtp_inbox.messages) == [
        "p1@example.com",
        "p2@example.com",
        "p3@example.com",
    ]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_pause_stops_sending_and_resume_finishes(newsletter, smtp_inbox, association, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    for number in range(3):
        subscribe(newsletter, f"p{number}@example.com")
    broadcast = make_broadcast(newsletter)
    broadcast_start(broadcast=broadcast, by=None)

    broadcast_pause(broadcast=broadcast, by=None)
    assert broadcast_send_batches(broadcast.pk) == "paused"
    assert smtp_inbox.messages == []

    broadcast_resume(broadcast=broadcast, by=None)
    assert broadcast_send_batches(broadcast.pk) == "sent"
    assert len(smtp_inbox.messages) == 3
    with pytest.raises(ValidationError):
        broadcast_resume(broadcast=broadcast, by=None)


def test_a_broadcast_starts_once(newsletter, association, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    subscribe(newsletter, "a@example.com")
    broadcast = make_broadcast(newsletter)
    broadcast_start(broadcast=broadcast, by=None)

    with pytest.raises(ValidationError):
        broadcast_start(broadcast=broadcast, by=None)
    assert Delivery.objects.count() == 1


def test_a_refused_recipient_is_recorded_and_the_rest_still_go(
    newsletter, smtp_inbox, association, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    subscribe(newsletter, "good@example.com")
    subscribe(newsletter, "refused@example.com")

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_inbox.handle_RCPT = handle_RCPT
    broadcast = make_broadcast(newsletter)
    broadcast_start(broadcast=broadcast, by=None)
    broadcast_send_batches(broadcast.pk)

    progress = broadcast_progress(broadcast)
    assert (progress["sent"], progress["failed"]) == (1, 1)
    assert [r for r, _ in smtp_inbox.messages] == [["good@example.com"]]


def test_the_unsubscribe_link_in_the_email_resolves(newsletter):
    from tide.mailing.signup import unsubscribe_token

    contact = subscribe(newsletter, "a@example.com")
    assert reverse("mailing:unsubscribe", args=[unsubscribe_token(contact.pk, newsletter.pk, 1)])


def _start(newsletter, settings, *emails):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    for email in emails:
        subscribe(newsletter, email)
    broadcast = make_broadcast(newsletter)
    broadcast_start(broadcast=broadcast, by=None)
    return broadcast


def test_a_message_refused_once_written_is_recorded_as_refused(
    newsletter, smtp_inbox, association, settings
):
    broadcast = _start(newsletter, settings, "good@example.com", "spammy@example.com")
    accept = smtp_inbox.handle_DATA

    async def handle_DATA(server, session, envelope):
        if envelope.rcpt_tos == ["spammy@example.com"]:
            return "554 content rejected"
        return await accept(server, session, envelope)

    smtp_inbox.handle_DATA = handle_DATA
    assert broadcast_send_batches(broadcast.pk) == "sent"

    assert [r for r, _ in smtp_inbox.messages] == [["good@example.com"]]
    failed = Delivery.objects.get(status="failed")
    assert failed.contact.email == "spammy@example.com"
    assert failed.error.startswith("554")
    assert failed.sent_at is None


def test_a_message_the_server_asks_to_retry_is_sent_again_later(
    newsletter, smtp_inbox, association, settings
):
    settings.MAILING_CLAIM_LEASE_SECONDS = 0  # its claim lapses at once
    broadcast = _start(newsletter, settings, "busy@example.com", "ok@example.com")
    accept = smtp_inbox.handle_DATA
    busy_once = []

    async def handle_DATA(server, session, envelope):
        if envelope.rcpt_tos == ["busy@example.com"] and not busy_once:
            busy_once.append(True)
            return "451 try again later"
        return await accept(server, session, envelope)

    smtp_inbox.handle_DATA = handle_DATA
    assert broadcast_send_batches(broadcast.pk) == "sent"

    assert sorted(r[0] for r, _ in smtp_inbox.messages) == ["busy@example.com", "ok@example.com"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_server_that_drops_the_connection_gets_the_messages_again_once(
    newsletter, smtp_inbox, association, settings
):
    emails = [f"p{number}@example.com" for number in range(6)]
    broadcast = _start(newsletter, settings, *emails)
    accept = smtp_inbox.handle_DATA
    dropped = []

    async def handle_DATA(server, session, envelope):
        if envelope.rcpt_tos == ["p2@example.com"] and not dropped:
            dropped.append(True)
            server.transport.close()  # gone before it said whether it took the message
            return "421 closing"
        return await accept(server, session, envelope)

    smtp_inbox.handle_DATA = handle_DATA
    with pytest.raises(smtplib.SMTPException):
        broadcast_send_batches(broadcast.pk)
    assert not Delivery.objects.filter(contact__email="p2@example.com", status="sent").exists()

    assert broadcast_send_batches(broadcast.pk) == "sent"  # the next worker
    assert sorted(r[0] for r, _ in smtp_inbox.messages) == emails
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_the_group_is_recorded_as_sent_before_the_messages_are_ended(
    newsletter, smtp_inbox, association, settings
):
    """What makes a killed worker safe: when the server sees a message's final dot, its
    send record already says "sent" in the database, so no later worker sends it again."""
    broadcast = _start(newsletter, settings, "a@example.com", "b@example.com")
    accept = smtp_inbox.handle_DATA
    seen = []

    async def handle_DATA(server, session, envelope):
        seen.append(
            Delivery.objects.filter(contact__email=envelope.rcpt_tos[0]).values_list(
                "status", flat=True
            )
        )
        return await accept(server, session, envelope)

    smtp_inbox.handle_DATA = handle_DATA
    broadcast_send_batches(broadcast.pk)

    assert [list(status) for status in seen] == [["sent"], ["sent"]]


def test_other_email_backends_get_one_django_message_each(newsletter, association, settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    broadcast = _start(newsletter, settings, "a@example.com", "b@example.com")

    assert broadcast_send_batches(broadcast.pk) == "sent"

    assert sorted(message.to[0] for message in mail.outbox) == ["a@example.com", "b@example.com"]
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_if_recording_the_group_fails_none_of_it_is_delivered(
    newsletter, smtp_inbox, association, settings, monkeypatch
):
    from tide.mailing import sending

    broadcast = _start(newsletter, settings, "a@example.com", "b@example.com")
    real_mark = sending._mark

    def failing_mark(status, ids, worker):
        if status == "sent":
            raise RuntimeError("the database went away")
        return real_mark(status, ids, worker)

    monkeypatch.setattr(sending, "_mark", failing_mark)
    with pytest.raises(RuntimeError):
        broadcast_send_batches(broadcast.pk)

    assert smtp_inbox.messages == []  # the unfinished messages were dropped by the server
    assert set(Delivery.objects.values_list("status", flat=True)) == {"claimed"}
