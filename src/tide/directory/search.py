"""Radius and name search, written for speed: a search page is the directory's busiest view.

Whatever the number of listings or results, a search costs the same few queries:
1. one statement ranks the page: the candidate locations in a bounding box on the indexed
   point columns, the public rule (two date columns stored on the listing) and the filters,
   each listing at its nearest location, within the radius, nearest first, the page sliced
   and the total counted (a window function), so only the page's rows leave the database;
2. the page's listings, their locations and modalities as plain rows (and, when a listing
   has a photo, the photos with their renditions);
3. each result card drawn by `card_html`, in Python: twenty cards through the template
   engine cost more than everything else in the request together.

The SQL is written out rather than built by the ORM: building the ORM query cost more than
running it. It is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import NamedTuple

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from tide.membership.models import Application

from .geo import EARTH_RADIUS_KM, Place, bounding_box, haversine_km
from .models import LANGUAGE_NAMES, Insurer, Listing, Location, Modality

PAGE_SIZE = 20
PHOTO_SPEC = "fill-160x160"


class CardPlace(NamedTuple):
    clinic_name: str
    city: str
    province: str
    latitude: float
    longitude: float


@dataclass
class Card:
    """One search result: what its card shows."""

    id: int
    slug: str
    display_name: str
    credentials: str
    accepting_new_patients: bool
    direct_billing: bool
    languages: str
    registration_verified: bool
    modalities: list[str] = field(default_factory=list)
    locations: list[CardPlace] = field(default_factory=list)
    photo_html: str = ""  # the rendition's <img>, drawn by Wagtail
    url: str = ""
    html: SafeString | str = ""  # the card, drawn by card_html
    nearest_location: CardPlace | None = None
    distance_km: float | None = None

    def get_absolute_url(self) -> str:
        return self.url


@dataclass
class Results:
    listings: list[Card] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    asked_page: int = 1

    @property
    def page_was_past_the_end(self) -> bool:
        return self.asked_page > self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@cache
def _tables() -> dict[str, str]:
    """The quoted table names (read once: finding them through the models is not free)."""
    quote = connection.ops.quote_name
    return {
        "location": quote(Location._meta.db_table),
        "listing": quote(Listing._meta.db_table),
        "listing_modality": quote(Listing.modalities.through._meta.db_table),
        "modality": quote(Modality._meta.db_table),
        "listing_insurer": quote(Listing.insurers.through._meta.db_table),
        "insurer": quote(Insurer._meta.db_table),
    }


def _conditions(criteria: dict, today: date, t: dict[str, str]) -> tuple[list[str], list]:
    """The public rule and the visitor's filters, on `lst` (the listing); they combine.
    Location filters (wheelchair access) are left to the caller."""
    sql = [
        "lst.enabled = %s",
        "lst.hidden_by_staff = %s",
        "lst.listed_from <= %s",
        "lst.listed_until >= %s",
    ]
    day = connection.ops.adapt_datefield_value(today)
    params: list = [True, False, day, day]
    if slug := criteria.get("modality"):
        sql.append(
            f"EXISTS (SELECT 1 FROM {t['listing_modality']} lm JOIN {t['modality']} m"  # noqa: S608  # nosec B608
            " ON m.id = lm.modality_id WHERE lm.listing_id = lst.id AND m.slug = %s)"
        )
        params.append(slug)
    if code := criteria.get("language"):
        sql.append("lst.languages LIKE %s")
        params.append(f"%,{code},%")
    if gender := criteria.get("gender"):
        sql.append("lst.gender = %s")
        params.append(gender)
    if billing := criteria.get("billing"):
        sql.append("lst.direct_billing = %s")
        params.append(True)
        if billing != "any":
            sql.append(
                f"EXISTS (SELECT 1 FROM {t['listing_insurer']} li JOIN {t['insurer']} i"  # noqa: S608  # nosec B608
                " ON i.id = li.insurer_id WHERE li.listing_id = lst.id AND i.slug = %s)"
            )
            params.append(billing)
    for name, column in (
        ("evenings", "evenings"),
        ("weekends", "weekends"),
        ("mobile", "mobile_visits"),
        ("accepting", "accepting_new_patients"),
    ):
        if criteria.get(name):
            sql.append(f"lst.{column} = %s")
            params.append(True)
    if name := (criteria.get("name") or "").strip():
        sql.append("UPPER(lst.display_name) LIKE UPPER(%s) ESCAPE '!'")
        escaped = name.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        params.append(f"%{escaped}%")
    return sql, params


def planar_distance_sql(place: Place) -> tuple[str, list]:
    """(Δlat² + (Δlng·cos φm)²) in degrees², over `loc`, with φm the midpoint latitude and its
    cosine from a second-order Taylor series around the place's latitude: plain arithmetic,
    so the database computes it, within 0.01% of the great-circle distance up to 100 km."""
    phi0 = math.radians(place.latitude)
    cos0, sin0 = math.cos(phi0), math.sin(phi0)
    half = "((loc.latitude - %s) * %s)"  # half the latitude difference, in radians
    cos_mid = f"(%s - %s * {half} - %s * {half} * {half})"
    east = f"((loc.longitude - %s) * {cos_mid})"
    sql = f"((loc.latitude - %s) * (loc.latitude - %s) + {east} * {east})"
    lat, k = place.latitude, math.pi / 360
    east_params = [place.longitude, cos0, sin0, lat, k, cos0 / 2, lat, k, lat, k]
    return sql, [lat, lat, *east_params, *east_params]


def _km_to_degrees(km: float) -> float:
    return math.degrees(km / EARTH_RADIUS_KM)


def _page_numbers(total: int, asked: int) -> tuple[int, int]:
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return min(max(asked, 1), pages), pages


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ranked(inner: str, params: list, order: str, page: int) -> tuple[list[int], int, int, int]:
    """(the page's listing ids, total, page number, pages) of the rows `inner` selects; one
    query, and a second only for a page past the end."""
    sql = (
        f"SELECT ranked.listing_id, COUNT(*) OVER () FROM ({inner}) ranked "  # noqa: S608  # nosec B608
        f"ORDER BY {order} LIMIT %s OFFSET %s"
    )
    rows = _fetch(sql, [*params, PAGE_SIZE, (page - 1) * PAGE_SIZE])
    total = rows[0][1] if rows else 0
    if not rows and page > 1:  # past the end: count, then the last page
        total = _fetch(f"SELECT COUNT(*) FROM ({inner}) ranked", params)[0][0]  # noqa: S608  # nosec B608
        if total:
            last = _page_numbers(total, page)[0]
            rows = _fetch(sql, [*params, PAGE_SIZE, (last - 1) * PAGE_SIZE])
    number, pages = _page_numbers(total, page)
    return [row[0] for row in rows], total, number, pages


def search_near(
    place: Place, radius_km: int, criteria: dict, page: int = 1, today: date | None = None
) -> Results:
    """Public listings with a location within `radius_km` of `place`, nearest first; each
    listing once, at the distance of its nearest location."""
    t = _tables()
    where, params = _conditions(criteria, today or timezone.localdate(), t)
    min_lat, max_lat, min_lng, max_lng = bounding_box(place.latitude, place.longitude, radius_km)
    where += ["loc.latitude BETWEEN %s AND %s", "loc.longitude BETWEEN %s AND %s"]
    params += [min_lat, max_lat, min_lng, max_lng]
    if criteria.get("wheelchair"):
        where.append("loc.wheelchair_accessible = %s")
        params.append(True)
    distance, distance_params = planar_distance_sql(place)
    inner = (
        "SELECT c.listing_id, MIN(c.d2) AS nearest FROM ("  # noqa: S608  # nosec B608
        f"SELECT loc.listing_id, {distance} AS d2 FROM {t['location']} loc "
        # CROSS JOIN: SQLite then starts from the locations (the point index), as it must;
        # PostgreSQL plans it like any join.
        f"CROSS JOIN {t['listing']} lst WHERE lst.id = loc.listing_id AND {' AND '.join(where)}"
        ") c WHERE c.d2 <= %s GROUP BY c.listing_id"
    )
    params = [*distance_params, *params, _km_to_degrees(radius_km) ** 2]
    ids, total, number, pages = _ranked(inner, params, "ranked.nearest, ranked.listing_id", page)
    cards = _cards(ids, wheelchair_only=bool(criteria.get("wheelchair")))
    for card in cards:
        # The exact great-circle distance of each location shown; the nearest is kept.
        card.distance_km, card.nearest_location = min(
            (
                (haversine_km(place.latitude, place.longitude, loc.latitude, loc.longitude), loc)
                for loc in card.locations
            ),
            key=lambda pair: pair[0],
            default=(None, None),  # its locations were replaced in between: no distance
        )
    _draw(cards)
    return Results(cards, total, number, pages, page)


def search_by_name(criteria: dict, page: int = 1, today: date | None = None) -> Results:
    """Without a place: public listings across Canada matching the filters, by name."""
    t = _tables()
    where, params = _conditions(criteria, today or timezone.localdate(), t)
    if criteria.get("wheelchair"):
        where.append(
            f"EXISTS (SELECT 1 FROM {t['location']} loc WHERE loc.listing_id = lst.id"  # noqa: S608  # nosec B608
            " AND loc.wheelchair_accessible = %s)"
        )
        params.append(True)
    inner = (
        "SELECT lst.id AS listing_id, lst.display_name AS display_name "  # noqa: S608  # nosec B608
        f"FROM {t['listing']} lst WHERE {' AND '.join(where)}"
    )
    ids, total, number, pages = _ranked(
        inner, params, "ranked.display_name, ranked.listing_id", page
    )
    cards = _cards(ids, wheelchair_only=bool(criteria.get("wheelchair")))
    for card in cards:
        card.nearest_location = card.locations[0] if card.locations else None
    _draw(cards)
    return Results(cards, total, number, pages, page)


def _cards(ids: list[int], *, wheelchair_only: bool = False) -> list[Card]:
    """The page's listings, in the order of `ids`, with what their cards show: three queries
    (four when a listing on the page has a photo), plain rows, no model instances."""
    if not ids:
        return []
    t = _tables()
    application = connection.ops.quote_name(Application._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    # The verification date of the latest approved application with a number (as
    # ListingQuerySet.with_registration reads it).
    rows = _fetch(
        "SELECT lst.id, lst.slug, lst.display_name, lst.credentials, "  # noqa: S608  # nosec B608
        "lst.accepting_new_patients, lst.direct_billing, lst.languages, lst.photo_id, "
        f"lst.photo_rejected, (SELECT a.registration_verified_on FROM {application} a "
        "WHERE a.user_id = lst.user_id AND a.status = %s AND a.registration_number <> '' "
        "ORDER BY a.decided_at DESC, a.id DESC LIMIT 1) "
        f"FROM {t['listing']} lst WHERE lst.id IN ({marks})",
        [Application.Status.APPROVED, *ids],
    )
    cards: dict[int, Card] = {}
    photos: dict[int, int] = {}
    profile_url = reverse("directory:profile", args=["-slug-"])  # once, not once a card
    for pk, slug, name, credentials, accepting, billing, languages, photo, rejected, on in rows:
        card = Card(
            pk, slug, name, credentials, bool(accepting), bool(billing), languages, bool(on)
        )
        card.url = profile_url.replace("-slug-", slug)
        cards[pk] = card
        if photo and not rejected:
            photos[pk] = photo
    wheelchair = " AND loc.wheelchair_accessible = %s" if wheelchair_only else ""
    for listing_id, *place in _fetch(
        "SELECT loc.listing_id, loc.clinic_name, loc.city, loc.province, loc.latitude, "  # noqa: S608  # nosec B608
        f"loc.longitude FROM {t['location']} loc WHERE loc.listing_id IN ({marks}){wheelchair} "
        "ORDER BY loc.id",
        [*ids, True] if wheelchair_only else ids,
    ):
        if card := cards.get(listing_id):  # a listing changed in between is skipped
            card.locations.append(CardPlace(*place))
    for listing_id, modality in _fetch(
        f"SELECT lm.listing_id, m.name FROM {t['listing_modality']} lm "  # noqa: S608  # nosec B608
        f"JOIN {t['modality']} m ON m.id = lm.modality_id WHERE lm.listing_id IN ({marks}) "
        "ORDER BY m.sort_order, m.name",
        ids,
    ):
        if card := cards.get(listing_id):
            card.modalities.append(modality)
    if photos:
        images = get_image_model().objects.filter(pk__in=set(photos.values()))
        by_id = {image.pk: image for image in images.prefetch_renditions(PHOTO_SPEC)}
        for listing_id, image_id in photos.items():
            if image := by_id.get(image_id):
                rendition = image.get_rendition(PHOTO_SPEC)
                cards[listing_id].photo_html = rendition.img_tag(
                    {"class": "listing-card__photo", "alt": ""}
                )
    return [cards[pk] for pk in ids if pk in cards]


def _draw(cards: list[Card]) -> None:
    """Each card's HTML, with the words every card shares translated once."""
    labels = {
        "verified": escape(_("Registration verified")),
        "accepting": escape(_("Accepting new patients")),
        "billing": escape(_("Direct billing")),
        "km": _("%(km)s km"),
        **{code: str(name) for code, name in LANGUAGE_NAMES.items()},
    }
    for card in cards:
        card.html = card_html(card, labels)


def card_html(card: Card, labels: dict[str, str]) -> SafeString:
    """A result card. Every value a member wrote goes through escape(); the rest is ours."""
    name = escape(card.display_name)
    photo = card.photo_html or (
        '<div class="listing-card__photo listing-card__photo--none" aria-hidden="true">'
        f"{escape(card.display_name[:1])}</div>"
    )
    credentials = ""
    if card.credentials:
        credentials = f'<span class="listing-card__credentials">, {escape(card.credentials)}</span>'
    badges = ""
    if card.registration_verified:
        badges += (
            '<span class="badge badge--ok"><span aria-hidden="true">✓ </span>'
            f"{labels['verified']}</span>"
        )
    if card.accepting_new_patients:
        badges += f'<span class="badge">{labels["accepting"]}</span>'
    if card.direct_billing:
        badges += f'<span class="badge">{labels["billing"]}</span>'
    where = ""
    if place := card.nearest_location:
        if card.distance_km is not None:
            km = labels["km"] % {"km": number_format(round(card.distance_km, 1), 1)}
            where += f'<strong class="listing-card__distance">{escape(km)}</strong> · '
        if place.clinic_name:
            where += f"{escape(place.clinic_name)}, "
        where += f"{escape(place.city)}, {escape(place.province)}"
        where = f'<p class="listing-card__where">{where}</p>'
    modalities = ""
    if card.modalities:
        names = " · ".join(escape(modality) for modality in card.modalities)
        modalities = f'<p class="listing-card__modalities">{names}</p>'
    languages = ", ".join(labels.get(code, code) for code in card.languages.split(",") if code)
    return mark_safe(  # noqa: S308  # nosec B308 B703 - every value above is escaped
        f'<article class="card listing-card">{photo}<div class="listing-card__body">'
        f'<h3 class="listing-card__name"><a href="{escape(card.url)}">{name}</a>{credentials}</h3>'
        f'<p class="listing-card__badges">{badges}</p>{where}{modalities}'
        f'<p class="listing-card__languages meta">{escape(languages)}</p></div></article>'
    )
