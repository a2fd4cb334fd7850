"""Events, categories, rule sets and registrations, made through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

from django.conf import settings

from tide.billing.models import Invoice, Payment
from tide.billing.services import payment_record
from tide.education.models import CreditCategory, Event, Provider, Registration
from tide.education.services import event_create

_numbers = count(1)


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A time in the association's zone (America/Toronto)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


def provider() -> Provider:
    return Provider.objects.get_or_create(
        name="Harbour RMT Association", defaults={"is_association": True}
    )[0]


def category(name: str = "Technique") -> CreditCategory:
    return CreditCategory.objects.get_or_create(name=name)[0]


def make_event(
    *, starts_at: datetime | None = None, hours: int = 3, days: int = 1, **fields
) -> Event:
    """A published in-person CE course, free unless prices are given."""
    from django.utils import timezone

    starts_at = starts_at or (timezone.now() + timedelta(days=30)).replace(microsecond=0, second=0)
    n = next(_numbers)
    defaults = {
        "title": f"Myofascial release, level {n}",
        "provider": provider(),
        "format": "in_person",
        "venue_name": "Harbour Hall",
        "street_address": "1 Pier Road",
        "city": "Halifax",
        "region": "NS",
        "capacity": 20,
        "ce_credits": Decimal("3"),
        "ce_hours": Decimal("3"),
        "credit_category": category(),
        "published": True,
    }
    defaults.update(fields)
    sessions = [
        (starts_at + timedelta(days=d), starts_at + timedelta(days=d, hours=hours))
        for d in range(days)
    ]
    return event_create(sessions=sessions, allow_past=True, **defaults)


def pay(registration: Registration) -> Registration:
    invoice = Invoice.objects.get(number=registration.invoice_number)
    payment_record(
        invoice=invoice, amount_cents=invoice.total_cents, method=Payment.Method.ETRANSFER
    )
    registration.refresh_from_db()
    return registration
