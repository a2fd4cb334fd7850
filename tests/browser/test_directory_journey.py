"""Find an RMT in a real browser: a patient searches near M5V 2T6 within 25 km for prenatal
massage in French, opens the nearest therapist's profile and sends a message that arrives
through a real SMTP server on loopback with Reply-To set; axe-core checks both pages. A
member adds a second practice location without JavaScript."""

from __future__ import annotations

import time
from importlib import import_module

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.directory.factories import location, make_listed

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("wagtail_tree")]
BLOCKING = {"serious", "critical"}


@pytest.fixture
def therapists(transactional_db):
    import_module("tide.billing.migrations.0002_seed_tax_rates").seed(apps, None)
    import_module("tide.directory.migrations.0002_seed_modalities_insurers").seed(apps, None)
    nearest = make_listed(
        name="Amélie Tremblay",
        email="amelie@example.com",
        locations=[location("M5V 3L9", clinic_name="Clinique Harmonie")],
        modalities=["prenatal"],
        languages=",fr,en,",
    )
    make_listed(
        name="Chloé Gagnon",
        email="chloe@example.com",
        locations=[location("M4W 1A5", clinic_name="Bloom Prenatal")],
        modalities=["prenatal", "swedish"],
        languages=",fr,en,",
    )
    make_listed(  # English only: filtered out
        name="Mei Chen",
        email="mei@example.com",
        locations=[location("M5V 2T6")],
        modalities=["prenatal"],
    )
    make_listed(  # French and prenatal, but in Ottawa
        name="Marc Bélanger",
        email="marc@example.com",
        locations=[location("K1N 5X6", city="Ottawa")],
        modalities=["prenatal"],
        languages=",fr,",
    )
    return nearest


def blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def test_a_patient_finds_a_french_prenatal_therapist_and_sends_a_message(
    live_server, page, therapists, smtp_inbox
):
    page.goto(f"{live_server.url}/find-an-rmt/")
    page.get_by_label("Postal code or city").fill("M5V 2T6")
    page.get_by_label("Within").select_option("25")
    page.get_by_label("Modality").select_option("prenatal")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Search", exact=True).click()

    cards = page.locator(".listing-card__name")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Amélie Tremblay")  # nearest first
    expect(cards.nth(1)).to_contain_text("Chloé Gagnon")
    expect(page.locator(".listing-card__distance").first).to_contain_text("km")
    assert "language=fr" in page.url and "modality=prenatal" in page.url  # shareable
    assert blocking_violations(page) == []

    cards.nth(0).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amélie Tremblay")
    assert page.url.endswith("/find-an-rmt/amelie-tremblay-toronto/")
    assert blocking_violations(page) == []

    page.get_by_label("Your name").fill("Sam Patient")
    page.get_by_label("Your email").fill("sam@example.net")
    page.get_by_label("Best time to reach you").fill("Weekday mornings")
    page.get_by_label("Message", exact=True).fill("Do you see patients in their third trimester?")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator(".alert--success")).to_contain_text("Your message was sent")

    deadline = time.monotonic() + 10
    while not smtp_inbox.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    [(recipients, email)] = smtp_inbox.messages
    assert recipients == ["amelie@example.com"]
    assert email["Reply-To"] == "sam@example.net"
    assert "third trimester" in email.get_body(preferencelist=("plain",)).get_content()


def test_the_search_works_without_javascript(live_server, browser, therapists):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/find-an-rmt/")
    page.get_by_label("Postal code or city").fill("M5V 2T6")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator(".listing-card__name").first).to_contain_text("Amélie Tremblay")
    context.close()


def test_a_member_adds_a_second_location_without_javascript(live_server, browser, therapists):
    from tide.directory.models import Listing

    context = browser.new_context(java_script_enabled=False, locale="en-CA")
    page = context.new_page()
    log_in(
        page, live_server.url, "amelie@example.com", PASSWORD, next_url="/find-an-rmt/my-listing/"
    )
    page.get_by_label("Short bio").fill("Typed before adding a location.")
    page.get_by_role("button", name="Add another location").click()
    second = page.locator("fieldset", has_text="Practice location 2")
    expect(page.get_by_label("Short bio")).to_have_value("Typed before adding a location.")
    second.get_by_label("Clinic name").fill("Clinique Ottawa")
    second.get_by_label("City").fill("Ottawa")
    second.get_by_label("Province").select_option("ON")
    second.get_by_label("Postal code").fill("K1N 5X6")
    page.get_by_role("button", name="Save my listing").click()
    expect(page.get_by_text("Your listing is saved.")).to_be_visible()
    listing = Listing.objects.get(user__email="amelie@example.com")
    assert listing.bio == "Typed before adding a location."
    assert [loc.city for loc in listing.locations.all()] == ["Toronto", "Ottawa"]
    context.close()
