"""What members, visitors and staff do with the directory.

Each writing function is one transaction and logs who acted; emails go after the commit.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import Collection

from tide.accounts.models import User
from tide.lib.canada import postal_code_format
from tide.mailing.transactional import email_send_template
from tide.membership.models import Application, MembershipPeriod, MembershipSettings

from .geo import fsa_place
from .models import ContactMessage, Listing, Location, MonthlyReferrals
from .search_index import search_index_changed

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIDE = 800
RESERVED_SLUGS = {"verify", "my-listing"}  # the directory's own pages

# What a member may change on their listing; nothing else is taken from the form.
LISTING_FIELDS = (
    "enabled",
    "display_name",
    "credentials",
    "bio",
    "conditions",
    "languages",
    "gender",
    "evenings",
    "weekends",
    "mobile_visits",
    "mobile_area",
    "direct_billing",
    "accepts_mva",
    "accepts_workplace",
    "accepting_new_patients",
    "booking_url",
)
LOCATION_FIELDS = (
    "clinic_name",
    "address",
    "city",
    "province",
    "postal_code",
    "phone",
    "website",
    "wheelchair_accessible",
    "parking",
    "address_hidden",
)
LOCATION_FLAGS = ("wheelchair_accessible", "parking", "address_hidden")


def listing_eligible(user: User, today: date | None = None) -> bool:
    """Whether `user` may have a listing: in good standing at a level that includes one."""
    today = today or timezone.localdate()
    grace = MembershipSettings.load().grace_days
    return (
        MembershipPeriod.objects.good_standing(today, grace)
        .filter(user=user, level__includes_directory_listing=True)
        .exists()
    )


def _unique_slug(base: str) -> str:
    base = slugify(base)[:100] or "rmt"
    slug, number = base, 1
    while slug in RESERVED_SLUGS or Listing.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _approved_application(user: User) -> Application | None:
    return (
        Application.objects.filter(user=user, status=Application.Status.APPROVED)
        .order_by("-decided_at", "-id")
        .first()
    )


def listing_for(user: User) -> Listing:
    """The member's listing, or an unsaved one filled in from their application."""
    listing = Listing.objects.filter(user=user).first()
    if listing:
        return listing
    application = _approved_application(user)
    name = (application.display_name if application else "") or user.get_full_name()
    return Listing(user=user, display_name=name, credentials="RMT")


def locate_postal_code(postal_code: str) -> tuple[float, float]:
    """The point of a postal code's FSA; ValidationError when it is unknown."""
    formatted = postal_code_format(postal_code)
    place = fsa_place(formatted)
    if place is None:
        raise ValidationError(
            _("We do not know where postal code %(code)s is. Check it.") % {"code": formatted},
            code="unknown_postal_code",
        )
    return place.latitude, place.longitude


@transaction.atomic
def listing_save(
    *,
    user: User,
    data: dict[str, Any],
    modalities: list | None = None,
    insurers: list | None = None,
    locations: list[dict[str, Any]] | None = None,
    photo: UploadedFile | None = None,
    by: User | None = None,
) -> Listing:
    """Create or update `user`'s listing with its locations (each placed from its postal
    code). `locations`, when given, replaces the listing's locations."""
    by = by or user
    if not listing_eligible(user):
        raise ValidationError(
            _("Your membership does not include a directory listing."), code="not_eligible"
        )
    listing = listing_for(user)
    creating = listing.pk is None
    for name in LISTING_FIELDS:
        if name in data:
            setattr(listing, name, data[name])
    if not listing.direct_billing:
        insurers = []
    if creating:
        city = (locations or [{}])[0].get("city", "") if locations else ""
        listing.slug = _unique_slug(f"{listing.display_name} {city}")
    if photo is not None:
        listing.photo = _photo_image(photo, title=listing.display_name, by=by)
        listing.photo_rejected = False
    listing.save()
    if modalities is not None:
        listing.modalities.set(modalities)
    if insurers is not None:
        listing.insurers.set(insurers)
    if locations is not None:
        if not locations:
            raise ValidationError(_("Add at least one practice location."), code="no_location")
        listing.locations.all().delete()
        for fields in locations:
            values = {
                name: fields.get(name) or (False if name in LOCATION_FLAGS else "")
                for name in LOCATION_FIELDS
            }
            values["postal_code"] = postal_code_format(values["postal_code"])
            lat, lng = locate_postal_code(values["postal_code"])
            Location.objects.create(listing=listing, latitude=lat, longitude=lng, **values)
    if creating:
        listing_windows_refresh(user_ids=[user.pk])
        listing.refresh_from_db(fields=["listed_from", "listed_until"])
    log(
        listing,
        "tide.directory.create" if creating else "tide.directory.edit",
        user=by,
        data={"enabled": listing.enabled},
    )
    return listing


