"""Segments: parts of a list computed from other apps' data (members by status, level,
province, …). Apps register them; a broadcast narrows its list to one.

A segment is a function returning a `Q` over `Contact`, evaluated when a broadcast starts
(and again for every batch, so someone who left the segment mid-send is skipped).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    build: Callable[[], Q]


_SEGMENTS: dict[str, Segment] = {}
# Functions returning segments that depend on data (one per membership level, …).
_PROVIDERS: list[Callable[[], list[Segment]]] = []


def register_segment(key: str, label: str, build: Callable[[], Q]) -> None:
    _SEGMENTS[key] = Segment(key=key, label=label, build=build)


def register_segment_provider(provider: Callable[[], list[Segment]]) -> None:
    _PROVIDERS.append(provider)


def all_segments() -> dict[str, Segment]:
    found = dict(_SEGMENTS)
    for provider in _PROVIDERS:
        found.update({segment.key: segment for segment in provider()})
    return found


def segment_choices() -> list[tuple[str, str]]:
    return [(segment.key, str(segment.label)) for segment in all_segments().values()]


def segment_label(key: str) -> str:
    segment = all_segments().get(key)
    return str(segment.label) if segment else key


def segment_filter(key: str) -> Q:
    """The segment's condition; an unknown segment matches nobody rather than everybody."""
    segment = all_segments().get(key)
    return segment.build() if segment else Q(pk__in=[])
