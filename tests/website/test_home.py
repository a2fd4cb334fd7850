from __future__ import annotations

import datetime

import pytest

from tide.association.models import AssociationSettings

from .factories import make_post, make_site

pytestmark = pytest.mark.django_db


def test_home_shows_the_hero_heading_text_and_buttons(client):
    home, blog = make_site()
    home.hero_text = "Registered massage therapists, working together."
    home.hero_primary_label = "Read the blog"
    home.hero_primary_page = blog
    home.save_revision().publish()

    response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Stronger together</h1>" in page
    assert "Registered massage therapists, working together." in page
    assert f'href="{blog.url}">Read the blog</a>' in page


def test_home_shows_its_sections(client):
    home, _ = make_site()
    home.body = [
        ("heading", {"text": "Why join", "level": "h2"}),
        (
            "cards",
            {
                "heading": "What members get",
                "intro": "",
                "cards": [
                    {"title": "Insurance", "text": "Group rates on liability cover.", "page": None}
                ],
            },
        ),
    ]
    home.save_revision().publish()

    page = client.get("/").content.decode()

    assert "<h2>Why join</h2>" in page
    assert "What members get" in page
    assert "Group rates on liability cover." in page


def test_home_lists_the_three_latest_posts_only(client):
    _, blog = make_site()
    today = datetime.date(2025, 6, 1)
    make_post(blog, title="Oldest news", date=today - datetime.timedelta(days=30))
    for days, title in [(3, "Third news"), (2, "Second news"), (1, "Newest news")]:
        make_post(blog, title=title, date=today - datetime.timedelta(days=days))

    page = client.get("/").content.decode()

    assert "From the blog" in page
    assert page.index("Newest news") < page.index("Second news") < page.index("Third news")
    assert "Oldest news" not in page


def test_home_never_lists_a_draft_post(client):
    _, blog = make_site()
    draft = make_post(blog, title="Unfinished thoughts")
    draft.unpublish()

    page = client.get("/").content.decode()

    assert "Unfinished thoughts" not in page


def test_footer_shows_the_association_name_and_mailing_address(client):
    make_site()
    association = AssociationSettings.load()
    association.name = "Harbour Massage Therapists' Association"
    association.street_address = "12 Wharf Street"
    association.city = "Halifax"
    association.province = "NS"
    association.postal_code = "B3H 1A1"
    association.email = "hello@harbour.example"
    association.save()

    response = client.get("/")

    footer = response.content.decode().split('<footer class="site-footer">')[1]
    assert "Harbour Massage Therapists&#x27; Association" in footer
    assert "12 Wharf Street" in footer
    assert "Halifax, NS B3H 1A1" in footer
    assert "mailto:hello@harbour.example" in footer
