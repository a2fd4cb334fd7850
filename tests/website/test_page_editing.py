"""Staff write and publish through Wagtail's editor, and visitors see the result at once."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from tide.website.models import BlogPage

from .factories import make_author, make_site

pytestmark = pytest.mark.django_db


def test_staff_write_and_publish_a_post_that_visitors_see_at_once(client, superuser):
    _, blog = make_site()
    author = make_author(name="Priya Raman")
    assert "Hands that last" not in client.get(blog.url).content.decode()  # now in the page cache
    client.force_login(superuser)

    response = client.post(
        reverse("wagtailadmin_pages:add", args=["website", "blogpage", blog.pk]),
        nested_form_data(
            {
                "title": "Hands that last",
                "slug": "hands-that-last",
                "intro": "Five habits for a long career.",
                "body": streamfield([("paragraph", rich_text("<p>Adjust your table height.</p>"))]),
                "post_authors": inline_formset([{"author": author.pk}], min=1),
                "date": "2026-11-20",
                "comments_open": "on",
                "action-publish": "publish",
            }
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    post = BlogPage.objects.get(slug="hands-that-last")
    assert post.live
    client.logout()
    listing = client.get(blog.url).content.decode()
    assert "Hands that last" in listing
    page = client.get(post.url).content.decode()
    assert "Adjust your table height." in page
    assert "Priya Raman" in page


def test_a_post_without_an_author_is_refused_with_a_message(client, superuser):
    _, blog = make_site()
    client.force_login(superuser)

    response = client.post(
        reverse("wagtailadmin_pages:add", args=["website", "blogpage", blog.pk]),
        nested_form_data(
            {
                "title": "Anonymous",
                "slug": "anonymous",
                "intro": "No author.",
                "body": streamfield([("paragraph", rich_text("<p>Text.</p>"))]),
                "post_authors": inline_formset([], min=1),
                "date": "2026-11-20",
                "action-publish": "publish",
            }
        ),
    )

    assert response.status_code == 200
    assert not BlogPage.objects.filter(slug="anonymous").exists()
    assert "The page could not be created due to validation errors" in response.content.decode()
