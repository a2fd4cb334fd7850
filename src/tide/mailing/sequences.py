"""Follow-up emails N days after someone joins a list, sent by `tide mailing_sequences`
(run every minute by runperiodic). Each (step, contact) row is inserted before its email is
queued, in the same transaction, so two machines running the job send each follow-up once.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from .models import Consent, Contact, SequenceSend, SequenceStep
from .rendering import broadcast_render

BATCH = 500


def sequences_send(*, now=None) -> int:
    """Send every follow-up that is due; how many were sent."""
    now = now or timezone.now()
    sent = 0
    for step in SequenceStep.objects.filter(active=True).select_related("mailing_list"):
        joined = (
            Consent.objects.filter(
                contact=OuterRef("pk"), mailing_list=step.mailing_list, withdrawn_at__isnull=True
            )
            .values("contact")
            .annotate(first=Min("given_at"))
            .values("first")
        )
        due = (
            Contact.objects.sendable(step.mailing_list, now)
            .annotate(joined_at=Subquery(joined))
            .filter(joined_at__lte=now - timedelta(days=step.days_after))
            # Only people who joined after the step was written: no surprise back-catalogue.
            .filter(joined_at__gte=step.created_at - timedelta(days=step.days_after))
            .exclude(pk__in=SequenceSend.objects.filter(step=step).values("contact"))
        )[:BATCH]
        contacts = list(due)
        if not contacts:
            continue
        rendered = broadcast_render(step)
        rendered.broadcast_id = None
        rendered.load_fields(contacts)
        for contact in contacts:
            try:
                with transaction.atomic():
                    SequenceSend.objects.create(step=step, contact=contact)
                    message = rendered.message(contact)
                    transaction.on_commit(message.send)
            except IntegrityError:
                continue  # another machine sent this one
            sent += 1
    return sent
