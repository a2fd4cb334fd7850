"""Radius and name search, written for speed: a search page is the directory's busiest view.

A search costs no query, whatever the number of listings or results:
1. the search index (search_index.py, in this process's memory) ranks the listings: the
   public rule, the filters, each listing at its nearest location within the radius,
   nearest first, and the total; one cache read tells it whether it is current;
2. the index also holds what the page's cards show (the listing, its locations and its
   modalities); only a listing's photo needs the database, for its rendition;
3. each result card is drawn by `card_html`, in Python: twenty cards through the template
   engine cost more than everything else in the request together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from html import escape  # Django's checks each argument for laziness first: slower, same text

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from .geo import Place, haversine_km
from .models import LANGUAGE_NAMES
from .search_index import CardRow, ListedPlace, Ranked, SearchIndex, search_index

PAGE_SIZE = 20
PHOTO_SPEC = "fill-160x160"


@dataclass
class Card:
    """One search result: what its card shows."""

    id: int
    shown: CardRow  # the listing's own fields, from the index
    modalities: list[str] = field(default_factory=list)
    locations: list[ListedPlace] = field(default_factory=list)
    photo_html: str = ""  # the rendition's <img>, drawn by Wagtail
    url: str = ""
    html: SafeString | str = ""  # the card, drawn by card_html
    nearest_location: ListedPlace | None = None
    distance_km: float | None = None

    @property
    def display_name(self) -> str:
        return self.shown.display_name

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
    def cards_html(self) -> SafeString:
        """The cards as list items: joined here, not looped over in the template."""
        items = "".join(f"<li>{card.html}</li>" for card in self.listings)
        return mark_safe(items)  # noqa: S308  # nosec B308 B703 - each card escapes its values

    @property
    def page_was_past_the_end(self) -> bool:
        return self.asked_page > self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _page(ranked: Ranked, asked: int) -> tuple[list[int], int, int]:
    """(the page's listing ids, page number, pages); a page past the end gives the last."""
    pages = max(1, math.ceil(len(ranked) / PAGE_SIZE))
    number = min(max(asked, 1), pages)
    first = (number - 1) * PAGE_SIZE
    return ranked.ids[first : first + PAGE_SIZE].tolist(), number, pages


def search_near(
    place: Place,
    radius_km: int,
    criteria: dict,
    page: int = 1,
    today: date | None = None,
    index: SearchIndex | None = None,
) -> Results:
    """Public listings with a location within `radius_km` of `place`, nearest first; each
    listing once, at the distance of its nearest location."""
    index = index or search_index()
    ranked = index.near(place, radius_km, criteria, today or timezone.localdate())
    ids, number, pages = _page(ranked, page)
    cards = _cards(index, ids, wheelchair_only=bool(criteria.get("wheelchair")))
    for card in cards:
        # The card names its nearest location (the index ranked by the same distance).
        card.distance_km, card.nearest_location = min(
            (
                (haversine_km(place.latitude, place.longitude, loc.latitude, loc.longitude), loc)
                for loc in card.locations
            ),
            key=lambda pair: pair[0],
            default=(None, None),
        )
    _draw(cards)
    return Results(cards, len(ranked), number, pages, page)


def search_by_name(
    criteria: dict, page: int = 1, today: date | None = None, index: SearchIndex | None = None
) -> Results:
    """Without a place: public listings across Canada matching the filters, by name."""
    index = index or search_index()
    ranked = index.by_name(criteria, today or timezone.localdate())
    ids, number, pages = _page(ranked, page)
    cards = _cards(index, ids, wheelchair_only=bool(criteria.get("wheelchair")))
    for card in cards:
        card.nearest_location = card.locations[0] if card.locations else None
    _draw(cards)
    return Results(cards, len(ranked), number, pages, page)


def _cards(index: SearchIndex, ids: list[int], *, wheelchair_only: bool = False) -> list[Card]:
    """The page's listings, in the order of `ids`, with what their cards show, all from the
    index: no query (two when a listing on the page has a photo, for its rendition)."""
    cards: dict[int, Card] = {}
    photos: dict[int, int] = {}
    profile_url = reverse("directory:profile", args=["-slug-"])  # once, not once a card
    for pk in ids:
        row = index.row_of[pk]
        shown = index.cards[row]
        card = Card(pk, shown)
        card.url = profile_url.replace("-slug-", shown.slug)
        card.modalities = index.modality_names[row]
        card.locations = [
            place
            for place in index.places[row]
            if place.wheelchair_accessible or not wheelchair_only
        ]
        cards[pk] = card
        if shown.photo_id:
            photos[pk] = shown.photo_id
    if photos:
        images = get_image_model().objects.filter(pk__in=set(photos.values()))
        by_id = {image.pk: image for image in images.prefetch_renditions(PHOTO_SPEC)}
        for listing_id, image_id in photos.items():
            if image := by_id.get(image_id):
                rendition = image.get_rendition(PHOTO_SPEC)
                cards[listing_id].photo_html = rendition.img_tag(
                    {"class": "listing-card__photo", "alt": ""}
                )
    return list(cards.values())  # in the order of `ids`


@cache
def _card_words(language: str | None) -> dict[str, str]:
    """The words every card shares, translated once per language."""
    with translation.override(language):
        return {
            "verified": escape(_("Registration verified")),
            "accepting": escape(_("Accepting new patients")),
            "billing": escape(_("Direct billing")),
            "km": _("%(km)s km"),
            "decimal": get_format("DECIMAL_SEPARATOR"),
            **{code: str(name) for code, name in LANGUAGE_NAMES.items()},
        }


def _draw(cards: list[Card]) -> None:
    labels = _card_words(translation.get_language())
    for card in cards:
        card.html = card_html(card, labels)


def card_html(card: Card, labels: dict[str, str]) -> SafeString:
    """A result card. Every value a member wrote goes through escape(); the rest is ours."""
    shown = card.shown
    name = escape(shown.display_name)
    photo = card.photo_html or (
        '<div class="listing-card__photo listing-card__photo--none" aria-hidden="true">'
        f"{escape(shown.display_name[:1])}</div>"
    )
    credentials = ""
    if shown.credentials:
        credentials = (
            f'<span class="listing-card__credentials">, {escape(shown.credentials)}</span>'
        )
    badges = ""
    if shown.registration_verified:
        badges += (
            '<span class="badge badge--ok"><span aria-hidden="true">✓ </span>'
            f"{labels['verified']}</span>"
        )
    if shown.accepting_new_patients:
        badges += f'<span class="badge">{labels["accepting"]}</span>'
    if shown.direct_billing:
        badges += f'<span class="badge">{labels["billing"]}</span>'
    where = ""
    if place := card.nearest_location:
        if card.distance_km is not None:
            tenths = f"{card.distance_km:.1f}".replace(".", labels["decimal"])
            km = labels["km"] % {"km": tenths}
            where += f'<strong class="listing-card__distance">{escape(km)}</strong> · '
        if place.clinic_name:
            where += f"{escape(place.clinic_name)}, "
        where += f"{escape(place.city)}, {escape(place.province)}"
        where = f'<p class="listing-card__where">{where}</p>'
    modalities = ""
    if card.modalities:
        names = " · ".join(escape(modality) for modality in card.modalities)
        modalities = f'<p class="listing-card__modalities">{names}</p>'
    languages = ", ".join(labels.get(code, code) for code in shown.languages.split(",") if code)
    return mark_safe(  # noqa: S308  # nosec B308 B703 - every value above is escaped
        f'<article class="card listing-card">{photo}<div class="listing-card__body">'
        f'<h3 class="listing-card__name"><a href="{escape(card.url)}">{name}</a>{credentials}</h3>'
        f'<p class="listing-card__badges">{badges}</p>{where}{modalities}'
        f'<p class="listing-card__languages meta">{escape(languages)}</p></div></article>'
    )
