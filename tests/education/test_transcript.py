"""CE rules are data: totals and category minimums over a cycle, hour conversion, cohorts,
proration and carry-over; the transcript page shows progress."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import login
from tide.education.credits import transcript_for
from tide.education.models import (
    CreditEntry,
    CreditRequirement,
    CreditRuleSet,
    MemberCE,
    cycle_bounds,
)

from .factories import category

pytestmark = pytest.mark.django_db


def rules_30_in_3(**fields) -> CreditRuleSet:
    rule_set = CreditRuleSet.objects.create(
        name="30 per 3 years, 20 in Category A",
        cycle_years=3,
        first_cycle_year=2025,
        total_required=Decimal(30),
        prorate_new_members=fields.pop("prorate", True),
        **fields,
    )
    CreditRequirement.objects.create(rule_set=rule_set, category=category("Category A"), minimum=20)
    return rule_set


def rules_20_in_2() -> CreditRuleSet:
    rule_set = CreditRuleSet.objects.create(
        name="20 per 2 years, 2 h primary or 3 h secondary = 1",
        cycle_years=2,
        first_cycle_year=2024,
        cohort_by_start_year=True,
        total_required=Decimal(20),
        prorate_new_members=False,
    )
    CreditRequirement.objects.create(
        rule_set=rule_set, category=category("Primary"), hours_per_credit=Decimal(2)
    )
    CreditRequirement.objects.create(
        rule_set=rule_set, category=category("Secondary"), hours_per_credit=Decimal(3)
    )
    return rule_set


def earn(user, name: str, on: date, *, credits=0, hours=0) -> CreditEntry:
    return CreditEntry.objects.create(
        user=user,
        category=category(name),
        title=f"{name} course",
        completed_on=on,
        credits=Decimal(credits),
        hours=Decimal(hours),
        status=CreditEntry.Status.APPROVED,
    )


def test_credits_count_by_category_against_the_minimum(member):
    MemberCE.objects.create(user=member, rule_set=rules_30_in_3(), started_on=date(2020, 1, 1))
    earn(member, "Category A", date(2026, 3, 1), credits=12)
    earn(member, "Ethics", date(2025, 6, 1), credits=6)
    earn(member, "Category A", date(2024, 6, 1), credits=9)  # the previous cycle
    transcript = transcript_for(member, today=date(2026, 11, 1))
    assert (transcript.starts_on, transcript.ends_on) == (date(2025, 1, 1), date(2027, 12, 31))
    assert transcript.total == 18
    assert transcript.required == 30
    [category_a] = transcript.categories
    assert (category_a.earned, category_a.minimum, category_a.met) == (12, 20, False)
    assert transcript.percent == 60
    assert not transcript.complete


def test_hours_convert_to_credits_per_category(member):
    MemberCE.objects.create(user=member, rule_set=rules_20_in_2(), started_on=date(2021, 3, 1))
    earn(member, "Primary", date(2025, 2, 1), hours=8)  # 4 credits
    earn(member, "Secondary", date(2025, 3, 1), hours=9)  # 3 credits
    transcript = transcript_for(member, today=date(2025, 6, 1))
    assert transcript.total == 7


def test_cohorts_follow_the_start_year(member, other_member):
    rule_set = rules_20_in_2()
    assert cycle_bounds(rule_set, started_on=date(2021, 5, 1), today=date(2025, 6, 1)) == (
        date(2025, 1, 1),
        date(2026, 12, 31),
    )  # cycle A: odd years
    assert cycle_bounds(rule_set, started_on=date(2020, 5, 1), today=date(2025, 6, 1)) == (
        date(2024, 1, 1),
        date(2025, 12, 31),
    )  # cycle B: even years


def test_a_member_joining_mid_cycle_owes_a_prorated_share(member):
    MemberCE.objects.create(user=member, rule_set=rules_30_in_3(), started_on=date(2026, 7, 1))
    transcript = transcript_for(member, today=date(2026, 8, 1))
    # 18 of the cycle's 36 months are left: half of 30, half of 20.
    assert transcript.required == 15
    assert transcript.categories[0].minimum == 10


def test_without_proration_a_late_joiner_owes_the_whole_cycle(member):
    MemberCE.objects.create(
        user=member, rule_set=rules_30_in_3(prorate=False), started_on=date(2026, 7, 1)
    )
    assert transcript_for(member, today=date(2026, 8, 1)).required == 30


def test_carry_over_moves_extra_credits_up_to_the_limit(member):
    rule_set = rules_30_in_3(carry_over=True, carry_over_max=Decimal(5))
    MemberCE.objects.create(user=member, rule_set=rule_set, started_on=date(2020, 1, 1))
    earn(member, "Category A", date(2024, 5, 1), credits=38)  # 8 over in 2022 to 2024
    transcript = transcript_for(member, today=date(2025, 3, 1))
    assert transcript.carried == 5
    assert transcript.total == 5


def test_no_carry_over_unless_configured(member):
    MemberCE.objects.create(user=member, rule_set=rules_30_in_3(), started_on=date(2020, 1, 1))
    earn(member, "Category A", date(2024, 5, 1), credits=38)
    assert transcript_for(member, today=date(2025, 3, 1)).carried == 0


def test_pending_and_rejected_outside_ce_do_not_count(member):
    MemberCE.objects.create(user=member, rule_set=rules_30_in_3(), started_on=date(2020, 1, 1))
    entry = earn(member, "Category A", date(2025, 5, 1), credits=5)
    entry.status = CreditEntry.Status.PENDING
    entry.save()
    assert transcript_for(member, today=date(2025, 6, 1)).total == 0


def test_the_transcript_page_shows_progress(client, member):
    MemberCE.objects.create(user=member, rule_set=rules_30_in_3(), started_on=date(2020, 1, 1))
    earn(member, "Category A", date.today().replace(month=1, day=2), credits=6)
    login(client, member)
    page = client.get(reverse("education:transcript")).content.decode()
    assert "<progress" in page
    assert "Category A" in page


def test_the_transcript_pdf_downloads(client, member):
    MemberCE.objects.create(user=member, rule_set=rules_30_in_3(), started_on=date(2020, 1, 1))
    earn(member, "Category A", date.today().replace(month=1, day=2), credits=6)
    login(client, member)
    response = client.get(reverse("education:transcript_pdf"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_default_rule_set_applies_to_members_without_a_plan(member):
    rule_set = rules_30_in_3()
    rule_set.is_default = True
    rule_set.save()
    assert transcript_for(member).rule_set == rule_set


def test_no_rules_means_no_transcript(client, member):
    assert transcript_for(member) is None
    login(client, member)
    assert "No CE rules apply" in client.get(reverse("education:transcript")).content.decode()


def test_members_behind_near_the_end_of_their_cycle_are_reminded_once(
    member, other_member, mailoutbox, committed
):
    from tide.education.credits import behind_reminders_send

    rule_set = rules_30_in_3(reminder_days_before_end=90)
    MemberCE.objects.create(user=member, rule_set=rule_set, started_on=date(2020, 1, 1))
    MemberCE.objects.create(user=other_member, rule_set=rule_set, started_on=date(2020, 1, 1))
    earn(other_member, "Category A", date(2027, 3, 1), credits=30)  # done
    with committed():
        assert behind_reminders_send(today=date(2027, 6, 1)) == 0  # too early
        assert behind_reminders_send(today=date(2027, 10, 15)) == 1
        assert behind_reminders_send(today=date(2027, 10, 16)) == 0
    [message] = mailoutbox
    assert message.to == [member.email]
    assert "Your CE cycle ends soon" in message.subject
    assert "31 December 2027" in message.body


def test_members_follow_the_rule_set_of_the_province_they_practise_in(member, other_member):
    from tests.membership.factories import make_level, make_paid_application
    from tide.education.credits import plan_for
    from tide.membership.models import Application

    ontario = rules_30_in_3(is_default=True)
    atlantic = rules_20_in_2()
    atlantic.provinces = "NL, ns"
    atlantic.save()
    level = make_level()
    for user, province in ((member, "NS"), (other_member, "BC")):
        application = make_paid_application(user, level, province=province)
        Application.objects.filter(pk=application.pk).update(status="approved")

    assert plan_for(member)[0] == atlantic  # practises in Nova Scotia
    assert plan_for(other_member)[0] == ontario  # no rule set for BC: the default


def test_a_rule_set_refuses_codes_that_are_not_provinces():
    from django.core.exceptions import ValidationError

    rule_set = rules_30_in_3()
    rule_set.provinces = "ON, XX, Quebec"

    with pytest.raises(ValidationError, match="Not province codes: XX, QUEBEC"):
        rule_set.full_clean()
