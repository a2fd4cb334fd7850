"""The demo loader lists the demo member and therapists across Canada, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tide.directory.geo import locate
from tide.directory.models import Listing
from tide.directory.search import search_near

pytestmark = pytest.mark.django_db


def test_the_demo_lists_therapists_across_canada_once(client):
    call_command("load_demo", stdout=None)
    count = Listing.objects.count()
    call_command("load_demo", stdout=None)
    assert Listing.objects.count() == count >= 30
    assert Listing.objects.public().count() == count
    assert Listing.objects.filter(user__email="member@tide.example").exists()
    provinces = set(Listing.objects.values_list("locations__province", flat=True))
    assert {"ON", "QC", "BC", "AB", "NS", "MB"} <= provinces
    # The browser journey's search finds French prenatal therapists near M5V 2T6.
    results = search_near(locate("M5V 2T6"), 25, {"modality": "prenatal", "language": "fr"})
    assert results.total >= 2
    assert client.get(results.listings[0].get_absolute_url()).status_code == 200
