"""Postal codes and places located offline, and distances between them."""

from __future__ import annotations

import pytest

from tide.directory.geo import (
    PlaceAmbiguous,
    PlaceNotFound,
    bounding_box,
    fsa_place,
    haversine_km,
    locate,
)

TORONTO = (43.6532, -79.3832)  # Nathan Phillips Square
OTTAWA = (45.4215, -75.6972)  # Parliament Hill


def test_downtown_toronto_to_downtown_ottawa_is_about_350_km():
    assert 345 <= haversine_km(*TORONTO, *OTTAWA) <= 355


def test_known_pairs_are_right_within_one_percent():
    vancouver, montreal = (49.2827, -123.1207), (45.5019, -73.5674)
    assert haversine_km(*vancouver, *montreal) == pytest.approx(3_680, rel=0.01)
    assert haversine_km(*TORONTO, *montreal) == pytest.approx(504, rel=0.01)


def test_two_points_in_the_same_fsa_are_0_km_apart():
    first, second = locate("M5V 2T6"), locate("M5V 3L9")
    assert haversine_km(first.latitude, first.longitude, second.latitude, second.longitude) == 0


def test_the_distance_is_the_same_both_ways_and_zero_to_itself():
    assert haversine_km(*TORONTO, *OTTAWA) == pytest.approx(haversine_km(*OTTAWA, *TORONTO))
    assert haversine_km(*OTTAWA, *OTTAWA) == 0


def test_a_postal_code_is_located_from_its_first_three_characters():
    place = locate("m5v2t6")
    assert place.label.startswith("M5V 2T6")
    assert "Toronto" in place.label
    assert place.province == "ON"
    assert 43.5 < place.latitude < 43.8 and -79.6 < place.longitude < -79.2


def test_the_fsa_alone_is_enough():
    assert locate("K1A").province == "ON"
    assert fsa_place("K1A 0B1") == fsa_place("K1A")


@pytest.mark.parametrize("query", ["Z9Z 9Z9", "D1A 1A1", "M5V 2T"])
def test_a_malformed_postal_code_says_so(query):
    with pytest.raises(PlaceNotFound) as error:
        locate(query)
    assert "postal code" in str(error.value) or "find" in str(error.value)


def test_a_city_is_found_whatever_its_case_and_accents():
    assert locate("montreal").label == "Montréal, QC"
    assert locate("  OTTAWA ").province == "ON"


def test_saint_and_st_are_the_same():
    assert locate("St. Catharines") == locate("Saint Catharines")


def test_a_city_in_several_provinces_offers_the_choices():
    with pytest.raises(PlaceAmbiguous) as ambiguous:
        locate("Westmount")
    provinces = {choice.province for choice in ambiguous.value.choices}
    assert {"QC", "ON", "NS"} <= provinces
    assert len(provinces) == len(ambiguous.value.choices)  # one choice per province


def test_a_choice_with_its_province_is_one_place():
    assert locate("Westmount, QC").province == "QC"
    assert locate("Richmond, British Columbia").province == "BC"


def test_an_unknown_place_says_what_to_do():
    with pytest.raises(PlaceNotFound) as error:
        locate("Atlantis")
    assert "postal code" in str(error.value)


def test_an_empty_query_asks_for_a_place():
    with pytest.raises(PlaceNotFound):
        locate("   ")


def test_the_bounding_box_holds_the_whole_circle():
    min_lat, max_lat, min_lng, max_lng = bounding_box(*TORONTO, 100)
    north = (TORONTO[0] + (max_lat - TORONTO[0]), TORONTO[1])
    assert haversine_km(*TORONTO, *north) == pytest.approx(100, rel=0.001)
    east = (TORONTO[0], max_lng)
    assert haversine_km(*TORONTO, *east) >= 100
    # The circle's widest point (a little north of the parallel) is inside the box too.
    import math

    for bearing in range(0, 360, 1):
        b = math.radians(bearing)
        d = 100 / 6371.0088
        lat1, lng1 = math.radians(TORONTO[0]), math.radians(TORONTO[1])
        lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(b))
        lng2 = lng1 + math.atan2(
            math.sin(b) * math.sin(d) * math.cos(lat1),
            math.cos(d) - math.sin(lat1) * math.sin(lat2),
        )
        assert min_lat - 1e-9 <= math.degrees(lat2) <= max_lat + 1e-9
        assert min_lng - 1e-9 <= math.degrees(lng2) <= max_lng + 1e-9
