"""A visitor signs up on the home page, confirms from the email and gets the ebook; later
unsubscribes with one click, and the next broadcast skips them. axe-core checks each page."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import PASSWORD, TOTP_SECRET, make_user
from tests.mailing.factories import make_broadcast, make_ebook, make_list, subscribe
from tests.website.factories import make_site
from tide.association.models import AssociationSettings
from tide.mailing.models import MailingSettings
from tide.mailing.sending import broadcast_start

from .conftest import log_in
from .test_accessibility import BLOCKING, describe

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("wagtail_tree")]


@pytest.fixture
def inbox(smtp_inbox, settings):
    settings.MAILING_SEND_RATE = 0
    return smtp_inbox


def _link(message, kind: str, base: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    path = re.search(rf"https?://[^/\s]+(/email/{kind}/[^\s]+/)(?:\s|$)", text).group(1)
    return base + path


def test_sign_up_confirm_get_the_ebook_unsubscribe_and_be_skipped(
    live_server, new_page, inbox, settings
):
    settings.SITE_URL = live_server.url
    make_site()
    association = AssociationSettings.load()
    association.name = "Harbour RMT Association"
    association.street_address = "1 Pier Road"
    association.city = "Halifax"
    association.province = "NS"
    association.postal_code = "B3H 1A1"
    association.save()
    ebook_list = make_list(name="Self-care notes", slug="self-care", ebook=make_ebook())
    mailing_settings = MailingSettings.load()
    mailing_settings.home_list = ebook_list
    mailing_settings.save()
    subscribe(ebook_list, "longtime@example.com", first_name="Lee")
    axe, problems = Axe(), []

    def check(name: str) -> None:
        violations = [v for v in axe.run(visitor).response["violations"] if v["impact"] in BLOCKING]
        if violations:
            problems.append(describe(name, violations))

    # The home page invites the visitor to join.
    visitor = new_page()
    visitor.goto(live_server.url + "/")
    section = visitor.locator("section.signup")
    expect(section.get_by_role("heading")).to_have_text("Join our community and get the free ebook")
    check("home-signup")
    section.get_by_label("First name").fill("Robin")
    section.get_by_label("Email", exact=True).fill("robin@example.org")
    section.get_by_label(re.compile("email me the free ebook")).check()
    section.get_by_role("button", name="Send me the ebook").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    check("check-inbox")

    # The confirmation email's link leads to one button, then the thank-you page.
    [confirmation] = inbox.to("robin@example.org")
    visitor.goto(_link(confirmation, "confirm", live_server.url))
    check("confirm")
    visitor.get_by_role("button", name="Yes, confirm my subscription").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Thank you, Robin")
    check("welcome")
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name=re.compile("Download the ebook")).click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert any("Your free ebook" in m["Subject"] for m in inbox.to("robin@example.org"))

    # A broadcast arrives; its footer link unsubscribes with one click.
    broadcast_start(broadcast=make_broadcast(ebook_list), by=None)
    [news] = [m for m in inbox.to("robin@example.org") if m["Subject"].startswith("Spring")]
    assert news["Subject"] == "Spring self-care, Robin"
    visitor.goto(_link(news, "unsubscribe", live_server.url))
    check("unsubscribe")
    visitor.get_by_role("button", name="Unsubscribe").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    visitor.get_by_role("link", name=re.compile("Choose which emails you get")).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Email preferences")
    check("preferences")

    # The next broadcast skips them; the long-time subscriber still gets it.
    before = len(inbox.to("robin@example.org"))
    broadcast_start(
        broadcast=make_broadcast(ebook_list, subject="Summer notes, {first_name}"), by=None
    )
    assert len(inbox.to("robin@example.org")) == before
    assert [m["Subject"] for m in inbox.to("longtime@example.com")] == [
        "Spring self-care, Lee",
        "Summer notes, Lee",
    ]
    assert not problems, "\n".join(problems)


def test_staff_import_a_list_with_a_dry_run_then_confirm_a_broadcast(
    live_server, new_page, inbox, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    make_site()
    make_user("admin@example.com", staff=True, superuser=True, mfa=True)
    newsletter = make_list(name="Self-care notes", slug="self-care")
    upload = tmp_path / "people.csv"
    upload.write_text(
        "email,first_name\nana@example.com,Ana\nnot-an-address,Bad\nbo@example.com,Bo\n"
    )
    axe, problems = Axe(), []
    staff = new_page()

    def check(name: str) -> None:
        violations = [v for v in axe.run(staff).response["violations"] if v["impact"] in BLOCKING]
        if violations:
            problems.append(describe(name, violations))

    log_in(
        staff,
        live_server.url,
        "admin@example.com",
        PASSWORD,
        totp_secret=TOTP_SECRET,
        next_url="/admin/email/import/",
    )
    staff.reload()  # past the "signed in" message, which axe could catch while it fades in
    check("import-form")
    staff.get_by_label("CSV file or Mailchimp export ZIP").set_input_files(str(upload))
    staff.get_by_label("Into list").select_option(label="Self-care notes")
    staff.get_by_label("What these people agreed to").fill("Joined at our spring open house.")
    staff.get_by_role("button", name="Check or import").click()

    # The dry run runs in the background; its page ends with the report.
    report = staff.locator("#import-progress")
    expect(report).to_contain_text("Dry run: nothing was imported.")
    expect(report).to_contain_text("3 rows: 2 new contacts, 2 subscribed, 0 suppressed, 1 with")
    expect(report.get_by_role("row").filter(has_text="not-an-address")).to_be_visible()
    check("import-dry-run")
    report.get_by_role("button", name="Import this file now").click()
    expect(staff.locator("#import-progress")).to_contain_text("Imported.")

    # "Send now" asks first: subject, list, how many people.
    broadcast = make_broadcast(newsletter)
    staff.goto(f"{live_server.url}/admin/email/broadcasts/{broadcast.pk}/")
    staff.get_by_role("link", name="Send now…").click()
    expect(staff.get_by_role("heading", name="Check before sending")).to_be_visible()
    expect(staff.get_by_role("row", name="Recipients")).to_contain_text(
        "2 contacts with live consent"
    )
    check("broadcast-confirm")
    assert inbox.messages == []
    staff.get_by_role("button", name="Yes, send it to 2 people").click()
    expect(staff.get_by_text("Sending has started.")).to_be_visible()
    assert sorted(r[0] for r, _ in inbox.messages) == ["ana@example.com", "bo@example.com"]
    assert not problems, "\n".join(problems)
