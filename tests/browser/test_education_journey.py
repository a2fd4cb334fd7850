"""Continuing education in a real browser: a member finds a CE course, registers and pays,
receives the confirmation with its .ics; staff check them in at the door; the credits
appear on the transcript and the certificate downloads and verifies. Also axe-core on the
catalogue, the event page and the transcript."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from tests.conftest import PASSWORD, TOTP_SECRET, make_user
from tests.education.factories import category, make_event
from tests.website.factories import make_site
from tide.billing.models import Invoice, Payment
from tide.billing.services import payment_record
from tide.education.models import CreditRequirement, CreditRuleSet, Registration

from .conftest import log_in
from .test_accessibility import BLOCKING, describe

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("wagtail_tree")]


@pytest.fixture
def course():
    make_site()
    import_module("tide.billing.migrations.0002_seed_tax_rates").seed(apps, None)
    rules = CreditRuleSet.objects.create(
        name="30 credits per 3 years, at least 20 in Category A",
        cycle_years=3,
        first_cycle_year=2025,
        total_required=Decimal(30),
        prorate_new_members=False,  # the member's account is new: no share of the cycle
        is_default=True,
    )
    CreditRequirement.objects.create(rule_set=rules, category=category("Category A"), minimum=20)
    make_event(
        title="Community social",
        ce_credits=0,
        credit_category=None,
        starts_at=timezone.now() + timedelta(hours=3),
    )
    return make_event(
        title="Myofascial release for the cervical spine",
        starts_at=(timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0),
        non_member_price_cents=150_00,
        member_price_cents=100_00,
        ce_credits=Decimal(6),
        ce_hours=Decimal(6),
        credit_category=category("Category A"),
        capacity=12,
        region="ON",
        city="Toronto",
    )


def coordinator():
    user = make_user("coordinator@example.com", staff=True, mfa=True, first_name="Cora")
    group, _ = Group.objects.get_or_create(name="Education coordinators")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="education", codename__in=["manage_registrations"]
        ),
    )
    user.groups.add(group)
    return user


def axe_check(page, name: str, problems: list[str]) -> None:
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    if blocking:
        problems.append(describe(name, blocking))


def test_member_registers_pays_is_checked_in_and_gets_credits(live_server, new_page, course):
    make_user("member@example.com", first_name="Mara", last_name="Member")
    coordinator()
    url = live_server.url
    problems: list[str] = []

    # The member finds the CE course in the catalogue with the "CE credits only" filter.
    member = new_page()
    member.goto(url + "/education/")
    axe_check(member, "catalogue", problems)
    member.get_by_label("CE credits only").check()
    member.get_by_role("button", name="Show events").click()
    expect(member.locator(".event-card")).to_have_count(1)
    member.get_by_role("link", name=course.title).click()
    expect(member.get_by_role("heading", level=1)).to_have_text(course.title)
    expect(member.locator("main")).to_contain_text("12 seats left")
    axe_check(member, "event", problems)

    # Signing in brings them back to the course; registering holds a seat with an invoice.
    member.get_by_role("link", name="Log in to register").click()
    member.get_by_label("Email").fill("member@example.com")
    member.get_by_label("Password", exact=True).fill(PASSWORD)
    member.get_by_role("button", name="Sign In", exact=True).click()
    expect(member.get_by_role("heading", level=1)).to_have_text(course.title)
    expect(member.locator("main")).to_contain_text("$150.00")
    member.get_by_role("button", name="Register").click()
    registration = Registration.objects.get()
    expect(member).to_have_url(re.compile(rf"/billing/invoices/{registration.invoice_number}/$"))
    expect(member.get_by_role("status")).to_contain_text("Your seat is held")

    # The invoice is paid (staff record the e-Transfer; the billing journey tests that screen).
    mail.outbox.clear()
    invoice = Invoice.objects.get(number=registration.invoice_number)
    payment_record(
        invoice=invoice, amount_cents=invoice.total_cents, method=Payment.Method.ETRANSFER
    )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    confirmation = next(m for m in mail.outbox if "You are registered" in m.subject)
    [(_filename, ics, mimetype)] = confirmation.attachments
    assert mimetype == "text/calendar"
    start = Calendar.from_ical(ics).walk("VEVENT")[0].decoded("dtstart")
    assert start == timezone.localtime(course.starts_at)
    assert str(start.tzinfo) == "America/Toronto"

    # My events shows the ticket with its code and QR.
    member.goto(url + "/education/my/")
    member.get_by_role("link", name="Ticket").click()
    expect(member.locator(".ticket__code")).to_contain_text(registration.ticket_code)
    expect(member.locator(".ticket__qr svg")).to_be_visible()

    # At the door, staff type the ticket code.
    staff = new_page()
    log_in(
        staff,
        url,
        "coordinator@example.com",
        PASSWORD,
        totp_secret=TOTP_SECRET,
        next_url=f"/admin/education/events/{course.pk}/",
    )
    expect(staff.get_by_text("Mara Member", exact=True)).to_be_visible()
    staff.get_by_label("Check in by ticket code (type or scan)").fill(registration.ticket_code)
    staff.get_by_role("button", name="Check in", exact=True).click()
    expect(staff.locator(".messages")).to_contain_text("Mara Member is checked in")

    # The credits are on the transcript; the certificate downloads and its QR page verifies.
    member.goto(url + "/education/transcript/")
    expect(member.locator(".education__big")).to_contain_text("6 of 30 credits")
    expect(member.locator("main")).to_contain_text(course.title)
    axe_check(member, "transcript", problems)
    with member.expect_download() as download:
        member.get_by_role("link", name="certificate").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    from tide.education.credits import certificate_token

    visitor = new_page()
    visitor.goto(url + f"/education/verify/{certificate_token(registration)}/")
    expect(visitor.locator("main")).to_contain_text("Valid certificate")
    expect(visitor.locator("main")).to_contain_text("Mara Member")

    assert not problems, "\n".join(problems)


def test_calendar_and_my_events_have_no_serious_violations(live_server, new_page, course):
    make_user("member@example.com", first_name="Mara", last_name="Member")
    page = new_page()
    problems: list[str] = []
    page.goto(live_server.url + "/education/calendar/")
    axe_check(page, "calendar", problems)
    log_in(page, live_server.url, "member@example.com", PASSWORD)
    page.goto(live_server.url + "/education/my/")
    axe_check(page, "my-events", problems)
    assert not problems, "\n".join(problems)


def test_the_catalogue_does_not_scroll_sideways_at_360px(live_server, new_page, course):
    page = new_page({"width": 360, "height": 800})
    for path in ("/education/", "/education/calendar/", course.get_absolute_url()):
        page.goto(live_server.url + path)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide at 360px"
