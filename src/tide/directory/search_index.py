"""The search index: every listing that could be public, with its points, filter values and
what its result card shows, held in each web process's memory (numpy arrays for what a
search computes on), so a search is a few vector operations and no query.

Why not SQL: a search near a city within 100 km matches thousands of locations, and SQLite or
PostgreSQL take 5 to 15 ms to join them to their listings, keep each listing's nearest location,
count and sort them. Here the same search takes about a tenth of a millisecond, whatever the
database, and the page's cards need no query either.

Freshness: each process keeps the index with the version it was built under, and the version
lives in the shared cache. `search_index_changed()` replaces it whenever what the index holds
changes (the signals in apps.py: listings, locations, their modalities and insurers,
applications, the modality and insurer lists, a committed college register; and
`listing_windows_refresh`), so every process rebuilds on its next search. Who is listed
*today* is decided per search from the stored window dates, so a lapse hides a listing on its
day with no rebuild. A rebuild reads seven tables (about half a second for 20,000 listings).
The index is also rebuilt every few minutes, should a change ever bypass the signals (a bulk
update in a shell).
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
from django.core.cache import cache
from django.db import transaction

from tide.membership.models import Application

from .geo import EARTH_RADIUS_KM, Place, bounding_box
from .models import Insurer, Listing, Location, Modality

VERSION_KEY = "directory:search-index"
MAX_AGE_SECONDS = 300
# Listing columns a filter can ask for; the criteria name → the column's name in the index.
FLAGS = {
    "evenings": "evenings",
    "weekends": "weekends",
    "mobile": "mobile_visits",
    "accepting": "accepting_new_patients",
}


class ListedPlace(NamedTuple):
    """A location as a result card shows it."""

    clinic_name: str
    city: str
    province: str
    latitude: float
    longitude: float
    wheelchair_accessible: bool


class CardRow(NamedTuple):
    """What a result card shows of the listing itself."""

    slug: str
    display_name: str
    credentials: str
    accepting_new_patients: bool
    direct_billing: bool
    languages: str
    photo_id: int | None  # None when there is none, or staff rejected it
    registration_verified: bool


@dataclass
class Ranked:
    """A search's listings in order: their ids, and (near a place) each one's distance."""

    ids: np.ndarray
    distances_km: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class SearchIndex:
    version: str
    built_at: float
    # One entry per listing that is enabled and not hidden by staff, in id order ("rows").
    listing_id: np.ndarray  # int64
    listed_from: np.ndarray  # int32 day ordinals
    listed_until: np.ndarray
    names: list[str]  # display names, casefolded, for the name filter
    name_rank: np.ndarray  # each row's place in (name, id) order
    columns: dict[str, np.ndarray]  # "modality:prenatal", "language:fr", "evenings"… → bool
    # What a result card shows, per row: the listing, its locations (in the order they were
    # added) and its modalities' names (in the staff list's order).
    cards: list[CardRow]
    places: list[list[ListedPlace]]
    modality_names: list[list[str]]
    row_of: dict[int, int]  # listing id → row
    # The lists staff keep, as the search form offers them: (slug, name), in their order.
    modalities: list[tuple[str, str]]
    insurers: list[tuple[str, str]]
    # One entry per location of those listings, in latitude order.
    latitude: np.ndarray
    longitude: np.ndarray
    owner: np.ndarray  # the row of its listing
    wheelchair: np.ndarray

    def _listing_mask(self, criteria: dict, today: date) -> np.ndarray:
        """The rows listed today that pass the visitor's filters (not the name)."""
        day = today.toordinal()
        mask = (self.listed_from <= day) & (self.listed_until >= day)
        wanted = [FLAGS[name] for name in FLAGS if criteria.get(name)]
        if slug := criteria.get("modality"):
            wanted.append(f"modality:{slug}")
        if code := criteria.get("language"):
            wanted.append(f"language:{code}")
        if gender := criteria.get("gender"):
            wanted.append(f"gender:{gender}")
        if billing := criteria.get("billing"):
            wanted.append("direct_billing")
            if billing != "any":
                wanted.append(f"insurer:{billing}")
        for name in wanted:
            column = self.columns.get(name)
            if column is None:  # nobody has it
                return np.zeros_like(mask)
            mask &= column
        return mask

    def _with_name(self, rows: np.ndarray, criteria: dict) -> np.ndarray:
        needle = (criteria.get("name") or "").strip().casefold()
        if not needle:
            return rows
        names = self.names
        return np.array([row for row in rows.tolist() if needle in names[row]], dtype=np.intp)

    def near(self, place: Place, radius_km: float, criteria: dict, today: date) -> Ranked:
        """Listings with a location within `radius_km` of `place`, each at its nearest one,
        nearest first (then by id, so pages never shuffle)."""
        min_lat, max_lat, min_lng, max_lng = bounding_box(
            place.latitude, place.longitude, radius_km
        )
        start = np.searchsorted(self.latitude, min_lat, side="left")
        stop = np.searchsorted(self.latitude, max_lat, side="right")
        latitude, longitude = self.latitude[start:stop], self.longitude[start:stop]
        owner = self.owner[start:stop]
        inside = (longitude >= min_lng) & (longitude <= max_lng)
        inside &= self._listing_mask(criteria, today)[owner]
        if criteria.get("wheelchair"):
            inside &= self.wheelchair[start:stop]
        hits = np.flatnonzero(inside)
        distance = _great_circle_km(place, latitude[hits], longitude[hits])
        within = distance <= radius_km
        rows, distance = owner[hits[within]], distance[within]
        nearest = np.full(len(self.listing_id), np.inf)
        np.minimum.at(nearest, rows, distance)
        rows = self._with_name(np.flatnonzero(nearest < np.inf), criteria)
        # A stable sort of rows in id order: equal distances (one postal area) stay by id.
        order = rows[np.argsort(nearest[rows], kind="stable")]
        return Ranked(self.listing_id[order], nearest[order])

    def by_name(self, criteria: dict, today: date) -> Ranked:
        """Listings across Canada that pass the filters, by name."""
        rows = np.flatnonzero(self._listing_mask(criteria, today))
        if criteria.get("wheelchair"):
            accessible = np.zeros(len(self.listing_id), dtype=bool)
            accessible[self.owner[self.wheelchair]] = True
            rows = rows[accessible[rows]]
        rows = self._with_name(rows, criteria)
        return Ranked(self.listing_id[rows[np.argsort(self.name_rank[rows])]])


