"""Who is listed: one rule, on the window stored on each listing and kept current from
membership periods and applications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.membership.factories import make_level, make_period, set_rules
from tide.directory.models import Listing
from tide.directory.services import listing_save, listing_windows_refresh
from tide.membership.models import Application

from .factories import make_listed

pytestmark = pytest.mark.django_db


def test_a_member_in_good_standing_with_a_registration_number_is_listed():
    listing = make_listed()
    assert list(Listing.objects.public()) == [listing]


def test_lapsed_member_disappears_from_directory_the_day_grace_ends_and_comes_back_on_renewal():
    set_rules(grace_days=30)
    today = timezone.localdate()
    listing = make_listed(ends_on=today - timedelta(days=30), bio="Twenty years of practice.")
    assert Listing.objects.public(today).filter(pk=listing.pk).exists()  # last day of grace
    tomorrow = today + timedelta(days=1)
    assert not Listing.objects.public(tomorrow).exists()  # lapsed that day

    make_period(listing.user, listing_level(listing), ends_on=today + timedelta(days=365))
    back = Listing.objects.public(tomorrow).get()
    assert back.bio == "Twenty years of practice."  # nothing the member wrote is lost
    assert back.locations.count() == 1


def listing_level(listing):
    return listing.user.membership_periods.first().level


def test_a_listing_the_member_turned_off_is_not_listed():
    make_listed(enabled=False)
    assert not Listing.objects.public().exists()


def test_a_listing_hidden_by_staff_is_not_listed():
    listing = make_listed()
    Listing.objects.filter(pk=listing.pk).update(hidden_by_staff=True)
    assert not Listing.objects.public().exists()


def test_without_a_registration_number_there_is_no_listing():
    make_listed(registration_number="")
    assert not Listing.objects.public().exists()


def test_a_level_without_a_listing_does_not_list_even_with_an_old_listing():
    listing = make_listed()
    listing.user.membership_periods.all().delete()
    student = make_level(name="Student", slug="student", includes_directory_listing=False)
    make_period(listing.user, student, ends_on=timezone.localdate() + timedelta(days=100))
    assert not Listing.objects.public().exists()


def test_a_period_that_has_not_started_lists_from_its_first_day_without_any_job():
    listing = make_listed()
    level = listing_level(listing)
    listing.user.membership_periods.all().delete()
    tomorrow = timezone.localdate() + timedelta(days=1)
    make_period(listing.user, level, starts_on=tomorrow, ends_on=tomorrow + timedelta(days=364))
    assert not Listing.objects.public().exists()
    assert Listing.objects.public(tomorrow).exists()


def test_the_lapse_needs_no_job_the_stored_window_ends_with_the_grace_period():
    set_rules(grace_days=10)
    today = timezone.localdate()
    listing = make_listed(ends_on=today + timedelta(days=5))
    listing.refresh_from_db()
    assert listing.listed_until == today + timedelta(days=15)
    assert Listing.objects.public(today + timedelta(days=15)).exists()
    assert not Listing.objects.public(today + timedelta(days=16)).exists()


def test_changing_the_grace_days_moves_every_window():
    set_rules(grace_days=10)
    today = timezone.localdate()
    make_listed(ends_on=today - timedelta(days=20))
    assert not Listing.objects.public().exists()
    set_rules(grace_days=30)
    assert Listing.objects.public().exists()


def test_an_application_approved_later_lists_the_member():
    listing = make_listed()
    listing.user.membership_applications.update(status=Application.Status.AWAITING_REVIEW)
    listing_windows_refresh()
    assert not Listing.objects.public().exists()
    application = listing.user.membership_applications.get()
    application.status = Application.Status.APPROVED
    application.save()
    assert list(Listing.objects.public()) == [listing]


def test_the_daily_refresh_repairs_what_was_written_without_signals():
    today = timezone.localdate()
    listing = make_listed()
    # A bulk write (an import, a script) sends no signal: the stored window is stale…
    periods = listing.user.membership_periods
    periods.update(starts_on=today - timedelta(days=800), ends_on=today - timedelta(days=400))
    assert Listing.objects.public().exists()
    # …until the first periodic run of the day.
    call_command("directory_refresh_listings", verbosity=0)
    assert not Listing.objects.public().exists()
    periods.update(ends_on=today + timedelta(days=30))
    call_command("directory_refresh_listings", verbosity=0)  # once a day: nothing this time
    assert not Listing.objects.public().exists()
    call_command("directory_refresh_listings", force=True, verbosity=0)
    assert Listing.objects.public().exists()


def test_the_latest_approved_application_gives_the_registration_shown():
    listing = make_listed(registration_number="OLD111")
    Application.objects.create(
        user=listing.user,
        level=listing_level(listing),
        legal_name="Pat Therapist",
        phone="1",
        province="ON",
        registration_number="NEW222",
        college="College",
        status=Application.Status.APPROVED,
        decided_at=timezone.now() + timedelta(minutes=1),
        registration_verified_on=timezone.localdate(),
    )
    shown = Listing.objects.public().with_registration().get()
    assert shown.registration_number == "NEW222"
    assert shown.registration_verified_on == timezone.localdate()


def test_a_member_whose_membership_lapsed_cannot_save_a_listing():
    listing = make_listed(ends_on=timezone.localdate() - timedelta(days=400))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        listing_save(user=listing.user, data={"bio": "changed"})
    listing.refresh_from_db()
    assert listing.bio == ""


def test_a_suspended_member_disappears_that_day_and_returns_when_reinstated():
    from tests.conftest import make_user
    from tide.membership.services import membership_end_early, membership_reinstate

    listing = make_listed()
    officer = make_user("officer@example.com", staff=True)

    membership_end_early(user=listing.user, reason="suspended", note="Complaint", by=officer)
    assert not Listing.objects.public().exists()

    membership_reinstate(user=listing.user, by=officer)
    assert list(Listing.objects.public()) == [listing]


def test_an_approved_number_lists_and_the_badge_says_the_register_was_checked(client):
    """Approval verifies the number (staff review checks it, or the college register import
    approves it); the badge says it was also checked against the regulator's register."""
    listing = make_listed(name="Pat Unchecked")
    search = "/find-an-rmt/?near=M5V+2T6&radius=5"
    response = client.get(search)
    assert "Pat Unchecked" in response.text
    assert "Registration verified" not in response.text
    application = listing.user.membership_applications.get()
    application.registration_verified_on = timezone.localdate()
    application.save()
    assert "Registration verified" in client.get(search).text


def test_a_committed_member_import_refreshes_who_is_listed():
    from tide.membership.models import MemberImport

    today = timezone.localdate()
    listing = make_listed()
    # The import writes periods in bulk (no signals); committing it refreshes every window.
    periods = listing.user.membership_periods
    periods.update(starts_on=today - timedelta(days=800), ends_on=today - timedelta(days=400))
    draft = MemberImport.objects.create(file_name="members.csv")
    assert Listing.objects.public().exists()  # a draft changes nothing
    draft.status = MemberImport.Status.COMMITTED
    draft.save()
    assert not Listing.objects.public().exists()
