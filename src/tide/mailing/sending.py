"""Sending a broadcast: one send record per recipient, claimed in batches, each sent once.

`broadcast_start` writes a pending `Delivery` row for every recipient (unique per broadcast
and contact) and queues the background task. A worker (`broadcast_send_batches`) claims a
batch with `select_for_update(skip_locked=True)`, marking the rows with its id and the time,
and commits; it then sends the batch in groups, one message per SMTP connection, each group
recorded as sent in one commit after the messages' text reached the server and before their
final dots (`smtp_lanes` explains why that order is safe). So:

- a worker killed at any moment leaves its unsent rows claimed; once the claim is older than
  MAILING_CLAIM_LEASE_SECONDS any worker takes them over (`mailing_resume_sends`, run every
  minute, queues a new task for a broadcast whose worker stopped reporting progress);
- no message is ever sent twice because a worker died: before the commit the server has
  no complete message (it drops unfinished ones), after it the record says "sent". Only a
  kill in the microseconds between the commit and the last dot's write loses the rest of
  that group (at most MAILING_SMTP_CONNECTIONS messages).

Consent is checked again for every batch just before sending (`Contact.objects.sendable`),
so someone who unsubscribes while a broadcast is going out is skipped.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
import uuid
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection as db
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.log_actions import log

from tide.accounts.models import User

from .models import Broadcast, Contact, Delivery
from .rendering import RenderedBroadcast, broadcast_render
from .segments import segment_filter
from .smtp_lanes import LanesBroken, lanes_close, lanes_open, send_group

logger = logging.getLogger(__name__)
INSERT_CHUNK = 5000
MARK_SQL = (
    "UPDATE mailing_delivery SET status = %%s, sent_at = %%s WHERE claimed_by = %%s AND id IN (%s)"
)


def broadcast_recipients(broadcast: Broadcast):
    """The contacts `broadcast` goes to now: sendable on its list, narrowed by its segment."""
    contacts = Contact.objects.sendable(broadcast.mailing_list)
    if broadcast.segment:
        contacts = contacts.filter(segment_filter(broadcast.segment))
    return contacts


def _refuse(broadcast: Broadcast, *allowed: str) -> None:
    if broadcast.status not in allowed:
        raise ValidationError(
            _("This broadcast is %(status)s, so that cannot be done.")
            % {"status": broadcast.get_status_display().lower()},
            code="wrong_status",
        )


def broadcast_start(*, broadcast: Broadcast, by: User | None) -> int:
    """Freeze the recipients (one pending send record each) and start sending; how many."""
    with transaction.atomic():
        broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
        _refuse(broadcast, Broadcast.Status.DRAFT)
        if not broadcast.body:
            raise ValidationError(_("Write the email before sending it."), code="empty")
        ids = broadcast_recipients(broadcast).order_by("pk").values_list("pk", flat=True)
        total = 0
        chunk: list[Delivery] = []
        for contact_id in ids.iterator(chunk_size=INSERT_CHUNK):
            chunk.append(Delivery(broadcast_id=broadcast.pk, contact_id=contact_id))
            if len(chunk) >= INSERT_CHUNK:
                Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
                total += len(chunk)
                chunk = []
        if chunk:
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            total += len(chunk)
        now = timezone.now()
        broadcast.status = Broadcast.Status.SENDING
        broadcast.started_at = now
        broadcast.heartbeat_at = now
        broadcast.save(update_fields=["status", "started_at", "heartbeat_at"])
        log(broadcast, "tide.mailing.broadcast_start", user=by, data={"recipients": total})
        transaction.on_commit(lambda: broadcast_send_task.enqueue(broadcast_id=broadcast.pk))
    return total


@transaction.atomic
def broadcast_pause(*, broadcast: Broadcast, by: User | None) -> None:
    """Stop after the batch in progress; what was not sent waits for `broadcast_resume`."""
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    _refuse(broadcast, Broadcast.Status.SENDING)
    broadcast.status = Broadcast.Status.PAUSED
    broadcast.save(update_fields=["status"])
    log(broadcast, "tide.mailing.broadcast_pause", user=by)


@transaction.atomic
def broadcast_resume(*, broadcast: Broadcast, by: User | None) -> None:
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    _refuse(broadcast, Broadcast.Status.PAUSED)
    broadcast.status = Broadcast.Status.SENDING
    broadcast.heartbeat_at = timezone.now()
    broadcast.save(update_fields=["status", "heartbeat_at"])
    log(broadcast, "tide.mailing.broadcast_resume", user=by)
    transaction.on_commit(lambda: broadcast_send_task.enqueue(broadcast_id=broadcast.pk))


def broadcast_progress(broadcast: Broadcast) -> dict[str, int]:
    """Counts of send records by status, and the results providers reported."""
    counts = dict(
        Delivery.objects.filter(broadcast=broadcast)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    results = Delivery.objects.filter(broadcast=broadcast).aggregate(
        delivered=Count("id", filter=Q(delivered_at__isnull=False)),
        bounced=Count("id", filter=Q(bounced_at__isnull=False)),
        complained=Count("id", filter=Q(complained_at__isnull=False)),
        unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
    )
    total = sum(counts.values())
    done = total - counts.get("pending", 0) - counts.get("claimed", 0)
    return {
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 100,
        "sent": counts.get("sent", 0),
        "skipped": counts.get("skipped", 0),
        "failed": counts.get("failed", 0),
        "waiting": counts.get("pending", 0) + counts.get("claimed", 0),
        **results,
    }


def worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _claim(broadcast_id: int, worker: str, size: int) -> list[int]:
    """Take up to `size` unsent records: waiting ones, or a dead worker's expired claims."""
    now = timezone.now()
    expired = now - timedelta(seconds=settings.MAILING_CLAIM_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(broadcast_id=broadcast_id)
            .filter(
                Q(status=Delivery.Status.PENDING)
                | Q(status=Delivery.Status.CLAIMED, claimed_at__lt=expired)
            )
            .order_by("id")
            .values_list("id", flat=True)[:size]
        )
        if ids:
            Delivery.objects.filter(id__in=ids).update(
                status=Delivery.Status.CLAIMED, claimed_by=worker, claimed_at=now
            )
        Broadcast.objects.filter(pk=broadcast_id).update(heartbeat_at=now)
    return ids


