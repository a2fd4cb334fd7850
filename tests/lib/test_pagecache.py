from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.website.factories import make_comment, make_post, make_site
from tide.association.models import AssociationSettings
from tide.lib.pagecache import page_cache_clear
from tide.mailing.models import MailingSettings
from tide.website.models import Comment
from tide.website.services import comment_approve

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def blog(db):
    _, blog = make_site()
    # The first page ever shown creates the settings rows, which clears the cache once.
    AssociationSettings.load()
    MailingSettings.load()
    return blog


def test_anonymous_second_visit_is_served_from_the_cache(client, blog):
    first = client.get("/")
    second = client.get("/")

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == "text/html; charset=utf-8"


def test_cached_page_keeps_the_security_headers(client, blog):
    miss = client.get("/")
    hit = client.get("/")

    assert hit["X-Page-Cache"] == "hit"
    assert "default-src 'self'" in hit["Content-Security-Policy"]
    for header in [
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ]:
        assert hit[header] == miss[header], header
    assert "Cookie" in hit["Vary"]


def test_each_page_address_is_cached_on_its_own(client, blog):
    make_post(blog, title="Direct billing")
    client.get("/")

    response = client.get(blog.url)

    assert response["X-Page-Cache"] == "miss"
    assert "Direct billing" in response.content.decode()


def test_signed_in_member_never_gets_a_cached_page(client, blog, member):
    Client().get("/")  # a visitor fills the cache
    client.force_login(member)

    first = client.get("/")
    second = client.get("/")

    assert "X-Page-Cache" not in first
    assert "X-Page-Cache" not in second
    assert "My account" in second.content.decode()
    assert 'href="/accounts/login/"' not in second.content.decode()


def test_visitor_never_gets_a_page_rendered_for_a_member(client, blog, member):
    member_client = Client()
    member_client.force_login(member)
    member_client.get("/")
    member_client.get("/")

    page = client.get("/").content.decode()

    assert "My account" not in page
    assert 'href="/accounts/login/"' in page


def test_not_found_pages_and_posts_are_not_cached(client, blog):
    client.get("/no-such-page/")
    assert client.get("/no-such-page/").get("X-Page-Cache") is None

    post = make_post(blog)
    client.post(f"{post.url}comment/", {"name": "", "email": "", "body": ""})
    assert (
        client.post(f"{post.url}comment/", {"name": "", "email": "", "body": ""}).get(
            "X-Page-Cache"
        )
        is None
    )


def test_publishing_a_post_shows_it_at_once(client, blog):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"

    make_post(blog, title="Fresh news")

    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Fresh news" in response.content.decode()


def test_unpublishing_a_post_removes_it_at_once(client, blog):
    post = make_post(blog, title="Withdrawn news")
    client.get("/")
    assert "Withdrawn news" in client.get("/").content.decode()

    post.unpublish()

    assert "Withdrawn news" not in client.get("/").content.decode()


def test_approving_a_comment_shows_it_at_once(
    client, blog, moderator, django_capture_on_commit_callbacks
):
    post = make_post(blog)
    comment = make_comment(post, body="Thanks for the clear explanation.")
    client.get(post.url)
    assert client.get(post.url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=comment, by=moderator)

    response = client.get(post.url)
    assert response["X-Page-Cache"] == "miss"
    assert "Thanks for the clear explanation." in response.content.decode()


def test_comment_published_at_once_shows_on_the_next_visit(
    client, blog, django_capture_on_commit_callbacks
):
    post = make_post(blog)
    make_comment(post, status=Comment.Status.APPROVED, email="sam@example.com")
    client.get(post.url)
    assert client.get(post.url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{post.url}comment/",
            {"name": "Sam", "email": "sam@example.com", "body": "Known commenter."},
        )

    assert "Known commenter." in client.get(post.url).content.decode()


def test_saving_the_association_settings_shows_the_change_at_once(client, blog):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"

    association = AssociationSettings.load()
    association.name = "Harbour Massage Therapists"
    association.save()

    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Harbour Massage Therapists" in response.content.decode()


def test_page_cache_clear_makes_every_page_stale(client, blog):
    for url in ["/", blog.url]:
        client.get(url)
    page_cache_clear()
    page_cache_clear()

    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get(blog.url)["X-Page-Cache"] == "miss"


def _comment_form(page: str) -> str:
    tokens = CSRF_INPUT.findall(page)
    assert len(tokens) == 1
    return tokens[0]


def test_comment_form_on_a_cached_page_still_works(blog):
    post = make_post(blog)
    client = Client(enforce_csrf_checks=True)
    client.get(post.url)
    cached = client.get(post.url)
    assert cached["X-Page-Cache"] == "hit"
    token = _comment_form(cached.content.decode())
    assert "__TIDE_CSRF_TOKEN__" not in cached.content.decode()
    assert client.cookies["csrftoken"].value

    response = client.post(
        f"{post.url}comment/",
        {
            "name": "Sam",
            "email": "sam@example.com",
            "body": "Posted from a cached page.",
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 302
    assert Comment.objects.filter(body="Posted from a cached page.").exists()


def test_new_visitor_whose_first_page_is_cached_can_comment(blog):
    post = make_post(blog)
    Client().get(post.url)  # someone else filled the cache
    client = Client(enforce_csrf_checks=True)

    page = client.get(post.url)

    assert page["X-Page-Cache"] == "hit"
    assert "csrftoken" in client.cookies
    response = client.post(
        f"{post.url}comment/",
        {
            "name": "Sam",
            "email": "sam@example.com",
            "body": "First visit.",
            "csrfmiddlewaretoken": _comment_form(page.content.decode()),
        },
    )
    assert response.status_code == 302
    assert Comment.objects.filter(body="First visit.").exists()


def test_two_visitors_of_a_cached_page_get_their_own_csrf_cookie(blog):
    post = make_post(blog)
    first, second = Client(), Client()
    first.get(post.url)
    second.get(post.url)

    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_token_from_another_visitors_page_is_refused(blog):
    post = make_post(blog)
    attacker, victim = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    attacker_token = _comment_form(attacker.get(post.url).content.decode())
    victim.get(post.url)

    response = victim.post(
        f"{post.url}comment/",
        {
            "name": "Sam",
            "email": "sam@example.com",
            "body": "Forged.",
            "csrfmiddlewaretoken": attacker_token,
        },
    )

    assert response.status_code == 403
    assert not Comment.objects.exists()
