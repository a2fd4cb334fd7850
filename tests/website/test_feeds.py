from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest

from .factories import make_author, make_category, make_post, make_site

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _rss_titles(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return [item.findtext("title") for item in channel.findall("item")]


def _atom_titles(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]


@pytest.fixture
def blog_with_posts(db):
    _, blog = make_site()
    priya = make_author(name="Priya Raman")
    research = make_category("Research")
    day = datetime.date(2025, 3, 1)
    make_post(blog, title="Oldest research", authors=[priya], categories=[research], date=day)
    make_post(blog, title="Billing news", date=day + datetime.timedelta(days=1))
    make_post(
        blog, title="Newest research", categories=[research], date=day + datetime.timedelta(days=2)
    )
    draft = make_post(blog, title="Draft research", authors=[priya], categories=[research])
    draft.unpublish()
    return blog


def test_rss_feed_lists_every_published_post_newest_first(client, blog_with_posts):
    blog = blog_with_posts

    titles = _rss_titles(client.get(f"{blog.url}feed/"))

    assert titles == ["Newest research", "Billing news", "Oldest research"]


def test_rss_feed_names_the_association_and_links_each_post_absolutely(client, blog_with_posts):
    blog = blog_with_posts

    channel = ET.fromstring(client.get(f"{blog.url}feed/").content).find("channel")

    assert channel.findtext("title") == "Tide Massage Therapists' Association — blog"
    item = channel.find("item")
    assert item.findtext("link") == "http://testserver/blog/newest-research/"
    assert item.findtext("description").startswith("Introduction to post ")
    assert item.findtext("category") == "Research"


def test_atom_feed_lists_the_same_posts(client, blog_with_posts):
    blog = blog_with_posts

    titles = _atom_titles(client.get(f"{blog.url}feed/atom/"))

    assert titles == ["Newest research", "Billing news", "Oldest research"]


def test_explicit_rss_address_works_like_the_default(client, blog_with_posts):
    blog = blog_with_posts

    assert _rss_titles(client.get(f"{blog.url}feed/rss/")) == _rss_titles(
        client.get(f"{blog.url}feed/")
    )


def test_author_feed_lists_only_that_authors_published_posts(client, blog_with_posts):
    blog = blog_with_posts

    rss = client.get(f"{blog.url}author/priya-raman/feed/")
    atom = client.get(f"{blog.url}author/priya-raman/feed/atom/")

    assert _rss_titles(rss) == ["Oldest research"]
    assert _atom_titles(atom) == ["Oldest research"]
    assert "posts by Priya Raman" in ET.fromstring(rss.content).find("channel").findtext("title")


def test_category_feed_lists_only_that_categorys_published_posts(client, blog_with_posts):
    blog = blog_with_posts

    assert _rss_titles(client.get(f"{blog.url}category/research/feed/")) == [
        "Newest research",
        "Oldest research",
    ]
    assert _atom_titles(client.get(f"{blog.url}category/research/feed/atom/")) == [
        "Newest research",
        "Oldest research",
    ]


def test_feed_holds_at_most_twenty_posts(client):
    _, blog = make_site()
    for n in range(21):
        make_post(
            blog, title=f"Story {n}", date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n)
        )

    titles = _rss_titles(client.get(f"{blog.url}feed/"))

    assert len(titles) == 20
    assert "Story 0" not in titles


@pytest.mark.parametrize("url", ["author/nobody/feed/", "category/nothing/feed/"])
def test_feed_of_an_unknown_author_or_category_is_not_found(client, blog_with_posts, url):
    assert client.get(f"{blog_with_posts.url}{url}").status_code == 404


def test_every_page_advertises_the_blog_feed(client, blog_with_posts):
    page = client.get("/").content.decode()

    assert (
        '<link rel="alternate" type="application/rss+xml" title="Blog (RSS)" href="/blog/feed/">'
        in page
    )