def _photo_image(upload: UploadedFile, *, title: str, by: User):
    """The upload checked by content (a real JPEG/PNG/WebP), shrunk to 800 px, stored as a
    Wagtail image under a generated name."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than 5 MB."), code="photo_size")
    try:
        image = Image.open(upload)
        image.verify()
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ("JPEG", "PNG", "WEBP"):
            raise ValidationError(_("Upload a JPEG, PNG or WebP photo."), code="photo_type")
        image = image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            _("That file is not a photo we can read."), code="photo_type"
        ) from None
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    from django.core.files.images import ImageFile

    model = get_image_model()
    return model.objects.create(
        title=title[:200],
        file=ImageFile(buffer, name=f"directory-{uuid.uuid4().hex}.jpg"),
        collection=Collection.get_first_root_node(),
        uploaded_by_user=by,
    )


@transaction.atomic
def listing_moderate(
    *, listing: Listing, by: User, hidden: bool | None = None, photo_rejected: bool | None = None
) -> Listing:
    """Staff take a listing down (or put it back) or reject its photo."""
    changed = {}
    if hidden is not None and hidden != listing.hidden_by_staff:
        listing.hidden_by_staff = changed["hidden"] = hidden
    if photo_rejected is not None and photo_rejected != listing.photo_rejected:
        listing.photo_rejected = changed["photo_rejected"] = photo_rejected
    if changed:
        listing.save(update_fields=["hidden_by_staff", "photo_rejected", "updated_at"])
        log(listing, "tide.directory.moderate", user=by, data=changed)
    return listing


# --- Who is listed: the stored window -----------------------------------------------------


def listing_windows_refresh(
    *, user_ids: Iterable[int] | None = None, today: date | None = None
) -> int:
    """Store on each listing (of `user_ids`, or all) the days its member is listable: the
    span of good standing (membership periods at a level that includes a listing, grace
    included, cut short by an early end) that holds `today`, or else the next one; empty
    without an approved application that has a registration number. Returns how many
    listings changed.

    Called when a membership period, an application, the grace days or a level change (the
    signals in apps.py), when a listing is created, and once a day by
    `directory_refresh_listings` to repair anything written without signals (bulk imports).
    """
    today = today or timezone.localdate()
    grace = timedelta(days=MembershipSettings.load().grace_days)
    listings = Listing.objects.only("id", "user_id", "listed_from", "listed_until")
    if user_ids is not None:
        listings = listings.filter(user_id__in=list(user_ids))
    listings = list(listings)
    if not listings:
        return 0
    members = Listing.objects.filter(pk__in=[listing.pk for listing in listings]).values("user_id")
    registered = set(
        Application.objects.filter(user_id__in=members, status=Application.Status.APPROVED)
        .exclude(registration_number="")
        .values_list("user_id", flat=True)
    )
    spans: dict[int, list[tuple[date, date]]] = defaultdict(list)
    periods = MembershipPeriod.objects.filter(
        user_id__in=members, level__includes_directory_listing=True
    ).values_list("user_id", "starts_on", "ends_on", "ended_early_on")
    for user_id, starts_on, ends_on, ended_early_on in periods:
        last = ends_on + grace
        if ended_early_on is not None:  # not in good standing from the day it ended
            last = min(last, ended_early_on - timedelta(days=1))
        if last >= starts_on:
            spans[user_id].append((starts_on, last))
    changed: dict[tuple, list[int]] = defaultdict(list)
    for listing in listings:
        window = (None, None)
        if listing.user_id in registered:
            window = _current_or_next_span(spans[listing.user_id], today)
        if window != (listing.listed_from, listing.listed_until):
            changed[window].append(listing.pk)
    # One UPDATE per distinct window: members mostly share their renewal dates.
    for (first, last), ids in changed.items():
        for start in range(0, len(ids), 500):
            Listing.objects.filter(pk__in=ids[start : start + 500]).update(
                listed_from=first, listed_until=last
            )
    if changed:  # an update() sends no signals
        search_index_changed()
    return sum(len(ids) for ids in changed.values())


def _current_or_next_span(spans: list[tuple[date, date]], today: date) -> tuple:
    """Overlapping or touching spans joined; the one holding `today`, else the next one."""
    merged: list[list[date]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    for first, last in merged:
        if last >= today:
            return first, last
    return None, None


# --- Referral counters -----------------------------------------------------------------

COUNTERS = ("profile_views", "contact_clicks", "messages")


def referral_count(*, listing_id: int, counter: str, today: date | None = None) -> None:
    """Add one to this month's counter: one UPDATE (an INSERT on the month's first)."""
    if counter not in COUNTERS:
        raise ValueError(counter)
    month = (today or timezone.localdate()).replace(day=1)
    rows = MonthlyReferrals.objects.filter(listing_id=listing_id, month=month)
    if rows.update(**{counter: F(counter) + 1}):
        return
    try:
        with transaction.atomic():
            MonthlyReferrals.objects.create(listing_id=listing_id, month=month, **{counter: 1})
    except IntegrityError:  # another request made the row first
        rows.update(**{counter: F(counter) + 1})


# --- Contact relay ---------------------------------------------------------------------


def sender_fingerprint(ip: str) -> str:
    """A keyed hash of the sender's address: repeats show, the address is not kept."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()[:16]


