"""Every page's header and footer (menu, association details, feed, privacy policy) are kept
in the shared cache, and anything that changes them shows on the next page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tide.association.models import AssociationSettings
from tide.website.models import StandardPage

from .factories import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)  # signed-in pages skip the page cache: only the chrome is cached
    return client


def test_publishing_a_menu_page_shows_in_the_header_and_footer(signed_in):
    home, _blog = make_site()
    signed_in.get("/")

    about = home.add_child(instance=StandardPage(title="About us", slug="about", live=False))
    about.show_in_menus = True
    about.save_revision().publish()
    page = signed_in.get("/").content.decode()

    assert page.count('href="/about/"') >= 2  # header menu and footer


def test_unpublishing_removes_the_page_from_the_menu(signed_in):
    home, _blog = make_site()
    about = home.add_child(
        instance=StandardPage(title="About us", slug="about", show_in_menus=True)
    )
    assert 'href="/about/"' in signed_in.get("/").content.decode()

    about.unpublish()

    assert 'href="/about/"' not in signed_in.get("/").content.decode()


def test_saved_settings_show_at_once_with_the_privacy_policy(signed_in):
    home, _blog = make_site()
    signed_in.get("/")
    privacy = home.add_child(instance=StandardPage(title="Privacy", slug="privacy"))

    association = AssociationSettings.load()
    association.name = "Harbour RMT Association"
    association.privacy_page = privacy
    association.save()
    page = signed_in.get("/").content.decode()

    assert "Harbour RMT Association" in page
    assert 'href="/privacy/"' in page


@pytest.mark.parametrize("page_cache_seconds", [600, 0])
def test_the_chrome_costs_no_query_once_cached(signed_in, settings, page_cache_seconds):
    """Also with whole pages left uncached (PAGE_CACHE_SECONDS=0): the chrome is kept apart."""
    from tide.lib.pagecache import page_cache_clear

    settings.PAGE_CACHE_SECONDS = page_cache_seconds

    make_site()
    signed_in.get("/")  # creates the settings rows, which clears the caches once

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            signed_in.get("/")
        return [query["sql"] for query in captured.captured_queries]

    page_cache_clear()
    uncached, cached = queries(), queries()

    assert any("association_associationsettings" in sql for sql in uncached)
    assert not any("association_associationsettings" in sql for sql in cached)
    assert len(cached) <= len(uncached) - 3  # settings, menu, blog feed (and privacy page)


def _header(client, path: str) -> str:
    page = client.get(path).content.decode()
    return page.split('<header class="site-header">')[1].split("</header>")[0]


def test_the_reused_header_is_drawn_for_each_kind_of_visitor(client, member):
    make_site()
    anonymous = _header(client, "/find-an-rmt/")
    client.force_login(member)
    signed_in = _header(client, "/find-an-rmt/")
    member.is_staff = True
    member.save()
    staff = _header(client, "/find-an-rmt/")
    client.logout()

    assert "Sign in" in anonymous and "My account" not in anonymous
    assert "My account" in signed_in and "Sign in" not in signed_in
    assert "Back office" in staff and "Back office" not in signed_in
    assert _header(client, "/find-an-rmt/") == anonymous


def test_the_reused_header_marks_the_section_and_page_being_read(client):
    home, _blog = make_site()
    home.add_child(instance=StandardPage(title="About us", slug="about", show_in_menus=True))

    def current(path: str) -> list[str]:
        header = _header(client, path)
        return [link.split(">")[1] for link in header.split("<a ")[1:] if "aria-current" in link]

    assert current("/find-an-rmt/") == ["Find an RMT</a"]
    assert current("/education/") == ["Education</a"]
    assert current("/about/") == ["About us</a"]
    assert current("/") == []
