from __future__ import annotations

import pytest

from .factories import make_author, make_comment, make_post, make_site

pytestmark = pytest.mark.django_db


def test_post_ends_with_author_box_and_latest_posts_by_that_author(client):
    _, blog = make_site()
    author = make_author(name="Priya Raman", role="RMT", organisation="Harbour Clinic", bio="Twelve years in practice.")
    older = make_post(blog, authors=[author], title="Older thoughts")
    post = make_post(blog, authors=[author], title="Direct billing")

    response = client.get(post.url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "About the author" in page
    assert "Twelve years in practice." in page
    assert "Latest posts by Priya Raman" in page
    assert older.title in page
    assert f'href="{blog.url}author/{author.slug}/"' in page


def test_comment_with_script_is_shown_as_text(client):
    _, blog = make_site()
    post = make_post(blog)
    make_comment(post, status="approved", body='<script>alert("x")</script> hello')

    page = client.get(post.url).content.decode()

    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; hello" in page
