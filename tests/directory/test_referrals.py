"""Monthly referral counters: one row per listing and month, one statement per event."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.billing.threads import on_postgresql, run_together
from tide.directory.models import MonthlyReferrals
from tide.directory.services import referral_count

from .factories import make_listed


@pytest.mark.django_db
def test_events_are_counted_by_month():
    listing = make_listed()
    referral_count(listing_id=listing.pk, counter="profile_views", today=date(2026, 10, 31))
    referral_count(listing_id=listing.pk, counter="profile_views", today=date(2026, 11, 1))
    referral_count(listing_id=listing.pk, counter="profile_views", today=date(2026, 11, 30))
    referral_count(listing_id=listing.pk, counter="contact_clicks", today=date(2026, 11, 2))
    rows = {
        row.month: (row.profile_views, row.contact_clicks, row.messages)
        for row in MonthlyReferrals.objects.all()
    }
    assert rows == {date(2026, 10, 1): (1, 0, 0), date(2026, 11, 1): (2, 1, 0)}


@pytest.mark.django_db
def test_counting_a_view_is_one_statement_once_the_month_has_a_row():
    listing = make_listed()
    referral_count(listing_id=listing.pk, counter="profile_views")
    with CaptureQueriesContext(connection) as queries:
        referral_count(listing_id=listing.pk, counter="profile_views")
    assert len(queries) == 1
    assert queries[0]["sql"].startswith("UPDATE")


@pytest.mark.django_db
def test_an_unknown_counter_is_refused():
    listing = make_listed()
    with pytest.raises(ValueError):
        referral_count(listing_id=listing.pk, counter="listing_id")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_first_views_at_once_make_one_row_counting_twenty():
    listing = make_listed()

    def view(_index: int) -> None:
        referral_count(listing_id=listing.pk, counter="profile_views")

    _, errors = run_together(20, view)
    assert errors == []
    [row] = MonthlyReferrals.objects.all()
    assert row.profile_views == 20
