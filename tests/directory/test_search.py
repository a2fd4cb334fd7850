"""The public search page: near a place, within a radius, filters combined, without JavaScript."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import make_user
from tide.directory.models import Insurer, Listing
from tide.directory.services import listing_moderate, listing_save

from .factories import location, make_listed

pytestmark = pytest.mark.django_db
URL = "/find-an-rmt/"


def search(client, **query):
    return client.get(f"{URL}?{urlencode(query)}")


@pytest.fixture
def toronto_and_ottawa(db):
    near = make_listed(
        name="Amélie Tremblay",
        locations=[location("M5V 3L9")],
        modalities=["prenatal"],
        languages=",fr,en,",
        evenings=True,
    )
    midtown = make_listed(
        name="Mei Chen",
        locations=[location("M4W 1A5", clinic_name="Bloor Clinic")],
        modalities=["prenatal", "swedish"],
        languages=",en,zh,",
        weekends=True,
    )
    ottawa = make_listed(
        name="Marc Bélanger",
        locations=[location("K1N 5X6", city="Ottawa")],
        modalities=["prenatal"],
        languages=",fr,en,",
    )
    return near, midtown, ottawa


def names(response) -> list[str]:
    return [listing.display_name for listing in response.context["results"].listings]


def test_the_search_page_works_without_a_query(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Start with your postal code or city" in response.text


def test_therapists_near_a_postal_code_are_listed_nearest_first_with_the_distance(
    client, toronto_and_ottawa
):
    response = search(client, near="M5V 2T6", radius=25)
    assert response.status_code == 200
    assert names(response) == ["Amélie Tremblay", "Mei Chen"]  # Ottawa is 350 km away
    assert "0.0 km" in response.text
    assert "2 therapists within 25 km of M5V 2T6" in response.text


def test_a_larger_radius_reaches_further(client, toronto_and_ottawa):
    # pypostalcode puts K1N's centroid about 19 km from geonames' downtown Ottawa.
    assert names(search(client, near="Ottawa", radius=10)) == []
    assert names(search(client, near="Ottawa", radius=25)) == ["Marc Bélanger"]


def test_a_city_name_works_like_a_postal_code(client, toronto_and_ottawa):
    assert set(names(search(client, near="toronto", radius=10))) == {"Amélie Tremblay", "Mei Chen"}


def test_filters_combine(client, toronto_and_ottawa):
    query = {"near": "M5V 2T6", "radius": 25, "modality": "prenatal"}
    assert names(search(client, **query, language="fr")) == ["Amélie Tremblay"]
    assert names(search(client, **query, language="zh")) == ["Mei Chen"]
    assert names(search(client, **query, language="fr", weekends="on")) == []
    assert names(search(client, **query, evenings="on")) == ["Amélie Tremblay"]
    assert names(search(client, **query, name="chen")) == ["Mei Chen"]
    assert names(search(client, near="M5V 2T6", radius=25, modality="hot-stone")) == []


def test_direct_billing_to_any_or_to_a_chosen_insurer(client, toronto_and_ottawa):
    near, midtown, _ = toronto_and_ottawa
    sun_life = Insurer.objects.get(slug="sun-life")
    listing_save(user=near.user, data={"direct_billing": True}, insurers=[sun_life])
    listing_save(user=midtown.user, data={"direct_billing": True}, insurers=[])
    query = {"near": "M5V 2T6", "radius": 25}
    assert names(search(client, **query, billing="any")) == ["Amélie Tremblay", "Mei Chen"]
    assert names(search(client, **query, billing="sun-life")) == ["Amélie Tremblay"]


def test_every_filter_is_accepted_together(client, toronto_and_ottawa):
    response = search(
        client,
        near="M5V 2T6",
        radius=100,
        modality="prenatal",
        language="fr",
        gender="woman",
        billing="any",
        wheelchair="on",
        evenings="on",
        weekends="on",
        mobile="on",
        accepting="on",
        name="a",
    )
    assert response.status_code == 200
    assert names(response) == []
    assert "No therapist matches this search" in response.text


def test_wheelchair_access_counts_only_accessible_locations(client):
    make_listed(
        name="Step Free",
        locations=[location("M5V 3L9", wheelchair_accessible=True)],
        email="stepfree@example.com",
    )
    make_listed(
        name="Two Floors Up",
        locations=[location("M5V 2T6"), location("M2N 1A1", wheelchair_accessible=True)],
        email="upstairs@example.com",
    )
    response = search(client, near="M5V 2T6", radius=5, wheelchair="on")
    assert names(response) == ["Step Free"]  # the accessible clinic is 12 km away
    response = search(client, near="M5V 2T6", radius=25, wheelchair="on")
    assert names(response) == ["Step Free", "Two Floors Up"]
    assert "Two Floors Up" in names(search(client, name="Two Floors", wheelchair="on"))


def test_what_a_member_writes_is_shown_as_text_on_the_result_card(client):
    make_listed(
        name="<script>alert(1)</script> Pat",
        credentials='RMT"><img src=x onerror=alert(1)>',
        locations=[location(clinic_name="<b>Clinic</b>")],
    )
    response = search(client, near="M5V 2T6", radius=5)
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Pat" in response.text
    assert "<img src=x" not in response.text
    assert "&lt;b&gt;Clinic&lt;/b&gt;" in response.text


def test_result_cards_show_the_photo_unless_staff_rejected_it(
    client, django_assert_max_num_queries
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (20, 120, 110)).save(buffer, format="PNG")
    listing = make_listed(name="With Photo")
    listing_save(user=listing.user, data={}, photo=SimpleUploadedFile("me.png", buffer.getvalue()))
    for _ in range(2):  # the first request makes the rendition and the settings rows
        search(client, near="M5V 2T6", radius=5)
    with django_assert_max_num_queries(2):  # the image and its renditions
        response = search(client, near="M5V 2T6", radius=5)
    assert '<img alt="" class="listing-card__photo"' in response.text
    listing_moderate(listing=listing, by=make_user("staff@example.com"), photo_rejected=True)
    response = search(client, near="M5V 2T6", radius=5)
    assert "listing-card__photo--none" in response.text
    assert "<img" not in response.text.split('class="directory__list"')[1]


def test_the_url_holds_the_whole_query_for_the_next_page(client):
    for n in range(23):
        make_listed(name=f"Therapist {n:02d}", email=f"t{n}@example.com")
    response = search(client, near="M5V 2T6", radius=5, language="en")
    assert len(names(response)) == 20
    next_url = response.context["page_links"]["next"]
    assert "near=M5V+2T6" in next_url and "language=en" in next_url and "page=2" in next_url
    assert len(names(client.get(next_url))) == 3


def test_a_therapist_with_two_locations_is_listed_once_at_the_nearest(client):
    make_listed(name="Two Places", locations=[location("K1N 5X6"), location("M5V 2T6")])
    response = search(client, near="M5V 2T6", radius=100)
    assert names(response) == ["Two Places"]
    assert response.context["results"].listings[0].distance_km == 0


def test_a_lapsed_member_disappears_from_search(client):
    today = timezone.localdate()
    make_listed(name="Gone Soon", ends_on=today - timedelta(days=400))
    assert names(search(client, near="M5V 2T6", radius=25)) == []


def test_a_name_search_without_a_place_covers_canada(client, toronto_and_ottawa):
    assert names(search(client, name="Bélanger")) == ["Marc Bélanger"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"near": "Z9Z 9Z9"}, "is not a Canadian postal code"),
        ({"near": "X0X 0X0"}, "We do not know where postal code"),
        ({"near": "Atlantis"}, "We could not find"),
        ({"near": "M5V 2T6", "radius": "7"}, "Select a valid choice"),
        ({"near": "M5V 2T6", "radius": "<script>"}, "Select a valid choice"),
        ({"near": "M5V 2T6", "modality": "no-such"}, "Select a valid choice"),
        ({"near": "x" * 500}, "at most 100 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_a_400(client, query, message):
    response = search(client, **query)
    assert response.status_code == 400
    assert message in response.text


def test_an_empty_search_says_what_to_enter(client):
    response = search(client, near="", radius=25)
    assert response.status_code == 200
    assert "Enter a postal code or a city" in response.text


def test_a_city_in_several_provinces_offers_the_choices_as_links(client):
    response = search(client, near="Westmount", radius=10, language="fr")
    assert response.status_code == 200
    assert "Several places have that name" in response.text
    assert "near=Westmount%2C+QC" in response.text
    assert "language=fr" in response.text  # the other filters are kept


@pytest.mark.parametrize("page", ["99999999999999999999", "-3", "abc", "0", "1e9"])
def test_huge_or_odd_page_numbers_are_handled(client, toronto_and_ottawa, page):
    response = search(client, near="M5V 2T6", radius=25, page=page)
    assert response.status_code == 200
    assert response.context["results"].page == 1


def test_a_page_past_the_end_shows_the_last_page_and_says_so(client, toronto_and_ottawa):
    response = search(client, near="M5V 2T6", radius=25, page=40)
    assert names(response) == ["Amélie Tremblay", "Mei Chen"]
    assert "There is no page 40" in response.text


def test_htmx_gets_only_the_results(client, toronto_and_ottawa):
    response = client.get(f"{URL}?near=M5V+2T6&radius=25", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Amélie Tremblay" in response.text


def test_search_results_are_not_kept_in_the_page_cache(client, toronto_and_ottawa):
    response = search(client, near="M5V 2T6", radius=25)
    assert "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response


def test_no_map_without_a_tile_server(client, toronto_and_ottawa, settings):
    settings.DIRECTORY_MAP_TILE_URL = ""
    assert "directory-map" not in search(client, near="M5V 2T6").text
    assert "leaflet" not in search(client, near="M5V 2T6").text


def test_a_map_of_the_results_with_a_tile_server(client, toronto_and_ottawa, settings):
    settings.DIRECTORY_MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    response = search(client, near="M5V 2T6")
    assert 'data-tiles="https://tiles.example/{z}/{x}/{y}.png"' in response.text
    assert 'id="directory-map-points"' in response.text
    assert "leaflet.js" in response.text


def _count_queries(client, query) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = search(client, **query)
    assert response.status_code == 200
    return len(queries), response.context["results"].total


def test_the_query_count_is_constant_in_listings_and_results(client):
    query = {"near": "M5V 2T6", "radius": 100, "modality": "prenatal", "language": "en"}
    make_listed(name="First One", modalities=["prenatal"], email="first@example.com")
    for _ in range(2):  # the first requests create settings rows and fill a few caches
        search(client, near="Ottawa")
    few, total = _count_queries(client, query)
    assert total == 1
    for n in range(30):
        make_listed(
            name=f"Many {n:02d}",
            email=f"many{n}@example.com",
            modalities=["prenatal", "swedish"],
            locations=[location("M5V 2T6"), location("L5B 3C2", city="Mississauga")],
        )
    rebuilt, total = _count_queries(client, query)  # the index is rebuilt after a change
    assert total == 31
    many, total = _count_queries(client, query)
    assert total == 31
    assert (few, rebuilt - few) == (many, 7)
    assert many == 0  # the index ranks and holds what the cards show


def test_count_with_django_assert_max_num_queries(client, django_assert_max_num_queries):
    for n in range(25):
        make_listed(name=f"Listed {n:02d}", email=f"l{n}@example.com", modalities=["swedish"])
    for _ in range(2):  # builds the index; creates settings rows, which renews the header
        search(client, near="Toronto", radius=50)
    with django_assert_max_num_queries(0):
        response = search(client, near="Toronto", radius=50, page=2)
    assert len(response.context["results"].listings) == 5
    assert Listing.objects.count() == 25


def test_the_index_measures_great_circle_distances_to_the_nearest_location():
    from tide.directory.geo import haversine_km, locate
    from tide.directory.search_index import search_index

    codes = ["M5V 2T6", "L5B 3C2", "L6J 1H8", "L1H 1A1", "L8P 1A1", "L4C 1A1", "N2G 1A3"]
    for n, code in enumerate(codes):
        make_listed(name=f"Place {n}", email=f"p{n}@example.com", locations=[location(code)])
    make_listed(name="Two Places", locations=[location("K1A 0A6"), location("M4C 1A1")])
    centre = locate("Toronto")
    ranked = search_index().near(centre, 100, {}, timezone.localdate())
    by_id = dict(zip(ranked.ids.tolist(), ranked.distances_km.tolist(), strict=True))
    for listing in Listing.objects.prefetch_related("locations"):
        exact = min(
            haversine_km(centre.latitude, centre.longitude, loc.latitude, loc.longitude)
            for loc in listing.locations.all()
        )
        if exact <= 100:
            assert by_id[listing.pk] == pytest.approx(exact, abs=1e-6)
        else:
            assert listing.pk not in by_id
    assert list(ranked.distances_km) == sorted(ranked.distances_km)


@pytest.mark.parametrize(
    ("tile_url", "img_src"),
    [
        ("", "'self' data:"),
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example/{z}/{x}/{y}.png", "https://*.tiles.example"),
    ],
)
def test_the_tile_server_is_allowed_in_the_csp_only_when_set(tile_url, img_src, tmp_path):
    import os
    import subprocess
    import sys

    script = (
        "import tide.settings as s; "
        "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    env = {**os.environ, "DIRECTORY_MAP_TILE_URL": tile_url, "VAR_DIR": str(tmp_path)}
    output = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert output.startswith("'self' data:")
    assert img_src in output
    if not tile_url:
        assert output == "'self' data:"