def _renew(ids: list[int], worker: str) -> None:
    Delivery.objects.filter(id__in=ids, claimed_by=worker, status=Delivery.Status.CLAIMED).update(
        claimed_at=timezone.now()
    )


def _release(ids: list[int], worker: str) -> None:
    Delivery.objects.filter(id__in=ids, claimed_by=worker, status=Delivery.Status.CLAIMED).update(
        status=Delivery.Status.PENDING, claimed_by="", claimed_at=None
    )


def _batch_size(rate: float) -> int:
    """Small enough that a batch is sent well within the claim's lease at `rate`."""
    size = settings.MAILING_BATCH_SIZE
    if rate:
        size = min(size, max(1, int(rate * settings.MAILING_CLAIM_LEASE_SECONDS / 3)))
    return size


def broadcast_send_batches(broadcast_id: int, *, worker: str | None = None) -> str:
    """Send `broadcast_id` until done, paused, or only other live workers' claims remain.

    Returns the broadcast's status when it stopped. Safe to run in several workers at once.
    """
    return _send_loop(broadcast_id, worker or worker_id(), rate=settings.MAILING_SEND_RATE)


def _send_loop(broadcast_id: int, worker: str, *, rate: float) -> str:
    broadcast = Broadcast.objects.select_related("mailing_list").get(pk=broadcast_id)
    if broadcast.status != Broadcast.Status.SENDING:
        return broadcast.status
    rendered = broadcast_render(broadcast)
    size = _batch_size(rate)
    backend = get_connection()
    if isinstance(backend, SMTPBackend):
        lanes = lanes_open(settings.MAILING_SMTP_CONNECTIONS)
    else:
        backend.open()
        lanes = [backend]
    started, sent_count = time.monotonic(), 0
    try:
        while True:
            status = Broadcast.objects.filter(pk=broadcast_id).values_list("status", flat=True)[0]
            if status != Broadcast.Status.SENDING:
                return status
            ids = _claim(broadcast_id, worker, size)
            if not ids:
                others = Delivery.objects.filter(
                    broadcast_id=broadcast_id, status=Delivery.Status.CLAIMED
                ).exists()
                if others:
                    # Another worker is busy, or died: its claims expire and we take them.
                    time.sleep(min(5, settings.MAILING_CLAIM_LEASE_SECONDS / 4))
                    continue
                Broadcast.objects.filter(pk=broadcast_id, status=Broadcast.Status.SENDING).update(
                    status=Broadcast.Status.SENT, finished_at=timezone.now()
                )
                return Broadcast.Status.SENT
            rows = list(
                Delivery.objects.filter(id__in=ids)
                .select_related("contact")
                .order_by("id")
                .only(
                    "id",
                    "contact__id",
                    "contact__email",
                    "contact__first_name",
                    "contact__last_name",
                    "contact__user",
                )
            )
            # Consent and suppression, checked again right before sending.
            allowed = set(
                broadcast_recipients(broadcast)
                .filter(pk__in=[row.contact_id for row in rows])
                .values_list("pk", flat=True)
            )
            skipped = [row.id for row in rows if row.contact_id not in allowed]
            if skipped:
                Delivery.objects.filter(id__in=skipped, claimed_by=worker).update(
                    status=Delivery.Status.SKIPPED
                )
            to_send = [row for row in rows if row.contact_id in allowed]
            rendered.load_fields([row.contact for row in to_send])
            renewed = time.monotonic()
            for start in range(0, len(to_send), len(lanes)):
                if time.monotonic() - renewed > settings.MAILING_CLAIM_LEASE_SECONDS / 4:
                    # Still alive: keep the claim so nobody takes this batch over.
                    _renew(ids, worker)
                    renewed = time.monotonic()
                try:
                    sent_count += _send_group(
                        lanes, rendered, to_send[start : start + len(lanes)], worker
                    )
                except (smtplib.SMTPException, OSError):
                    # The server is unreachable: give back what is left and stop; the
                    # periodic job starts a new worker later.
                    _release(ids, worker)
                    raise
                if rate:
                    ahead = sent_count / rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
    finally:
        lanes_close(lanes)


