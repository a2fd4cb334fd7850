from __future__ import annotations

import pytest
from django.test import Client

from .factories import make_site

pytestmark = pytest.mark.django_db


def test_unknown_address_shows_the_styled_not_found_page(client):
    make_site()

    response = client.get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "We couldn't find that page" in page
    assert 'action="/search/"' in page
    assert "Tide Massage Therapists&#x27; Association" in page  # the site's own footer
    assert "Traceback" not in page


def test_unknown_address_is_not_found_even_without_a_site(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404


def test_crash_shows_the_error_page_without_a_traceback(settings):
    make_site()
    settings.ROOT_URLCONF = "tests.website.errors_urls"
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "secret-detail-from-a-crash" not in page
    assert "RuntimeError" not in page
    assert "Traceback" not in page
    assert "Content-Security-Policy" in response.headers


def test_crash_on_a_post_shows_the_same_error_page(settings):
    settings.ROOT_URLCONF = "tests.website.errors_urls"
    client = Client(raise_request_exception=False)

    response = client.post("/boom/", {"x": "1"})

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
