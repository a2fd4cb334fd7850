"""Radius search: a bounding box on the indexed point columns picks the candidates in SQL,
then exact great-circle distances in Python keep those within the radius, nearest first.

Whatever the number of listings or results, a search costs the same few queries: the
candidate points (one row per location: listing id, latitude, longitude), then the page
of listings with their locations, modalities and photos.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Value,
)
from django.utils import timezone
from wagtail.images import get_image_model

from .geo import EARTH_RADIUS_KM, Place, bounding_box, haversine_km
from .models import Listing, Location

PAGE_SIZE = 20
PHOTO_SPEC = "fill-160x160"


@dataclass
class Results:
    listings: list[Listing] = field(default_factory=list)
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


def filters_q(criteria: dict, prefix: str = "") -> Q:
    """The visitor's filters, on listings (or `prefix`-related listings). They combine."""
    p = prefix
    q = Q()
    if slug := criteria.get("modality"):
        q &= Q(
            Exists(
                Listing.modalities.through.objects.filter(
                    listing_id=OuterRef(f"{p}id" if p else "id"), modality__slug=slug
                )
            )
        )
    if code := criteria.get("language"):
        q &= Q(**{f"{p}languages__contains": f",{code},"})
    if gender := criteria.get("gender"):
        q &= Q(**{f"{p}gender": gender})
    if billing := criteria.get("billing"):
        q &= Q(**{f"{p}direct_billing": True})
        if billing != "any":
            q &= Q(
                Exists(
                    Listing.insurers.through.objects.filter(
                        listing_id=OuterRef(f"{p}id" if p else "id"), insurer__slug=billing
                    )
                )
            )
    for name, column in (
        ("evenings", "evenings"),
        ("weekends", "weekends"),
        ("mobile", "mobile_visits"),
        ("accepting", "accepting_new_patients"),
    ):
        if criteria.get(name):
            q &= Q(**{f"{p}{column}": True})
    if name := (criteria.get("name") or "").strip():
        q &= Q(**{f"{p}display_name__icontains": name})
    return q


def _page_numbers(total: int, asked: int) -> tuple[int, int]:
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return min(max(asked, 1), pages), pages


def _load(ids: list[int]) -> dict[int, Listing]:
    """The page's listings with everything their cards show, in a fixed number of queries."""
    images = get_image_model().objects.prefetch_renditions(PHOTO_SPEC)
    listings = (
        Listing.objects.filter(pk__in=ids)
        .with_registration()
        .prefetch_related(
            "modalities",
            Prefetch("locations", queryset=Location.objects.order_by("id")),
            Prefetch("photo", queryset=images),
        )
    )
    return {listing.pk: listing for listing in listings}


def _planar_distance_sq(place: Place) -> ExpressionWrapper:
    """(Δlat² + (Δlng·cos φm)²) in degrees², with φm the midpoint latitude and its cosine
    from a second-order Taylor series around the place's latitude: plain arithmetic, so the
    database computes it in C, and within 0.01% of the great-circle distance up to 100 km."""
    phi0 = math.radians(place.latitude)
    cos0, sin0 = math.cos(phi0), math.sin(phi0)
    dlat = F("latitude") - Value(place.latitude)
    dlng = F("longitude") - Value(place.longitude)
    half = dlat * Value(math.pi / 360)  # half the latitude difference, in radians
    cos_mid = Value(cos0) - Value(sin0) * half - Value(cos0 / 2) * half * half
    east = dlng * cos_mid
    return ExpressionWrapper(dlat * dlat + east * east, output_field=FloatField())


def _km_to_degrees(km: float) -> float:
    return math.degrees(km / EARTH_RADIUS_KM)


def search_near(
    place: Place, radius_km: int, criteria: dict, page: int = 1, today: date | None = None
) -> Results:
    """Public listings with a location within `radius_km` of `place`, nearest first; each
    listing once, at the distance of its nearest location.

    One query ranks them: the candidates in the bounding box (indexed), the public rule and
    the filters, each listing's nearest location, the radius, the order, the page and the
    total (a window count), so only the page's rows leave the database.
    """
    today = today or timezone.localdate()
    limit = _km_to_degrees(radius_km) ** 2
    per_listing = (
        Location.objects.public(today)
        .in_box(bounding_box(place.latitude, place.longitude, radius_km))
        .filter(filters_q(criteria, prefix="listing__"))
        .annotate(d2=_planar_distance_sq(place))
        .filter(d2__lte=limit)  # the locations within the radius; each listing's nearest
        .order_by()
        .values("listing_id")
        .annotate(nearest=Min("d2"))
        .values_list("listing_id", "nearest")
    )
    inner, params = per_listing.query.sql_with_params()
    number = max(page, 1)
    rows = _ranked_page(inner, params, number)
    total = rows[0][2] if rows else 0
    number, pages = _page_numbers(total, page)
    if rows == [] and total == 0 and page > 1:
        # Past the end: the last page (one more query, only for this odd request).
        total = per_listing.count()
        number, pages = _page_numbers(total, page)
        rows = _ranked_page(inner, params, number) if total else []
    loaded = _load([listing_id for listing_id, _, _ in rows])
    listings = []
    for listing_id, _, _ in rows:
        listing = loaded[listing_id]
        # The exact great-circle distance of each location shown; the nearest is kept.
        distance, nearest = min(
            (haversine_km(place.latitude, place.longitude, loc.latitude, loc.longitude), loc.pk)
            for loc in listing.locations.all()
        )
        listing.distance_km = distance
        listing.nearest_location = next(loc for loc in listing.locations.all() if loc.pk == nearest)
        listings.append(listing)
    return Results(listings, total, number, pages, page)


def _ranked_page(inner: str, params: tuple, number: int) -> list[tuple[int, float, int]]:
    """(listing id, squared distance, total) for page `number` of the grouped candidates."""
    sql = (
        "SELECT ranked.listing_id, ranked.nearest, COUNT(*) OVER () "  # noqa: S608  # nosec B608
        f"FROM ({inner}) ranked ORDER BY ranked.nearest, ranked.listing_id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, PAGE_SIZE, (number - 1) * PAGE_SIZE])
        return cursor.fetchall()


def search_by_name(criteria: dict, page: int = 1, today: date | None = None) -> Results:
    """Without a place: public listings across Canada matching the filters, by name."""
    ids = Listing.objects.public(today).filter(filters_q(criteria)).order_by("display_name", "id")
    total = ids.count()
    number, pages = _page_numbers(total, page)
    page_ids = list(ids.values_list("id", flat=True)[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    loaded = _load(page_ids)
    listings = [loaded[pk] for pk in page_ids]
    for listing in listings:
        listing.distance_km = None
        locations = listing.locations.all()
        listing.nearest_location = locations[0] if locations else None
    return Results(listings, total, number, pages, page)