def _send_group(lanes: list, rendered: RenderedBroadcast, rows: list[Delivery], worker: str) -> int:
    """Send one message per lane; how many the server accepted. Over SMTP the group is
    recorded as sent in one commit just before the messages are ended (see smtp_lanes);
    any other backend (anymail's providers) sends one at a time, each recorded at once."""
    if not isinstance(lanes[0], SMTPBackend):
        return sum(_send_one(lanes[0], rendered, row, worker) for row in rows)
    raws = [rendered.raw(row.contact) for row in rows]
    # An address the fast path cannot write as ASCII goes through Django's message.
    sent = sum(
        _send_one(lanes[0], rendered, row, worker)
        for row, raw in zip(rows, raws, strict=True)
        if raw is None
    )
    group = [(row, raw) for row, raw in zip(rows, raws, strict=True) if raw is not None]
    if not group:
        return sent

    refused_count = 0

    def commit(accepted: list[int], refused: dict[int, str]) -> None:
        nonlocal refused_count
        refused_count = len(refused)
        _mark(Delivery.Status.SENT, [group[index][0].id for index in accepted], worker)
        for index, reply in refused.items():
            _mark_failed(group[index][0].id, worker, reply)

    try:
        rejected = send_group(
            [lane.connection for lane in lanes],
            _envelope_sender(),
            [(row.contact.email, raw) for row, raw in group],
            commit=commit,
        )
    except LanesBroken as broken:
        # Recorded as sent, but the server may not have them: back to our claim, so they
        # are sent again (SMTP's own rule when a reply is lost); the others are settled.
        _mark(Delivery.Status.CLAIMED, [group[index][0].id for index in broken.lost], worker)
        _settle_rejected(group, broken.rejected, worker)
        raise
    _settle_rejected(group, rejected, worker)
    return sent + len(group) - refused_count - len(rejected)


def _settle_rejected(group: list, rejected: dict[int, str], worker: str) -> None:
    for index, reply in rejected.items():
        if reply.startswith("4"):
            # Try again later: the claim lapses and a worker takes it over.
            _mark(Delivery.Status.CLAIMED, [group[index][0].id], worker)
        else:
            _mark_failed(group[index][0].id, worker, reply)


def _send_one(connection, rendered: RenderedBroadcast, row: Delivery, worker: str) -> int:
    """One Django message, recorded as sent right after the backend accepted it; 1 if sent."""
    message = rendered.message(row.contact, connection=connection)
    try:
        if not connection.send_messages([message]):
            raise smtplib.SMTPRecipientsRefused({row.contact.email: (550, b"not sent")})
    except smtplib.SMTPRecipientsRefused as error:
        _mark_failed(row.id, worker, str(error))
        return 0
    _mark(Delivery.Status.SENT, [row.id], worker)
    return 1


def _mark(status: str, ids: list[int], worker: str) -> None:
    """One UPDATE in autocommit (the ORM's query building costs more than the statement).
    Only "sent" sets the time; any other status clears it."""
    if not ids:
        return
    sent_at = timezone.now() if status == Delivery.Status.SENT else None
    with db.cursor() as cursor:
        cursor.execute(MARK_SQL % ", ".join(["%s"] * len(ids)), [status, sent_at, worker, *ids])


def _mark_failed(delivery_id: int, worker: str, error: str) -> None:
    Delivery.objects.filter(id=delivery_id, claimed_by=worker).update(
        status=Delivery.Status.FAILED, sent_at=None, error=error[:300]
    )


def _envelope_sender() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


@task()
def broadcast_send_task(*, broadcast_id: int) -> None:
    broadcast_send_batches(broadcast_id)


def broadcasts_resume_stalled(*, now=None) -> list[int]:
    """Queue a new worker for each sending broadcast whose worker stopped reporting progress."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.MAILING_CLAIM_LEASE_SECONDS)
    resumed = []
    for broadcast_id in Broadcast.objects.filter(
        status=Broadcast.Status.SENDING, heartbeat_at__lt=stale
    ).values_list("pk", flat=True):
        # The heartbeat moves first, so two machines running this queue one worker.
        if Broadcast.objects.filter(pk=broadcast_id, heartbeat_at__lt=stale).update(
            heartbeat_at=now
        ):
            broadcast_send_task.enqueue(broadcast_id=broadcast_id)
            resumed.append(broadcast_id)
    return resumed


def broadcast_send_test(*, broadcast: Broadcast, to: User) -> None:
    """A copy to a staff member, marked as a test, outside the send records."""
    contact = Contact(
        pk=0, email=to.email, first_name=to.first_name, last_name=to.last_name, user=to
    )
    rendered = broadcast_render(broadcast)
    rendered.load_fields([contact])
    message = rendered.message(contact)
    message.subject = _("[Test] %(subject)s") % {"subject": message.subject}
    transaction.on_commit(lambda: message.send())
    log(broadcast, "tide.mailing.broadcast_test", user=to, data={"to": to.email})
