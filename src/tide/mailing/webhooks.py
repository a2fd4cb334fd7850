"""Bounces, complaints and other delivery events from the email provider, through
django-anymail's tracking webhooks (so any provider it supports works).

The webhooks answer 404 until ANYMAIL["WEBHOOK_SECRET"] is set: without it, anymail would
accept anyone's posts. A post with the wrong basic-auth secret (or, for providers that sign
their posts, a bad signature) is refused by anymail with 400 before any signal is sent.
"""

from __future__ import annotations

from functools import wraps

from anymail.signals import AnymailTrackingEvent, EventType, tracking
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.http import Http404
from django.utils import timezone
from wagtail.log_actions import log

from .models import Contact, Delivery, SuppressionReason
from .services import contact_suppress

SOFT_POSTMARK_TYPES = ("SoftBounce", "Transient", "DnsError")


def _is_soft_bounce(event: AnymailTrackingEvent) -> bool:
    """A temporary failure: anymail's "deferred", or a "bounced" the provider calls soft
    (Postmark's SoftBounce, Amazon SES's Transient, or a 4xx SMTP reply)."""
    if event.event_type == EventType.DEFERRED:
        return True
    if event.event_type != EventType.BOUNCED:
        return False
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if raw.get("Type") in SOFT_POSTMARK_TYPES:
        return True
    if (raw.get("bounce") or {}).get("bounceType") == "Transient":
        return True
    return str(event.mta_response or "").strip().startswith("4")


def _requires_secret(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (getattr(settings, "ANYMAIL", {}) or {}).get("WEBHOOK_SECRET"):
            raise Http404("Webhooks are not configured.")
        return view(request, *args, **kwargs)

    return wrapped


def urlpatterns() -> tuple[list, str]:
    """anymail's URL patterns, tracking webhooks only, each behind the secret check."""
    from anymail import urls as anymail_urls

    patterns = []
    for pattern in anymail_urls.urlpatterns:
        if "tracking" in (pattern.name or "") or "combined" in (pattern.name or ""):
            pattern.callback  # noqa: B018 - resolved eagerly so a typo fails at start-up
            pattern = type(pattern)(
                pattern.pattern,
                _requires_secret(pattern.callback),
                pattern.default_args,
                pattern.name,
            )
            patterns.append(pattern)
    return patterns, "anymail"


def _delivery(event: AnymailTrackingEvent, contact: Contact) -> Delivery | None:
    broadcast_id = (event.metadata or {}).get("broadcast")
    if not broadcast_id or not str(broadcast_id).isdigit():
        return None
    return Delivery.objects.filter(broadcast_id=int(broadcast_id), contact=contact).first()


@receiver(tracking, dispatch_uid="tide.mailing.tracking")
def tracking_event(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """Hard bounces and complaints suppress at once; soft bounces after a run of them."""
    email = (event.recipient or "").strip().lower()
    contact = Contact.objects.filter(email=email).first() if email else None
    if contact is None:
        return
    now = timezone.now()
    with transaction.atomic():
        delivery = _delivery(event, contact)
        stamp = {
            EventType.DELIVERED: "delivered_at",
            EventType.BOUNCED: "bounced_at",
            EventType.REJECTED: "bounced_at",
            EventType.COMPLAINED: "complained_at",
            EventType.UNSUBSCRIBED: "unsubscribed_at",
            EventType.OPENED: "opened_at",
            EventType.CLICKED: "clicked_at",
        }.get(event.event_type)
        if delivery and stamp and not _is_soft_bounce(event):
            Delivery.objects.filter(pk=delivery.pk, **{f"{stamp}__isnull": True}).update(
                **{stamp: now}
            )
        if _is_soft_bounce(event):
            Contact.objects.filter(pk=contact.pk).update(soft_bounces=F("soft_bounces") + 1)
            contact.refresh_from_db()
            if contact.soft_bounces >= settings.MAILING_SOFT_BOUNCE_LIMIT:
                contact_suppress(contact=contact, reason=SuppressionReason.SOFT_BOUNCES)
        elif event.event_type in (EventType.BOUNCED, EventType.REJECTED):
            contact_suppress(contact=contact, reason=SuppressionReason.HARD_BOUNCE)
        elif event.event_type == EventType.COMPLAINED:
            contact_suppress(contact=contact, reason=SuppressionReason.COMPLAINT)
        elif event.event_type == EventType.UNSUBSCRIBED:
            contact_suppress(contact=contact, reason=SuppressionReason.UNSUBSCRIBED)
        elif event.event_type == EventType.DELIVERED and contact.soft_bounces:
            Contact.objects.filter(pk=contact.pk).update(soft_bounces=0)
        else:
            return
        if event.event_type != EventType.DELIVERED:
            log(
                contact,
                "tide.mailing.provider_event",
                user=None,
                data={"event": event.event_type, "provider": esp_name},
            )
