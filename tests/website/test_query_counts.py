"""Pages cost the same number of SQL queries whether the site has 3 posts or 30."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tide.website.models import Comment

from .factories import make_author, make_category, make_comment, make_image, make_post, make_site

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    """Queries of an uncached render (after a first render has made the image renditions)."""
    assert client.get(url).status_code == 200
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.get("X-Page-Cache") != "hit"
    return len(queries)


class Content:
    """A blog that grows: posts by a few authors, with categories, tags, images and comments."""

    def __init__(self) -> None:
        self.home, self.blog = make_site()
        self.authors = [
            make_author(name="Priya Raman", email="priya@example.com"),
            make_author(name="Li Wei"),
        ]
        self.categories = [make_category("Research"), make_category("Practice")]
        self.post = self.add_post(0)
        self.count = 1

    def add_post(self, n: int):
        post = make_post(
            self.blog,
            title=f"Story {n}",
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
            authors=self.authors,
            categories=self.categories,
            tags=["pain", f"tag-{n}"],
            hero_image=make_image(title=f"Image {n}", credit=f"Photographer {n}", size=(700, 400)),
        )
        make_comment(post, status=Comment.Status.APPROVED)
        return post

    def grow_to(self, total: int) -> None:
        for n in range(self.count, total):
            self.add_post(n)
            make_comment(self.post, status=Comment.Status.APPROVED)
        self.count = total


@pytest.mark.parametrize(
    "url", ["/", "/blog/", "/blog/category/research/", "/blog/tag/pain/", "/blog/feed/"]
)
def test_listing_costs_the_same_queries_with_3_or_30_posts(client, url):
    content = Content()
    content.grow_to(3)
    with_3 = _queries(client, url)

    content.grow_to(30)
    with_30 = _queries(client, url)

    assert with_30 == with_3


def test_author_archive_costs_the_same_queries_with_3_or_30_posts(client):
    content = Content()
    url = f"/blog/author/{content.authors[0].slug}/"
    content.grow_to(3)
    with_3 = _queries(client, url)

    content.grow_to(30)
    with_30 = _queries(client, url)

    assert with_30 == with_3


def test_post_costs_the_same_queries_with_3_or_30_comments_and_sibling_posts(client):
    content = Content()
    content.grow_to(3)
    with_3 = _queries(client, content.post.url)

    content.grow_to(30)
    with_30 = _queries(client, content.post.url)

    assert content.post.approved_comments().count() == 30
    assert with_30 == with_3


def test_post_page_stays_under_a_fixed_budget(client, django_assert_max_num_queries):
    content = Content()
    content.grow_to(30)
    client.get(content.post.url)
    cache.clear()

    with django_assert_max_num_queries(40):
        assert client.get(content.post.url).status_code == 200
