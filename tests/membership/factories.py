"""Levels, applications in each state and periods, made through the services."""

from __future__ import annotations

from datetime import date, timedelta

from tide.accounts.models import User
from tide.billing.models import Invoice, Payment
from tide.billing.services import payment_record
from tide.membership.models import (
    Application,
    MembershipLevel,
    MembershipPeriod,
    MembershipSettings,
)
from tide.membership.services import application_submit


def make_level(**fields) -> MembershipLevel:
    defaults = {
        "name": "RMT",
        "slug": "rmt",
        "annual_price_cents": 350_00,
        "admin_fee_cents": 50_00,
        "requires_registration_number": True,
        "includes_directory_listing": True,
        "includes_insurance_eligibility": True,
        "includes_member_prices": True,
    }
    return MembershipLevel.objects.create(**{**defaults, **fields})


def set_rules(**fields) -> MembershipSettings:
    rules = MembershipSettings.load()
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.save()
    return rules


def application_data(**fields) -> dict:
    return {
        "legal_name": "Mara Member",
        "preferred_name": "",
        "phone": "416 555 0142",
        "province": "ON",
        "practice_address": "22 Queen Street East",
        "practice_city": "Toronto",
        "practice_postal_code": "M5C 1R9",
        "college": "College of Massage Therapists of Ontario",
        "registration_number": "U4812",
        "graduation_year": 2016,
        "languages": "English",
        "modalities": "Swedish",
        "privacy_accepted": True,
        "news_opt_in": False,
        **fields,
    }


def make_application(
    user: User, level: MembershipLevel, *, today: date | None = None, **fields
) -> Application:
    if "registration_number" not in fields and (
        Application.objects.filter(registration_number="U4812").exclude(user=user).exists()
    ):
        fields["registration_number"] = f"U{4812 + user.pk}"  # a number is one person's
    return application_submit(user=user, level=level, data=application_data(**fields), today=today)


def pay(application: Application) -> Application:
    invoice = Invoice.objects.get(number=application.invoice_number)
    payment_record(
        invoice=invoice, amount_cents=invoice.total_cents, method=Payment.Method.ETRANSFER
    )
    application.refresh_from_db()
    return application


def make_paid_application(user: User, level: MembershipLevel, **fields) -> Application:
    return pay(make_application(user, level, **fields))


def make_period(
    user: User, level: MembershipLevel, *, ends_on: date, starts_on: date | None = None, **fields
) -> MembershipPeriod:
    """A period ending on `ends_on` (a year long unless `starts_on` says otherwise)."""
    return MembershipPeriod.objects.create(
        user=user,
        level=level,
        starts_on=starts_on or ends_on.replace(year=ends_on.year - 1) + timedelta(days=1),
        ends_on=ends_on,
        **fields,
    )
