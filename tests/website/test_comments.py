from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tide.website.models import Comment

from .factories import make_author, make_comment, make_post, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(db):
    _, blog = make_site()
    author = make_author(name="Priya Raman", email="priya@example.com")
    return make_post(blog, title="Direct billing", authors=[author])


def _form(**fields) -> dict:
    return {
        "name": "Sam Visitor",
        "email": "sam@example.com",
        "body": "Very helpful, thank you.",
        "website": "",
    } | fields


def _comment(client, post, **fields):
    return client.post(f"{post.url}comment/", _form(**fields))


def test_new_comment_waits_for_review_and_says_so(client, post, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _comment(client, post)

    assert response.status_code == 302
    assert response["Location"] == f"{post.url}?comment=received#comment-form"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.name == "Sam Visitor"
    assert comment.ip_address == "127.0.0.1"
    page = client.get(response["Location"]).content.decode()
    assert "Your comment was received and will appear once our staff have read it." in page
    assert "Very helpful, thank you." not in page
    assert "0 comments" in page


def test_post_author_is_emailed_about_a_comment_awaiting_review(
    client, post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _comment(client, post)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["priya@example.com"]
    assert message.subject == "A comment on “Direct billing” awaits review"
    assert "Sam Visitor left a comment on your post “Direct billing”:" in message.body
    assert "Very helpful, thank you." in message.body
    assert "/admin/comments/" in message.body


def test_author_without_an_email_is_not_emailed_but_the_comment_is_kept(
    client, django_capture_on_commit_callbacks
):
    _, blog = make_site()
    post = make_post(blog, authors=[make_author(email="")])

    with django_capture_on_commit_callbacks(execute=True):
        response = _comment(client, post)

    assert response.status_code == 302
    assert Comment.objects.count() == 1
    assert mail.outbox == []


def test_comment_from_someone_with_an_approved_comment_is_published_at_once(
    client, post, django_capture_on_commit_callbacks
):
    earlier = make_post(post.get_parent().specific, title="Earlier post")
    make_comment(
        earlier, status=Comment.Status.APPROVED, email="sam@example.com", body="First words."
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = _comment(client, post, email="SAM@example.com", body="Back again.")

    comment = Comment.objects.get(body="Back again.")
    assert comment.status == Comment.Status.APPROVED
    assert response["Location"] == f"{post.url}?comment=published#comment-{comment.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Your comment is published." in page
    assert "Back again." in page
    assert mail.outbox == []


def test_someone_whose_comment_was_marked_spam_still_waits_for_review(client, post):
    make_comment(post, status=Comment.Status.SPAM, email="sam@example.com", body="Buy pills")

    _comment(client, post, body="A real question.")

    assert Comment.objects.get(body="A real question.").status == Comment.Status.PENDING


def test_filled_honeypot_looks_like_success_but_stores_nothing(
    client, post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _comment(client, post, website="http://spam.example")

    assert response.status_code == 302
    assert response["Location"] == f"{post.url}?comment=received#comment-form"
    assert Comment.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize("field", ["name", "email", "body"])
def test_empty_field_is_refused_with_the_message_next_to_it(client, post, field):
    response = _comment(client, post, **{field: ""})

    page = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="field__error" id="id_{field}_error">This field is required.</p>' in page
    assert Comment.objects.count() == 0


def test_blank_comment_of_only_spaces_is_refused(client, post):
    response = _comment(client, post, name="   ", body=" \n\t ")

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_name_error"' in page
    assert 'id="id_body_error"' in page
    assert Comment.objects.count() == 0


def test_comment_longer_than_5000_characters_is_refused(client, post):
    response = _comment(client, post, body="x" * 5001)

    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "Ensure this value has at most 5000 characters (it has 5001)."
        in page.split('id="id_body_error"')[1]
    )
    assert Comment.objects.count() == 0


def test_comment_of_exactly_5000_characters_is_accepted(client, post):
    response = _comment(client, post, body="x" * 5000)

    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_bad_email_is_refused_and_what_was_typed_is_kept(client, post):
    response = _comment(client, post, email="not-an-email", body="Keep these words.")

    page = response.content.decode()
    assert response.status_code == 400
    assert '<p class="field__error" id="id_email_error">Enter a valid email address.</p>' in page
    assert "Keep these words." in page
    assert 'value="not-an-email"' in page
    assert Comment.objects.count() == 0


def test_email_with_a_line_break_is_refused(client, post, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _comment(client, post, email="sam@example.com\r\nBcc: everyone@example.com")

    assert response.status_code == 400
    assert Comment.objects.count() == 0
    assert mail.outbox == []


def test_submitting_the_same_comment_twice_stores_it_once_and_emails_once(
    client, post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _comment(client, post)
        second = _comment(
            client, post, email="Sam@Example.com ", body="  Very helpful,   thank you. "
        )

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Comment.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_same_words_on_another_post_are_a_new_comment(client, post):
    other = make_post(post.get_parent().specific, title="Another post")

    _comment(client, post)
    _comment(client, other)

    assert Comment.objects.count() == 2


def test_sixth_comment_in_ten_minutes_from_one_address_is_refused_with_429(client, post):
    for n in range(5):
        assert _comment(client, post, body=f"Comment {n}").status_code == 302

    response = _comment(client, post, body="One too many")

    assert response.status_code == 429
    assert (
        "You have posted several comments in a short time. Please wait a few minutes and try again."
        in response.content.decode()
    )
    assert Comment.objects.count() == 5
    assert not Comment.objects.filter(body="One too many").exists()


def test_rate_limit_is_per_address(client, post):
    for n in range(6):
        _comment(client, post, body=f"Comment {n}")

    response = Client(REMOTE_ADDR="203.0.113.9").post(
        f"{post.url}comment/", _form(body="From elsewhere")
    )

    assert response.status_code == 302
    assert Comment.objects.filter(body="From elsewhere").exists()


def test_html_in_a_comment_is_shown_as_text(client, post):
    make_comment(post, status=Comment.Status.APPROVED, email="sam@example.com", body="Earlier.")
    _comment(
        client, post, body='<b onmouseover="steal()">bold</b> <a href="javascript:x()">link</a>'
    )

    page = client.get(post.url).content.decode()

    assert "<b onmouseover" not in page
    assert 'href="javascript:' not in page
    assert "&lt;b onmouseover=&quot;steal()&quot;&gt;bold&lt;/b&gt;" in page


def test_html_in_a_comment_is_escaped_in_the_html_email_to_the_author(
    client, post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _comment(client, post, body="<script>alert(1)</script>")

    html, _ = mail.outbox[0].alternatives[0]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_commenting_on_a_closed_post_is_forbidden(client, post, django_capture_on_commit_callbacks):
    post.comments_open = False
    post.save_revision().publish()

    with django_capture_on_commit_callbacks(execute=True):
        response = _comment(client, post)

    assert response.status_code == 403
    assert "Comments are closed on this post." in response.content.decode()
    assert Comment.objects.count() == 0
    assert mail.outbox == []


def test_closed_post_shows_no_comment_form(client, post):
    post.comments_open = False
    post.save_revision().publish()

    page = client.get(post.url).content.decode()

    assert "Comments are closed on this post." in page
    assert "Leave a comment" not in page


def test_opening_the_comment_address_redirects_to_the_post(client, post):
    response = client.get(f"{post.url}comment/")

    assert response.status_code == 302
    assert response["Location"] == post.url


def test_comment_without_a_csrf_token_is_refused(post):
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"{post.url}comment/", _form())

    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_comment_with_the_csrf_token_from_the_page_is_accepted(post):
    client = Client(enforce_csrf_checks=True)
    client.get(post.url)
    token = client.cookies["csrftoken"].value

    response = client.post(f"{post.url}comment/", _form(csrfmiddlewaretoken=token))

    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_signed_in_members_find_their_name_and_email_filled_in(client, post, member):
    client.force_login(member)

    page = client.get(post.url).content.decode()

    assert 'value="Mara Member"' in page
    assert 'value="member@example.com"' in page


def test_signed_in_members_comment_is_linked_to_their_account(client, post, member):
    client.force_login(member)

    _comment(client, post, name="Mara Member", email="member@example.com")

    assert Comment.objects.get().user == member
