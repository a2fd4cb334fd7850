"""Keeping `MemberSummary` rows true: rebuilt from a member's periods and approved
application whenever either is saved, and in bulk after an import."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from itertools import groupby

from django.db import transaction

from .models import Application, MembershipPeriod, MemberSummary

FIELDS = ["level", "province", "standing_since", "ends_on", "ended_early_on", "end_reason"]


def member_summaries_refresh(user_ids: Iterable[int]) -> None:
    """Rebuild the summaries of `user_ids`: three queries per thousand members."""
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), 1000):
        with transaction.atomic():
            _refresh(ids[start : start + 1000])


def _refresh(user_ids: list[int]) -> None:
    periods = (
        MembershipPeriod.objects.filter(user_id__in=user_ids)
        .order_by("user_id", "starts_on", "id")
        .values("id", "user_id", "level_id", "starts_on", "ends_on", "ended_early_on", "end_reason")
    )
    provinces = dict(
        Application.objects.filter(user_id__in=user_ids, status=Application.Status.APPROVED)
        .order_by("decided_at", "id")  # the latest approved application wins
        .values_list("user_id", "province")
    )
    summaries = []
    for user_id, rows in groupby(periods, key=lambda row: row["user_id"]):
        rows = list(rows)
        standing_since, run_ends_on = rows[0]["starts_on"], rows[0]["ends_on"]
        for row in rows[1:]:
            if row["starts_on"] > run_ends_on + timedelta(days=1):
                standing_since = row["starts_on"]  # after a gap, membership begins again
            run_ends_on = max(run_ends_on, row["ends_on"])
        latest = max(rows, key=lambda row: (row["ends_on"], row["id"]))
        summaries.append(
            MemberSummary(
                user_id=user_id,
                level_id=latest["level_id"],
                province=provinces.get(user_id, ""),
                standing_since=standing_since,
                ends_on=latest["ends_on"],
                ended_early_on=latest["ended_early_on"],
                end_reason=latest["end_reason"],
            )
        )
    MemberSummary.objects.bulk_create(
        summaries, update_conflicts=True, unique_fields=["user"], update_fields=FIELDS
    )
    MemberSummary.objects.filter(user_id__in=user_ids).exclude(
        user_id__in=[summary.user_id for summary in summaries]
    ).delete()
