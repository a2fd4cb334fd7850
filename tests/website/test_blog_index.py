from __future__ import annotations

import datetime

import pytest

from .factories import make_author, make_category, make_post, make_site

pytestmark = pytest.mark.django_db


def _posts(blog, count: int, **fields) -> list:
    """`count` posts, newest first, titled "Story 01"… with Story 01 the newest."""
    start = datetime.date(2025, 1, 1)
    return [
        make_post(blog, title=f"Story {n:02d}", date=start - datetime.timedelta(days=n), **fields)
        for n in range(1, count + 1)
    ]


def test_blog_index_shows_nine_newest_posts_on_the_first_page(client):
    _, blog = make_site()
    _posts(blog, 10)

    response = client.get(blog.url)

    page = response.content.decode()
    assert response.status_code == 200
    assert all(f"Story {n:02d}" in page for n in range(1, 10))
    assert "Story 10" not in page
    assert "Page 1 of 2" in page


def test_second_page_shows_the_older_posts(client):
    _, blog = make_site()
    _posts(blog, 10)

    response = client.get(blog.url, {"page": 2})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Story 10" in page
    assert "Story 01" not in page
    assert "Page 2 of 2" in page


def test_page_past_the_end_is_not_found(client):
    _, blog = make_site()
    _posts(blog, 2)

    assert client.get(blog.url, {"page": 99}).status_code == 404


def test_page_that_is_not_a_number_shows_the_first_page(client):
    _, blog = make_site()
    _posts(blog, 10)

    response = client.get(blog.url, {"page": "abc"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Story 01" in page
    assert "Story 10" not in page


def test_blog_with_no_posts_says_so(client):
    _, blog = make_site()

    response = client.get(blog.url)

    assert response.status_code == 200
    assert "No posts here yet." in response.content.decode()


def test_draft_and_unpublished_posts_are_never_listed(client):
    _, blog = make_site()
    category = make_category("Research")
    author = make_author(name="Dana Draft")
    make_post(blog, title="Published story", authors=[author], categories=[category], tags=["pain"])
    unpublished = make_post(
        blog, title="Withdrawn story", authors=[author], categories=[category], tags=["pain"]
    )
    unpublished.unpublish()
    draft = make_post(
        blog, title="Draft story", authors=[author], categories=[category], tags=["pain"]
    )
    draft.title = "Draft story, edited"
    draft.save_revision()  # a newer draft of a live post is not shown either
    draft.unpublish()

    for url in [
        blog.url,
        f"{blog.url}category/research/",
        f"{blog.url}tag/pain/",
        f"{blog.url}author/{author.slug}/",
    ]:
        page = client.get(url).content.decode()
        assert "Published story" in page, url
        assert "Withdrawn story" not in page, url
        assert "Draft story" not in page, url


def test_category_archive_lists_only_that_categorys_posts(client):
    _, blog = make_site()
    research = make_category("Research")
    research.description = "What the studies say."
    research.save()
    make_post(blog, title="Low back pain trial", categories=[research])
    make_post(blog, title="Billing changes", categories=[make_category("Business")])

    response = client.get(f"{blog.url}category/research/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Research</h1>" in page
    assert "What the studies say." in page
    assert "Low back pain trial" in page
    assert "Billing changes" not in page


def test_tag_archive_lists_only_posts_with_that_tag(client):
    _, blog = make_site()
    make_post(blog, title="Desk workers and neck pain", tags=["neck pain"])
    make_post(blog, title="Running injuries", tags=["sport"])

    response = client.get(f"{blog.url}tag/neck-pain/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Tagged “neck pain”" in page
    assert "Desk workers and neck pain" in page
    assert "Running injuries" not in page


def test_author_archive_lists_only_that_authors_posts_with_their_bio(client):
    _, blog = make_site()
    priya = make_author(name="Priya Raman", role="RMT", bio="Twelve years in practice.")
    make_post(blog, title="Direct billing", authors=[priya])
    make_post(blog, title="Someone else's post")

    response = client.get(f"{blog.url}author/priya-raman/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Posts by Priya Raman" in page
    assert "Twelve years in practice." in page
    assert "Direct billing" in page
    assert "Someone else" not in page


def test_archives_are_paginated_too(client):
    _, blog = make_site()
    category = make_category("Research")
    _posts(blog, 10, categories=[category])

    first = client.get(f"{blog.url}category/research/").content.decode()
    second = client.get(f"{blog.url}category/research/", {"page": 2}).content.decode()

    assert "Story 09" in first
    assert "Story 10" not in first
    assert "Story 10" in second
    assert client.get(f"{blog.url}category/research/", {"page": 3}).status_code == 404


@pytest.mark.parametrize("archive", ["category", "tag", "author"])
def test_archive_with_an_unknown_slug_is_not_found(client, archive):
    _, blog = make_site()
    make_post(blog, categories=[make_category("Research")], tags=["pain"])

    response = client.get(f"{blog.url}{archive}/no-such-thing/")

    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()
