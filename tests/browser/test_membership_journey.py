"""Joining in a real browser: a member applies and gets an invoice, staff record the payment
and approve the application in the back office, the member's portal shows them active.
Also: the application form's messages for bad input, and axe-core on the member-facing pages
(the Wagtail back office is Wagtail's own and is not axed here)."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, TOTP_SECRET, make_user
from tests.membership.factories import make_application, make_level, pay, set_rules
from tests.website.factories import make_site
from tide.association.models import AssociationSettings
from tide.billing.models import Invoice, Payment
from tide.membership.models import Application, MembershipPeriod, MembershipSettings
from tide.membership.services import application_approve

from .conftest import log_in
from .test_accessibility import BLOCKING, EMPTY_REFERENCES, describe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("wagtail_tree"),
]

MEMBER_EMAIL = "member@example.com"
# No proration, so the amounts do not depend on today's date: $350 + $50, 13% HST in Ontario.
DUES, FEE, TAX, TOTAL = "$350.00", "$50.00", "$52.00", "$452.00"


@pytest.fixture
def association():
    """A home page, the seeded tax rates (a transactional flush removes them), an association
    that takes e-transfers, and one RMT level charged for a whole year."""
    make_site()
    import_module("tide.billing.migrations.0002_seed_tax_rates").seed(apps, None)
    settings = AssociationSettings.load()
    settings.name = "Harbour RMT Association"
    settings.email = "dues@harbour.example"
    settings.street_address = "1 Pier Road"
    settings.city = "Halifax"
    settings.province = "NS"
    settings.postal_code = "B3H 1A1"
    settings.save()
    set_rules(proration="none")
    return make_level(name="RMT", slug="rmt", annual_price_cents=350_00, admin_fee_cents=50_00)


def field_error(page: Page, name: str):
    """The message shown inside the same .field wrapper as the input named `name`."""
    return page.locator(".field").filter(has=page.locator(f"#id_{name}")).locator(".field__error")


def fill_application(page: Page) -> None:
    page.get_by_label("Legal name").fill("Mara Member")
    page.get_by_label("Phone").fill("416 555 0142")
    page.get_by_label("Province or territory where you practise").select_option(label="Ontario")
    page.get_by_label("Practice address").fill("22 Queen Street East")
    page.get_by_label("City").fill("Toronto")
    page.get_by_label("Postal code").fill("m5c1r9")
    page.get_by_label("Regulatory college").fill("College of Massage Therapists of Ontario")
    page.get_by_label("Registration number").fill("u4812")
    page.get_by_label("Year you graduated").fill("2016")
    page.get_by_label("Languages you treat in").fill("English, French")
    page.get_by_label("Modalities").fill("Swedish, myofascial release")
    page.get_by_label("I have read the privacy terms").check()


def submit_without_browser_checks(page: Page, button: str = "Submit and get my invoice") -> None:
    # The server's messages are under test, not the browser's own bubbles.
    page.locator("form.membership__form").evaluate(
        """form => {
            form.noValidate = true;
            form.querySelectorAll("[required]").forEach(el => el.removeAttribute("required"));
        }"""
    )
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_member_joins_pays_and_is_approved(live_server, new_page, association):
    make_user(MEMBER_EMAIL, first_name="Mara", last_name="Member")
    make_user("admin@example.com", staff=True, superuser=True, mfa=True)
    url = live_server.url
    ends_on = MembershipSettings.load().period_for(timezone.localdate())[1]

    # From the home page, the header's Join button leads to the levels; RMT asks to sign in.
    member = new_page()
    member.goto(url + "/")
    member.get_by_role("navigation", name="Main").get_by_role("link", name="Join").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Join the association")
    card = member.locator(".level-card").filter(has_text="RMT")
    expect(card).to_contain_text(DUES)
    expect(card).to_contain_text("plus a one-time $50.00 admin fee")
    expect(card).to_contain_text("You will need your college registration number.")
    card.get_by_role("link", name=re.compile(r"^Apply")).click()

    expect(member).to_have_url(re.compile(r"/accounts/login/\?next=/membership/join/rmt/$"))
    member.get_by_label("Email").fill(MEMBER_EMAIL)
    member.get_by_label("Password", exact=True).fill(PASSWORD)
    member.get_by_role("button", name="Sign In", exact=True).click()

    # Back on the form after signing in: what the member will pay, then the form itself.
    expect(member).to_have_url(re.compile(r"/membership/join/rmt/$"))
    expect(member.get_by_role("heading", level=1)).to_have_text("Apply for RMT membership")
    summary = member.locator(".membership__summary")
    expect(summary).to_contain_text(DUES)
    expect(summary).to_contain_text("Admin fee for new members")
    expect(member.get_by_label("Legal name")).to_have_value("Mara Member")
    fill_application(member)
    member.get_by_role("button", name="Submit and get my invoice").click()

    # The invoice: number, both lines, HST and the total, and how to pay it.
    application = Application.objects.get()
    invoice = Invoice.objects.get(number=application.invoice_number)
    expect(member).to_have_url(re.compile(rf"/billing/invoices/{invoice.number}/$"))
    expect(member.get_by_role("status")).to_contain_text("Application received")
    expect(member.get_by_role("heading", level=1)).to_have_text(f"Invoice {invoice.number}")
    lines = member.locator(".billing-table tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("Membership dues — RMT")
    expect(lines.nth(0)).to_contain_text(DUES)
    expect(lines.nth(1)).to_contain_text("Admin fee for new members")
    expect(lines.nth(1)).to_contain_text(FEE)
    totals = member.locator(".billing-table tfoot")
    expect(totals.get_by_role("row").filter(has_text="Subtotal")).to_contain_text("$400.00")
    expect(totals.get_by_role("row").filter(has_text="HST 13% (ON)")).to_contain_text(TAX)
    expect(totals.locator(".billing-table__total").first).to_contain_text(TOTAL)
    how_to_pay = member.get_by_role("region", name="How to pay")
    expect(how_to_pay).to_contain_text(f"Pay {TOTAL}")
    expect(how_to_pay).to_contain_text(invoice.number)
    expect(how_to_pay).to_contain_text("Interac e-Transfer")
    expect(how_to_pay).to_contain_text("dues@harbour.example")
    assert application.status == Application.Status.AWAITING_PAYMENT
    assert application.registration_number == "U4812"
    assert application.practice_postal_code == "M5C 1R9"
    assert invoice.total_cents == 452_00

    # Staff sign in with an authenticator code and record the e-transfer on the invoice.
    staff = new_page()
    log_in(
        staff,
        url,
        "admin@example.com",
        PASSWORD,
        totp_secret=TOTP_SECRET,
        next_url="/admin/billing/invoices/",
    )
    expect(staff).to_have_url(re.compile(r"/admin/billing/invoices/$"))
    staff.get_by_role("row").filter(has_text=invoice.number).get_by_role("link").first.click()
    expect(staff).to_have_url(re.compile(rf"/admin/billing/invoices/{invoice.pk}/$"))
    payment = staff.get_by_role("region", name="Record a payment")
    payment.get_by_label("Method").select_option(label="Interac e-Transfer")
    expect(payment.get_by_label("Amount (CAD)")).to_have_value("452.00")
    payment.get_by_label("Reference").fill("CA9xK2mQ")
    payment.get_by_role("button", name="Record payment").click()
    expect(
        staff.get_by_text(f"$452.00 recorded. Invoice {invoice.number} is paid in full.")
    ).to_be_visible()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice.payments.get().method == Payment.Method.ETRANSFER

    # The paid application waits in the queue; staff open it and approve it.
    staff.goto(url + "/admin/membership/applications/")
    expect(staff.get_by_role("link", name=re.compile(r"^Awaiting review \(1\)"))).to_be_visible()
    staff.get_by_role("link", name="Mara Member").click()
    expect(staff).to_have_url(re.compile(rf"/admin/membership/applications/{application.pk}/$"))
    expect(staff.get_by_text("U4812").first).to_be_visible()
    staff.get_by_role("button", name="Approve", exact=True).click()
    expiry = date_format(ends_on, "j F Y")
    expect(staff.get_by_text(f"Mara Member is now a member until {expiry}.")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert MembershipPeriod.objects.get().ends_on == ends_on

    # The member's portal now shows them active, with the expiry date.
    member.goto(url + "/membership/")
    status = member.get_by_role("region", name="Status")
    expect(status.locator(".badge")).to_have_text("Active")
    expect(status).to_contain_text("RMT")
    expect(status).to_contain_text(f"In good standing until {expiry}.")
    expect(member.get_by_role("region", name="Your application")).to_contain_text("Approved")


def test_application_form_shows_messages_and_stores_nothing(live_server, page, association):
    make_user(MEMBER_EMAIL, first_name="Mara", last_name="Member")
    log_in(page, live_server.url, MEMBER_EMAIL, PASSWORD, next_url="/membership/join/rmt/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for RMT membership")

    page.get_by_label("Legal name").fill("")
    page.get_by_label("Postal code").fill("123")
    page.get_by_label("Registration number").fill("!!")
    expect(page.get_by_label("I have read the privacy terms")).not_to_be_checked()
    submit_without_browser_checks(page)

    expect(page).to_have_url(re.compile(r"/membership/join/rmt/$"))
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    expected = {
        "legal_name": "This field is required.",
        "phone": "This field is required.",
        "province": "This field is required.",
        "college": "This field is required.",
        "practice_postal_code": "Enter a Canadian postal code, like K1A 0B1.",
        "registration_number": "Enter your registration number as 3 to 20 letters and digits",
        "privacy_accepted": "Tick this box to accept the privacy terms",
    }
    for name, message in expected.items():
        expect(field_error(page, name), f"no message next to {name}").to_contain_text(message)
        expect(page.locator(f"#id_{name}")).to_have_attribute("aria-invalid", "true")
    # What the member typed is kept, so they can correct it.
    expect(page.get_by_label("Postal code")).to_have_value("123")
    expect(page.get_by_label("Registration number")).to_have_value("!!")
    # Optional fields left empty carry no message.
    expect(field_error(page, "practice_city")).to_have_count(0)
    assert not Application.objects.exists()
    assert not Invoice.objects.exists()


def test_member_pages_have_no_serious_accessibility_violations(live_server, new_page, association):
    """The join page, the form (clean and with errors), the invoice and the portal, in each of
    the states a member sees. The back office is Wagtail's admin and is exempt here."""
    user = make_user(MEMBER_EMAIL, first_name="Mara", last_name="Member")
    admin = make_user("admin@example.com", staff=True, superuser=True)
    url = live_server.url
    axe = Axe()
    problems: list[str] = []
    checked: list[str] = []

    def check(page: Page, name: str) -> None:
        results = axe.run(page)
        blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
        if blocking:
            problems.append(describe(name, blocking))
        for reference in page.evaluate(EMPTY_REFERENCES):
            problems.append(f"[{name}] {reference} points at nothing readable")
        checked.append(name)

    visitor = new_page()
    visitor.goto(url + "/membership/join/")
    check(visitor, "join (visitor)")

    page = new_page()
    log_in(page, url, MEMBER_EMAIL, PASSWORD, next_url="/membership/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your membership")
    check(page, "portal (not a member)")
    page.goto(url + "/membership/join/")
    check(page, "join (signed in)")
    page.goto(url + "/membership/join/rmt/")
    check(page, "application form")
    page.get_by_label("Postal code").fill("123")
    page.get_by_label("Registration number").fill("!!")
    submit_without_browser_checks(page)
    expect(page.locator(".field__error").first).to_be_visible()
    check(page, "application form with errors")

    application = make_application(user, association)
    page.goto(url + f"/billing/invoices/{application.invoice_number}/")
    expect(page.get_by_role("heading", name="How to pay")).to_be_visible()
    check(page, "invoice (open)")
    page.goto(url + "/membership/")
    check(page, "portal (awaiting payment)")

    application_approve(application=pay(application), by=admin)
    page.goto(url + f"/billing/invoices/{application.invoice_number}/")
    check(page, "invoice (paid)")
    page.goto(url + "/membership/")
    expect(page.locator(".membership__status .badge")).to_have_text("Active")
    check(page, "portal (active)")
    page.goto(url + "/membership/details/")
    check(page, "your details")
    page.get_by_label("Phone").fill("call me")
    submit_without_browser_checks(page, "Save my details")
    expect(page.locator(".field__error").first).to_be_visible()
    check(page, "your details with errors")

    assert len(checked) == 11
    assert not problems, (
        "Accessibility problems (axe-core serious/critical, broken references):\n"
        + "\n".join(problems)
    )


def test_member_invoice_names_the_tax(live_server, page, association):
    user = make_user(MEMBER_EMAIL, first_name="Mara", last_name="Member")
    application = make_application(user, association)
    number = application.invoice_number
    log_in(page, live_server.url, MEMBER_EMAIL, PASSWORD, next_url=f"/billing/invoices/{number}/")
    totals = page.locator(".billing-table tfoot")
    expect(totals).to_contain_text(TAX)

    assert "HST" in totals.inner_text(), (
        "The Ontario invoice shows its tax as "
        f"{totals.get_by_role('row').filter(has_text=TAX).inner_text()!r}, without the name HST"
    )
