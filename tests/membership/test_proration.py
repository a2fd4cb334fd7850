"""Dues for mid-year joiners: the unit someone joins in is charged in full, rounded half up."""

from __future__ import annotations

from datetime import date

import pytest

from tide.membership.models import MembershipSettings, Proration

RMT = 350_00


def rules(
    proration: str, month: int = 12, day: int = 1, rollover_days: int = 0
) -> MembershipSettings:
    return MembershipSettings(
        renewal_month=month, renewal_day=day, proration=proration, rollover_days=rollover_days
    )


@pytest.mark.parametrize(
    ("today", "charged", "cents"),
    [
        (date(2026, 12, 1), 12, 350_00),  # on the renewal date: a whole year
        (date(2026, 11, 30), 1, 29_17),  # the day before: the last month, 350/12 rounded
        (date(2026, 6, 15), 6, 175_00),  # June to November
        (date(2027, 1, 1), 11, 320_83),  # 350 * 11/12 = 320.8333…
        (date(2028, 2, 29), 10, 291_67),  # a leap day: February is month 3 of the year
    ],
)
def test_monthly_proration_charges_the_month_someone_joins_in(today, charged, cents):
    assert rules(Proration.MONTH).units_remaining(today) == (charged, 12)
    assert rules(Proration.MONTH).prorated_cents(RMT, today) == cents


@pytest.mark.parametrize(
    ("today", "charged", "cents"),
    [
        (date(2026, 12, 1), 4, 350_00),
        (date(2027, 2, 28), 4, 350_00),  # still in the first quarter (Dec to Feb)
        (date(2027, 3, 1), 3, 262_50),
        (date(2027, 8, 31), 2, 175_00),
        (date(2027, 11, 30), 1, 87_50),
        (date(2028, 2, 29), 4, 350_00),
    ],
)
def test_quarterly_proration_follows_quarters_from_the_renewal_date(today, charged, cents):
    assert rules(Proration.QUARTER).units_remaining(today) == (charged, 4)
    assert rules(Proration.QUARTER).prorated_cents(RMT, today) == cents


@pytest.mark.parametrize(
    ("today", "charged"),
    [
        (date(2026, 12, 1), 2),
        (date(2027, 5, 31), 2),
        (date(2027, 6, 1), 1),
        (date(2027, 11, 30), 1),
        (date(2028, 2, 29), 2),
    ],
)
def test_half_year_proration(today, charged):
    assert rules(Proration.HALF_YEAR).units_remaining(today) == (charged, 2)
    assert rules(Proration.HALF_YEAR).prorated_cents(RMT, today) == RMT * charged // 2


@pytest.mark.parametrize(
    "today", [date(2026, 12, 1), date(2027, 6, 15), date(2027, 11, 30), date(2028, 2, 29)]
)
def test_without_proration_everyone_pays_the_full_year(today):
    assert rules(Proration.NONE).prorated_cents(RMT, today) == RMT


def test_first_period_runs_from_today_to_the_day_before_the_next_renewal():
    dec_first = rules(Proration.MONTH)

    assert dec_first.period_for(date(2026, 12, 1)) == (date(2026, 12, 1), date(2027, 11, 30))
    assert dec_first.period_for(date(2026, 11, 30)) == (date(2026, 11, 30), date(2026, 11, 30))
    assert dec_first.period_for(date(2028, 2, 29)) == (date(2028, 2, 29), date(2028, 11, 30))


def test_a_march_renewal_makes_a_leap_day_the_last_day_of_the_year():
    march_first = rules(Proration.MONTH, month=3, day=1)

    assert march_first.period_for(date(2028, 2, 29)) == (date(2028, 2, 29), date(2028, 2, 29))
    assert march_first.units_remaining(date(2028, 2, 29)) == (1, 12)
    assert march_first.period_for(date(2028, 3, 1)) == (date(2028, 3, 1), date(2029, 2, 28))


def test_a_mid_month_renewal_day_counts_months_from_that_day():
    fifteenth = rules(Proration.MONTH, month=10, day=15)

    assert fifteenth.units_remaining(date(2026, 10, 14)) == (1, 12)
    assert fifteenth.units_remaining(date(2026, 10, 15)) == (12, 12)
    assert fifteenth.units_remaining(date(2026, 11, 14)) == (12, 12)
    assert fifteenth.units_remaining(date(2026, 11, 15)) == (11, 12)


@pytest.mark.parametrize(
    ("today", "period_end", "cents"),
    [
        (date(2026, 11, 27), date(2027, 11, 30), 350_00),  # 4 days left: a full year, and them free
        (date(2026, 9, 3), date(2027, 11, 30), 350_00),  # 89 days left: rolled over
        (date(2026, 9, 2), date(2026, 11, 30), 87_50),  # 90 days left: the last quarter only
    ],
)
def test_late_joiners_pay_a_full_year_and_get_the_rest_of_this_one(today, period_end, cents):
    settings = rules(Proration.QUARTER, rollover_days=90)

    assert settings.period_for(today) == (today, period_end)
    assert settings.prorated_cents(RMT, today) == cents


@pytest.mark.parametrize(
    ("today", "ends_on"),
    [
        (date(2026, 3, 14), date(2027, 3, 13)),
        (date(2026, 12, 31), date(2027, 12, 30)),
        (date(2028, 2, 29), date(2029, 2, 28)),  # a leap day's anniversary is 1 March
    ],
)
def test_on_anniversaries_everyone_pays_a_full_year_from_the_day_they_join(today, ends_on):
    anniversary = MembershipSettings(
        term="anniversary", proration=Proration.MONTH, rollover_days=90
    )

    assert anniversary.period_for(today) == (today, ends_on)
    assert anniversary.units_remaining(today) == (1, 1)
    assert anniversary.prorated_cents(RMT, today) == RMT