@transaction.atomic
def contact_send(*, listing: Listing, data: dict[str, str], ip: str = "") -> ContactMessage:
    """Log the message and email it to the therapist with Reply-To set to the patient."""
    message = ContactMessage.objects.create(
        listing=listing,
        name=data["name"],
        email=data["email"],
        body=data["body"],
        preferred_time=data.get("preferred_time", ""),
        sender_hash=sender_fingerprint(ip) if ip else "",
    )
    email_send_template(
        "directory/email/contact",
        to=listing.user.email,
        reply_to=message.email,
        context={
            "listing": listing,
            "message": message,
            "portal_url": settings.SITE_URL + reverse("directory:edit"),
        },
    )
    referral_count(listing_id=listing.pk, counter="messages")
    return message


# --- Verify an RMT ---------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    name: str
    level: str
    registration_number: str
    college: str
    good_standing: bool
    good_until: date | None
    verified_on: date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "level": self.level,
            "registration_number": self.registration_number,
            "college": self.college,
            "good_standing": self.good_standing,
            "good_until": self.good_until.isoformat() if self.good_until else None,
            "registration_verified_on": self.verified_on.isoformat() if self.verified_on else None,
        }


def verify_registration(number: str, today: date | None = None) -> list[Verification]:
    """Members whose approved application has this registration number, with their standing
    today (two colleges may issue the same number, so there can be several)."""
    today = today or timezone.localdate()
    grace = MembershipSettings.load().grace_days
    applications = (
        Application.objects.filter(
            status=Application.Status.APPROVED, registration_number__iexact=number
        )
        .select_related("user")
        .order_by("-decided_at", "-id")
    )
    seen: set[int] = set()
    found = []
    for application in applications[:10]:
        if application.user_id in seen:
            continue
        seen.add(application.user_id)
        period = (
            MembershipPeriod.objects.filter(user_id=application.user_id, starts_on__lte=today)
            .select_related("level")
            .order_by("-ends_on")
            .first()
        )
        if period is None:
            continue
        good_until = period.ends_on + timedelta(days=grace)
        found.append(
            Verification(
                name=application.legal_name,
                level=period.level.name,
                registration_number=application.registration_number,
                college=application.college,
                good_standing=today <= good_until,
                good_until=period.ends_on if today <= good_until else None,
                verified_on=application.registration_verified_on,
            )
        )
    return found
