"""Listed members, made the way real ones are: an approved application, a membership period
and a listing saved through the service."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from tests.conftest import make_user
from tests.membership.factories import make_level, make_period
from tide.accounts.models import User
from tide.directory.models import Listing, Modality
from tide.directory.services import listing_save
from tide.membership.models import Application, MembershipLevel


def rmt_level() -> MembershipLevel:
    return MembershipLevel.objects.filter(slug="rmt").first() or make_level()


def approved_application(user: User, level: MembershipLevel, **fields) -> Application:
    defaults = {
        "legal_name": user.get_full_name() or "Pat Therapist",
        "phone": "416 555 0100",
        "province": "ON",
        "college": "College of Massage Therapists of Ontario",
        "registration_number": f"R{user.pk:05d}",
        "privacy_accepted": True,
        "status": Application.Status.APPROVED,
        "decided_at": timezone.now(),
    }
    return Application.objects.create(user=user, level=level, **{**defaults, **fields})


def location(postal_code: str = "M5V 2T6", city: str = "Toronto", province: str = "ON", **fields):
    return {
        "clinic_name": "Clinic",
        "address": "1 King Street West",
        "city": city,
        "province": province,
        "postal_code": postal_code,
        "phone": "416 555 0100",
        **fields,
    }


def make_listed(
    email: str | None = None,
    *,
    user: User | None = None,
    name: str = "Pat Therapist",
    locations: list[dict] | None = None,
    modalities: list[str] = (),
    ends_on: date | None = None,
    registration_number: str | None = None,
    enabled: bool = True,
    **data,
) -> Listing:
    """A member in good standing (a period to `ends_on`, a year from today by default) with an
    approved application and a public listing."""
    level = rmt_level()
    if user is None:
        first, _, last = name.partition(" ")
        user = make_user(
            email or f"{name.lower().replace(' ', '.')}@example.com",
            first_name=first,
            last_name=last,
        )
    application_fields = {}
    if registration_number is not None:
        application_fields["registration_number"] = registration_number
    approved_application(user, level, legal_name=name, **application_fields)
    period = make_period(user, level, ends_on=timezone.localdate() + timedelta(days=200))
    listing = listing_save(
        user=user,
        data={"enabled": enabled, "display_name": name, "languages": ",en,", **data},
        modalities=list(Modality.objects.filter(slug__in=modalities)),
        locations=locations or [location()],
    )
    if ends_on is not None:  # the membership then ends (or ended) on that day
        period.ends_on = ends_on
        period.starts_on = ends_on - timedelta(days=364)
        period.save()
    return listing
