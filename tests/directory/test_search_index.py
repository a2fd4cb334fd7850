"""The in-memory search index stays true to the database: every change a member, staff or the
daily refresh makes shows in the next search, in every process."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.conftest import make_user
from tide.directory import search_index as index_module
from tide.directory.geo import locate
from tide.directory.models import Insurer, Listing, Location, Modality
from tide.directory.search_index import VERSION_KEY, search_index
from tide.directory.services import listing_moderate, listing_save, listing_windows_refresh
from tide.membership.models import MembershipPeriod

from .factories import location, make_listed

pytestmark = pytest.mark.django_db
TORONTO = locate("M5V 2T6")


def found(**criteria) -> list[str]:
    ranked = search_index().near(TORONTO, 25, criteria, timezone.localdate())
    return list(
        Listing.objects.filter(pk__in=ranked.ids.tolist()).values_list("display_name", flat=True)
    )


@pytest.fixture
def listed():
    listing = make_listed(name="Pat Therapist", modalities=["swedish"])
    assert found() == ["Pat Therapist"]  # the index is built, with the listing in it
    return listing


def test_staff_hiding_a_listing_takes_it_out_at_once(listed):
    listing_moderate(listing=listed, by=make_user("staff@example.com"), hidden=True)
    assert found() == []
    listing_moderate(listing=listed, by=make_user("staff2@example.com"), hidden=False)
    assert found() == ["Pat Therapist"]


def test_a_members_new_modalities_and_place_are_searched_at_once(listed):
    assert found(modality="prenatal") == []
    listing_save(
        user=listed.user,
        data={"display_name": "Pat Therapist", "languages": ",en,fr,"},
        modalities=list(Modality.objects.filter(slug="prenatal")),
        locations=[location("K1N 5X6", city="Ottawa")],
    )
    assert found() == []  # moved to Ottawa
    today = timezone.localdate()
    ottawa = search_index().near(locate("K1N 5X6"), 5, {"modality": "prenatal"}, today)
    assert ottawa.ids.tolist() == [listed.pk]


def test_direct_billing_to_an_insurer_is_searched_at_once(listed):
    insurer = Insurer.objects.create(name="Blue Shield", slug="blue-shield")
    assert found(billing="blue-shield") == []
    listed.direct_billing = True
    listed.save()
    listed.insurers.add(insurer)
    assert found(billing="blue-shield") == ["Pat Therapist"]
    listed.insurers.remove(insurer)
    assert found(billing="blue-shield") == []


def test_a_renamed_modality_is_searched_by_its_new_address(listed):
    swedish = Modality.objects.get(slug="swedish")
    swedish.slug = "swedish-massage"
    swedish.save()
    assert found(modality="swedish-massage") == ["Pat Therapist"]
    assert found(modality="swedish") == []


def test_a_lapse_hides_the_listing_on_its_day_without_a_rebuild(listed):
    listed.refresh_from_db()
    built = search_index()
    last_day = listed.listed_until
    assert built.near(TORONTO, 25, {}, last_day).ids.tolist() == [listed.pk]
    assert built.near(TORONTO, 25, {}, last_day + timedelta(days=1)).ids.tolist() == []
    assert search_index() is built


def test_ending_a_membership_early_takes_the_listing_out(listed):
    period = MembershipPeriod.objects.get(user=listed.user)
    period.ended_early_on = timezone.localdate()
    period.save()
    assert found() == []


def test_the_daily_refresh_tells_the_index_what_bulk_writes_changed(listed):
    # Written without signals, as a bulk import does.
    long_ago = timezone.localdate() - timedelta(days=800)
    MembershipPeriod.objects.filter(user=listed.user).update(
        starts_on=long_ago, ends_on=long_ago + timedelta(days=364)
    )
    assert found() == ["Pat Therapist"]
    listing_windows_refresh()
    assert found() == []


def test_a_deleted_location_or_listing_leaves_the_index(listed):
    Location.objects.filter(listing=listed).delete()
    assert found() == []
    make_listed(name="Second One", email="second@example.com")
    assert found() == ["Second One"]
    Listing.objects.filter(display_name="Second One").delete()
    assert found() == []


def test_another_process_sees_a_change_after_the_commit_too(
    listed, django_capture_on_commit_callbacks
):
    """A process that rebuilt between the change and its commit read the rows before it:
    the version moves once more after the commit, so it rebuilds again."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        listing_moderate(listing=listed, by=make_user("staff@example.com"), hidden=True)
        during = cache.get(VERSION_KEY)
    assert callbacks
    assert cache.get(VERSION_KEY) not in (None, during)


def test_a_change_that_bypasses_the_signals_shows_within_the_maximum_age(listed, monkeypatch):
    Listing.objects.filter(pk=listed.pk).update(accepting_new_patients=False)
    assert found(accepting="on") == ["Pat Therapist"]  # not seen yet
    later = index_module.time.monotonic() + index_module.MAX_AGE_SECONDS + 1
    monkeypatch.setattr(index_module.time, "monotonic", lambda: later)
    assert found(accepting="on") == []


def test_an_evicted_version_starts_a_new_index(listed):
    built = search_index()
    cache.delete(VERSION_KEY)
    assert search_index() is not built
    assert cache.get(VERSION_KEY)


def test_the_name_filter_ignores_case_in_any_alphabet(listed):
    make_listed(name="Zoë Ängström", email="zoe@example.com")
    assert found(name="zoë") == ["Zoë Ängström"]
    assert found(name="ÄNGSTRÖM") == ["Zoë Ängström"]
    assert found(name="Ther") == ["Pat Therapist"]


def test_a_card_shows_the_locations_and_modalities_as_just_saved(client, listed):
    def card() -> str:
        page = client.get("/find-an-rmt/", {"near": "M5V 2T6"}).content.decode()
        return page.split('<ol class="directory__list">')[1].split("</ol>")[0]

    assert "Swedish" in card()
    massage = Modality.objects.get(slug="swedish")
    massage.name = "Swedish massage"
    massage.save()
    listing_save(
        user=listed.user,
        data={"display_name": "Pat Therapist", "languages": ",en,"},
        modalities=[massage],
        locations=[location(clinic_name="Harbourfront Wellness")],
    )
    assert "Swedish massage" in card()
    assert "Harbourfront Wellness" in card()


def test_a_committed_college_register_shows_and_takes_away_the_badge_at_once(client, listed):
    from tide.membership.models import RegisterImport
    from tide.membership.register import register_commit

    def badge() -> bool:
        page = client.get("/find-an-rmt/", {"near": "M5V 2T6"}).content.decode()
        return "Registration verified" in page

    number = listed.user.membership_applications.get().registration_number
    officer = make_user("officer@example.com")

    def commit(register: str) -> None:
        draft = RegisterImport.objects.create(
            college="College of Massage Therapists of Ontario",
            file_name="register.csv",
            csv_text=f"Number,Name,Status\n{register}",
            number_column="Number",
            name_column="Name",
            status_column="Status",
        )
        register_commit(draft=draft, by=officer)

    assert not badge()
    commit(f"{number},Pat Therapist,Active\n")  # bulk updates, no signals
    assert badge()
    commit("X0001,Someone Else,Active\n")  # no longer on the register
    assert not badge()
