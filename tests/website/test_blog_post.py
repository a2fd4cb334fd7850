from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.files.storage import default_storage

from .factories import make_author, make_category, make_comment, make_image, make_post, make_site

pytestmark = pytest.mark.django_db


def test_post_ends_with_author_box_and_latest_posts_by_that_author(client):
    _, blog = make_site()
    author = make_author(
        name="Priya Raman",
        role="RMT",
        organisation="Harbour Clinic",
        bio="Twelve years in practice.",
    )
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


def _body_of(words: int) -> list:
    return [("paragraph", "<p>" + "word " * words + "</p>")]


@pytest.mark.parametrize(
    ("body_words", "minutes"),
    [(10, 1), (438, 2), (439, 3), (658, 3), (659, 4)],
)
def test_post_shows_its_reading_time_at_220_words_a_minute(client, body_words, minutes):
    _, blog = make_site()
    post = make_post(blog, intro="Why now.", body=_body_of(body_words))  # the intro adds two words

    page = client.get(post.url).content.decode()

    assert f"· {minutes} minute read" in page


def test_post_shows_its_hero_image_with_the_photo_credit(client):
    _, blog = make_site()
    image = make_image(title="Treatment room", credit="Jo Lens / Harbour Clinic")
    post = make_post(blog, hero_image=image)

    page = client.get(post.url).content.decode()

    hero = BeautifulSoup(page, "html.parser").find("figure", class_="post__hero")
    assert hero.find("img") is not None
    assert "Jo Lens / Harbour Clinic" in hero.find("figcaption").get_text()


def test_post_without_a_credit_shows_no_empty_credit_line(client):
    _, blog = make_site()
    post = make_post(blog, hero_image=make_image(credit=""))

    page = client.get(post.url).content.decode()

    hero = BeautifulSoup(page, "html.parser").find("figure", class_="post__hero")
    assert hero.find("img") is not None
    assert hero.find("figcaption") is None


def test_post_links_to_its_category_and_tag_archives(client):
    _, blog = make_site()
    post = make_post(blog, categories=[make_category("Research")], tags=["neck pain", "desk work"])

    page = client.get(post.url).content.decode()

    assert f'<a href="{blog.url}category/research/">Research</a>' in page
    assert f'href="{blog.url}tag/neck-pain/">neck pain</a>' in page
    assert f'href="{blog.url}tag/desk-work/">desk work</a>' in page
    assert client.get(f"{blog.url}category/research/").status_code == 200
    assert client.get(f"{blog.url}tag/neck-pain/").status_code == 200


def _meta(page: str) -> dict[str, str]:
    soup = BeautifulSoup(page, "html.parser")
    tags = {
        tag.get("property") or tag.get("name"): tag.get("content") for tag in soup.find_all("meta")
    }
    tags["canonical"] = soup.find("link", rel="canonical")["href"]
    return tags


def test_post_has_canonical_opengraph_and_twitter_tags(client):
    _, blog = make_site()
    post = make_post(blog, title="Direct billing", intro="What changes for clinics in the spring.")

    meta = _meta(client.get(post.url).content.decode())

    assert meta["canonical"] == f"http://localhost{post.url}"
    assert meta["og:url"] == meta["canonical"]
    assert meta["og:type"] == "article"
    assert meta["og:title"] == "Direct billing"
    assert meta["og:description"] == "What changes for clinics in the spring."
    assert meta["description"] == "What changes for clinics in the spring."
    assert meta["og:site_name"] == "Tide Massage Therapists' Association"
    assert meta["article:published_time"] == post.date.isoformat()
    assert meta["twitter:card"] == "summary"
    assert meta["twitter:title"] == "Direct billing"
    assert meta["twitter:description"] == "What changes for clinics in the spring."
    assert "og:image" not in meta


def test_post_shares_its_hero_image_as_an_absolute_url_and_a_large_card(client):
    _, blog = make_site()
    post = make_post(blog, hero_image=make_image())

    meta = _meta(client.get(post.url).content.decode())

    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image"].startswith("http://testserver/media/images/")
    assert meta["twitter:image"] == meta["og:image"]
    assert default_storage.exists(meta["og:image"].removeprefix("http://testserver/media/"))


def test_seo_title_and_search_description_override_the_shared_title_and_text(client):
    _, blog = make_site()
    post = make_post(
        blog,
        title="Direct billing",
        seo_title="Direct billing in 2025",
        search_description="Short summary.",
    )

    meta = _meta(client.get(post.url).content.decode())

    assert meta["og:title"] == "Direct billing in 2025"
    assert meta["og:description"] == "Short summary."