def _great_circle_km(place: Place, latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    """The haversine formula, as geo.haversine_km, over arrays."""
    phi1, phi2 = math.radians(place.latitude), np.radians(latitude)
    a = (
        np.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * np.cos(phi2) * np.sin(np.radians(longitude - place.longitude) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _bool_columns(entries: Iterable[tuple[int, str]], count: int) -> dict[str, np.ndarray]:
    columns: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(count, dtype=bool))
    for row, name in entries:
        columns[name][row] = True
    return dict(columns)


def build(version: str) -> SearchIndex:
    """Read the index from the database: seven queries, whatever the number of listings."""
    listings = list(
        Listing.objects.filter(enabled=True, hidden_by_staff=False)
        .exclude(listed_from=None)
        .exclude(listed_until=None)
        .order_by("id")
        .values_list(
            "id",
            "display_name",
            "listed_from",
            "listed_until",
            "languages",
            "gender",
            "direct_billing",
            *FLAGS.values(),
            "user_id",
            "slug",
            "credentials",
            "photo_id",
            "photo_rejected",
        )
    )
    row_of = {listing[0]: row for row, listing in enumerate(listings)}
    count = len(listings)
    # The verification of each member's latest approved application with a number (as
    # ListingQuerySet.with_registration reads it): the first per member, newest first.
    verified: dict[int, bool] = {}
    for user_id, verified_on in (
        Application.objects.filter(status=Application.Status.APPROVED)
        .exclude(registration_number="")
        .order_by("user_id", "-decided_at", "-id")
        .values_list("user_id", "registration_verified_on")
    ):
        verified.setdefault(user_id, verified_on is not None)
    entries: list[tuple[int, str]] = []
    cards: list[CardRow] = []
    for row, listing in enumerate(listings):
        (_, name, _, _, languages, gender, billing, *flags) = listing[: 7 + len(FLAGS)]
        (user_id, slug, credentials, photo_id, photo_rejected) = listing[7 + len(FLAGS) :]
        on = dict(zip(FLAGS.values(), flags, strict=True))
        cards.append(
            CardRow(
                slug,
                name,
                credentials,
                on["accepting_new_patients"],
                billing,
                languages,
                None if photo_rejected else photo_id,
                verified.get(user_id, False),
            )
        )
        entries += [(row, f"language:{code}") for code in languages.split(",") if code]
        if gender:
            entries.append((row, f"gender:{gender}"))
        if billing:
            entries.append((row, "direct_billing"))
        entries += [(row, column) for column, value in on.items() if value]
    modalities = list(Modality.objects.values_list("id", "slug", "name"))  # in the list's order
    modality_of = {pk: (n, slug, name) for n, (pk, slug, name) in enumerate(modalities)}
    listed_modalities: list[list[tuple]] = [[] for _ in listings]
    through = Listing.modalities.through.objects.values_list("listing_id", "modality_id")
    for pk, modality_id in through:
        if (row := row_of.get(pk)) is not None and modality_id in modality_of:
            listed_modalities[row].append(modality_of[modality_id])
    for row, chosen in enumerate(listed_modalities):
        entries += [(row, f"modality:{slug}") for _, slug, _ in chosen]
    modality_names = [[name for _, _, name in sorted(chosen)] for chosen in listed_modalities]
    for pk, slug in Listing.insurers.through.objects.values_list("listing_id", "insurer__slug"):
        if (row := row_of.get(pk)) is not None:
            entries.append((row, f"insurer:{slug}"))
    places: list[list[ListedPlace]] = [[] for _ in listings]
    points = []
    columns = ("clinic_name", "city", "province", "latitude", "longitude", "wheelchair_accessible")
    for pk, *place in Location.objects.order_by("id").values_list("listing_id", *columns):
        if (row := row_of.get(pk)) is not None:
            places[row].append(ListedPlace(*place))
            points.append((place[3], place[4], row, place[5]))
    points.sort()
    names = [listing[1].casefold() for listing in listings]
    name_rank = np.empty(count, dtype=np.intp)
    name_rank[sorted(range(count), key=lambda row: (names[row], listings[row][0]))] = np.arange(
        count
    )
    return SearchIndex(
        version=version,
        built_at=time.monotonic(),
        listing_id=np.array([listing[0] for listing in listings], dtype=np.int64),
        listed_from=np.array([listing[2].toordinal() for listing in listings], dtype=np.int32),
        listed_until=np.array([listing[3].toordinal() for listing in listings], dtype=np.int32),
        names=names,
        name_rank=name_rank,
        columns=_bool_columns(entries, count),
        cards=cards,
        places=places,
        modality_names=modality_names,
        row_of=row_of,
        modalities=[(slug, name) for _, slug, name in modalities],
        insurers=list(Insurer.objects.values_list("slug", "name")),
        latitude=np.array([point[0] for point in points], dtype=np.float64),
        longitude=np.array([point[1] for point in points], dtype=np.float64),
        owner=np.array([point[2] for point in points], dtype=np.intp),
        wheelchair=np.array([point[3] for point in points], dtype=bool),
    )


_current: SearchIndex | None = None
_building = threading.Lock()


def search_index() -> SearchIndex:
    """This process's index, rebuilt first when it is stale (one cache read per search)."""
    global _current
    version = cache.get(VERSION_KEY)
    if version is None:  # never set, or evicted: start a new one
        cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
        version = cache.get(VERSION_KEY)
    index = _current
    if index is None or index.version != version or _too_old(index):
        with _building:
            index = _current
            if index is None or index.version != version or _too_old(index):
                index = _current = build(version)
    return index


def _too_old(index: SearchIndex) -> bool:
    return time.monotonic() - index.built_at > MAX_AGE_SECONDS


def _new_version() -> None:
    cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)


def search_index_changed() -> None:
    """Make every process rebuild its index on its next search: now, so this process (and
    this transaction) sees the change at once, and again after the commit, so a process that
    rebuilt in between, from the rows as they were before it, rebuilds once more."""
    _new_version()
    transaction.on_commit(_new_version)
