"""Demo courses, registrations and CE rule sets."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from tide.accounts.models import User

from .models import CreditCategory, CreditRequirement, CreditRuleSet, Event, Provider
from .services import event_create, registration_check_in, registration_create

STAFF_EMAIL = "staff@tide.example"
MEMBER_EMAIL = "member@tide.example"

CATEGORIES = [
    ("Category A", "Hands-on technique and clinical practice"),
    ("Category B", "Professional development, ethics and business"),
    ("Primary", "Directly related to massage therapy practice"),
    ("Secondary", "Related fields: health, communication, business"),
    ("Ethics", "Professional ethics and boundaries"),
    ("Research literacy", "Reading and applying research"),
]

EVENTS = [
    # title, days from today, hour, hours, format, city, region, capacity, member, non-member,
    # student, credits, category
    (
        "Myofascial release for the cervical spine",
        12,
        9,
        6,
        "in_person",
        "Toronto",
        "ON",
        24,
        145_00,
        210_00,
        95_00,
        "6",
        "Category A",
    ),
    (
        "Boundaries and consent in practice",
        19,
        18,
        2,
        "online",
        "",
        "",
        None,
        0,
        35_00,
        None,
        "2",
        "Ethics",
    ),
    (
        "Reading a randomized trial",
        26,
        13,
        3,
        "online",
        "",
        "",
        100,
        25_00,
        45_00,
        15_00,
        "3",
        "Research literacy",
    ),
    (
        "Lymphatic drainage, level 1",
        33,
        9,
        7,
        "in_person",
        "Halifax",
        "NS",
        16,
        260_00,
        340_00,
        None,
        "14",
        "Primary",
    ),
    (
        "Pregnancy massage: positioning and safety",
        47,
        9,
        6,
        "hybrid",
        "Vancouver",
        "BC",
        20,
        180_00,
        240_00,
        None,
        "6",
        "Category A",
    ),
    (
        "Annual general meeting and social",
        60,
        17,
        3,
        "in_person",
        "Toronto",
        "ON",
        120,
        0,
        0,
        None,
        "0",
        "",
    ),
    (
        "Running a clinic: bookkeeping basics",
        75,
        10,
        3,
        "online",
        "",
        "",
        60,
        40_00,
        60_00,
        None,
        "3",
        "Secondary",
    ),
    (
        "Trigger point therapy refresher",
        -45,
        9,
        6,
        "in_person",
        "Toronto",
        "ON",
        20,
        120_00,
        170_00,
        None,
        "6",
        "Category A",
    ),
    (
        "Taping for sports injuries",
        -120,
        9,
        4,
        "in_person",
        "Ottawa",
        "ON",
        20,
        90_00,
        130_00,
        None,
        "4",
        "Category A",
    ),
]


def _rule_sets(categories: dict[str, CreditCategory]) -> None:
    three, created = CreditRuleSet.objects.get_or_create(
        name="30 credits per 3 years, at least 20 in Category A",
        defaults={
            "cycle_years": 3,
            "first_cycle_year": 2025,
            "total_required": Decimal(30),
            "prorate_new_members": True,
            "carry_over": False,
            "reminder_days_before_end": 120,
            "provinces": "ON",
            "is_default": True,
        },
    )
    if created:
        CreditRequirement.objects.create(
            rule_set=three, category=categories["Category A"], minimum=Decimal(20)
        )
    two, created = CreditRuleSet.objects.get_or_create(
        name="20 CEUs per 2 years (2 h primary or 3 h secondary = 1 CEU), cycles A/B",
        defaults={
            "cycle_years": 2,
            "first_cycle_year": 2024,
            "cohort_by_start_year": True,
            "total_required": Decimal(20),
            "prorate_new_members": False,
            "carry_over": True,
            "carry_over_max": Decimal(5),
            "reminder_days_before_end": 90,
            "provinces": "NL, NS, NB",
        },
    )
    if created:
        CreditRequirement.objects.create(
            rule_set=two, category=categories["Primary"], hours_per_credit=Decimal(2)
        )
        CreditRequirement.objects.create(
            rule_set=two, category=categories["Secondary"], hours_per_credit=Decimal(3)
        )


@transaction.atomic
def demo_education() -> None:
    """Idempotent: running it again keeps what is there."""
    coordinators, _ = Group.objects.get_or_create(name="Education coordinators")
    coordinators.permissions.add(
        *Permission.objects.filter(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="education",
            codename__in=[
                "manage_registrations",
                "change_creditentry",
                "add_event",
                "change_event",
                "delete_event",
                "add_provider",
                "change_provider",
                "add_creditcategory",
                "change_creditcategory",
                "add_creditruleset",
                "change_creditruleset",
            ],
        ),
    )
    categories = {
        name: CreditCategory.objects.get_or_create(name=name, defaults={"description": text})[0]
        for name, text in CATEGORIES
    }
    _rule_sets(categories)
    if Event.objects.exists():
        return
    association, _ = Provider.objects.get_or_create(
        name="The association", defaults={"is_association": True}
    )
    outside, _ = Provider.objects.get_or_create(
        name="Coastal Manual Therapy Institute", defaults={"website": "https://example.com"}
    )
    zone = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    events = {}
    for index, row in enumerate(EVENTS):
        (
            title,
            days,
            hour,
            hours,
            fmt,
            city,
            region,
            capacity,
            member_price,
            price,
            student,
            credits,
            category,
        ) = row
        starts = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=zone)
        events[title] = event_create(
            sessions=[(starts, starts + timedelta(hours=hours))],
            allow_past=True,
            title=title,
            summary=f"{hours} hours · {credits} CE credits" if credits != "0" else "",
            description=(
                f"{title}. A practical course for registered massage therapists, with time "
                "for questions.\n\nBring comfortable clothes and a notebook."
            ),
            provider=outside if index % 3 == 0 else association,
            format=fmt,
            venue_name=f"{city} Community Centre" if city else "",
            street_address="100 Main Street" if city else "",
            city=city,
            region=region,
            join_url="https://meet.example.com/tide-demo" if fmt in ("online", "hybrid") else "",
            capacity=capacity,
            member_price_cents=member_price,
            non_member_price_cents=price,
            student_price_cents=student,
            ce_credits=Decimal(credits),
            ce_hours=Decimal(hours) if credits != "0" else Decimal(0),
            credit_category=categories.get(category),
            cancellation_policy=(
                "Cancel 7 days or more before the start for a full refund. After that, "
                "no refund, but you may send a colleague in your place."
            ),
            published=True,
        )
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if member is None:
        return
    # The demo member attended last month's course (credits on the transcript) and is
    # registered for an upcoming free online one.
    past = Event.objects.get(pk=events["Trigger point therapy refresher"].pk)
    registration = _register_past(past, member)
    if staff is not None:
        registration_check_in(registration=registration, by=staff, now=past.starts_at)
    registration_create(
        event=events["Boundaries and consent in practice"], user=member, province="ON"
    )


def _register_past(event: Event, user: User):
    """A registration for a course that already took place (the demo's history)."""
    from .models import Audience, Registration

    Event.objects.filter(pk=event.pk).update(seats_taken=1)
    return Registration.objects.create(
        event=event,
        user=user,
        status=Registration.Status.CONFIRMED,
        audience=Audience.MEMBER,
        price_cents=event.member_price_cents,
        created_at=event.starts_at - timedelta(days=20),
    )
