from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from .factories import make_post, make_site

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_sitemap_lists_the_home_page_the_blog_and_every_published_post(client):
    _, blog = make_site()
    post = make_post(blog, title="Direct billing")
    draft = make_post(blog, title="Unfinished")
    draft.unpublish()

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    locations = [
        url.findtext(f"{SITEMAP}loc")
        for url in ET.fromstring(response.content).findall(f"{SITEMAP}url")
    ]
    assert "http://localhost/" in locations
    assert "http://localhost/blog/" in locations
    assert f"http://localhost{post.url}" in locations
    assert f"http://localhost{draft.url_path.removeprefix('/home')}" not in locations


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_back_office(client):
    response = client.get("/robots.txt")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = body.splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /accounts/" in lines


def test_search_finds_a_post_by_words_in_its_body(client):
    _, blog = make_site()
    make_post(
        blog,
        title="Working with swelling",
        body=[("paragraph", "<p>Gentle lymphatic drainage after knee surgery.</p>")],
    )
    make_post(blog, title="Billing news", body=[("paragraph", "<p>New rates for insurers.</p>")])

    response = client.get("/search/", {"q": "lymphatic"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 result" in page
    assert "Working with swelling" in page
    assert "Billing news" not in page


def test_search_for_a_word_nowhere_on_the_site_says_nothing_matched(client):
    _, blog = make_site()
    make_post(blog, title="Billing news")

    page = client.get("/search/", {"q": "xylophone"}).content.decode()

    assert "Nothing matched “xylophone”." in page
    assert "Billing news" not in page


def test_search_with_an_empty_query_shows_the_form_and_no_results(client):
    _, blog = make_site()
    make_post(blog, title="Billing news")

    for params in [{}, {"q": ""}, {"q": "   "}]:
        response = client.get("/search/", params)
        page = response.content.decode()
        assert response.status_code == 200
        assert 'name="q"' in page
        assert "Billing news" not in page
        assert "result" not in page
        assert "Nothing matched" not in page


def test_search_with_a_very_long_query_still_answers(client):
    make_site()

    response = client.get("/search/", {"q": "massage " * 37 + "xyz"})  # 299 characters

    assert response.status_code == 200
    assert "Nothing matched" in response.content.decode()


def test_search_query_with_html_is_shown_as_text(client):
    make_site()

    response = client.get("/search/", {"q": '<script>alert("x")</script>'})

    page = response.content.decode()
    assert response.status_code == 200
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_search_never_lists_a_draft(client):
    _, blog = make_site()
    draft = make_post(blog, title="Secret plans", body=[("paragraph", "<p>lymphatic</p>")])
    draft.unpublish()

    page = client.get("/search/", {"q": "lymphatic"}).content.decode()

    assert "Secret plans" not in page
