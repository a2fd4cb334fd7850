from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tide.website.models import Comment

from .factories import make_comment, make_post, make_site

pytestmark = pytest.mark.django_db

QUEUE = reverse("website_comments")


def _action(comment: Comment, action: str) -> str:
    return reverse("website_comment_moderate", args=[comment.pk, action])


@pytest.fixture
def post(db):
    _, blog = make_site()
    return make_post(blog, title="Direct billing")


@pytest.fixture
def pending(post) -> Comment:
    return make_comment(post, name="Sam Visitor", body="Is this covered by my plan?")


# --- Who may open the queue -------------------------------------------------------------


def test_visitor_opening_the_queue_is_sent_to_log_in(client, pending):
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "Is this covered" not in response.content.decode()


def test_member_who_is_not_staff_is_kept_out_of_the_queue(client, member, pending):
    client.force_login(member)

    response = client.get(QUEUE)

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert not response["Location"].startswith(QUEUE)
    assert "Is this covered" not in response.content.decode()


def test_staff_without_the_comment_permission_is_forbidden(
    client, staff_without_permission, pending
):
    client.force_login(staff_without_permission)

    response = client.get(QUEUE)

    assert response.status_code == 403
    assert "Is this covered" not in response.content.decode()


def test_moderator_sees_pending_comments_in_the_queue(client, moderator, pending):
    make_comment(pending.post, status=Comment.Status.APPROVED, body="Already approved words.")
    client.force_login(moderator)

    response = client.get(QUEUE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Sam Visitor" in page
    assert "Is this covered by my plan?" in page
    assert "Direct billing" in page
    assert "Already approved words." not in page


def test_moderator_can_list_approved_and_spam_comments(client, moderator, post):
    make_comment(post, status=Comment.Status.APPROVED, body="Approved words.")
    make_comment(post, status=Comment.Status.SPAM, body="Spammy words.")
    client.force_login(moderator)

    approved = client.get(QUEUE, {"status": "approved"}).content.decode()
    spam = client.get(QUEUE, {"status": "spam"}).content.decode()

    assert "Approved words." in approved
    assert "Spammy words." not in approved
    assert "Spammy words." in spam


def test_html_in_a_comment_is_shown_as_text_in_the_queue(client, moderator, post):
    make_comment(post, body="<img src=x onerror=alert(1)>")
    client.force_login(moderator)

    page = client.get(QUEUE).content.decode()

    assert "<img src=x onerror" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_superuser_sees_the_queue(client, superuser, pending):
    client.force_login(superuser)

    assert client.get(QUEUE).status_code == 200


# --- Who may act ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "spam", "delete"])
def test_visitor_cannot_moderate(client, pending, action):
    response = client.post(_action(pending, action))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


@pytest.mark.parametrize("action", ["approve", "spam", "delete"])
def test_member_cannot_moderate(client, member, pending, action):
    client.force_login(member)

    response = client.post(_action(pending, action))

    assert response.status_code in (302, 403)
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


@pytest.mark.parametrize("action", ["approve", "spam", "delete"])
def test_staff_without_the_permission_cannot_moderate(
    client, staff_without_permission, pending, action
):
    client.force_login(staff_without_permission)

    response = client.post(_action(pending, action))

    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING
    assert not ModelLogEntry.objects.filter(action__startswith="tide.comment.").exists()


# --- What the actions do ----------------------------------------------------------------


def test_approving_a_comment_shows_it_on_the_post(client, moderator, pending):
    client.force_login(moderator)

    response = client.post(_action(pending, "approve"))

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED
    assert pending.moderated_by == moderator
    assert pending.moderated_at is not None
    assert "Comment by Sam Visitor approved." in client.get(QUEUE).content.decode()
    client.logout()
    page = client.get(pending.post.url).content.decode()
    assert "Is this covered by my plan?" in page
    assert "1 comment" in page


def test_marking_an_approved_comment_as_spam_hides_it(client, moderator, post):
    comment = make_comment(post, status=Comment.Status.APPROVED, body="Cheap watches here.")
    client.force_login(moderator)

    response = client.post(_action(comment, "spam"))

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    client.logout()
    assert "Cheap watches here." not in client.get(post.url).content.decode()


def test_deleting_an_approved_comment_removes_it(client, moderator, post):
    comment = make_comment(post, status=Comment.Status.APPROVED, body="Regrettable words.")
    client.force_login(moderator)

    response = client.post(_action(comment, "delete"))

    assert response.status_code == 302
    assert not Comment.objects.filter(pk=comment.pk).exists()
    client.logout()
    assert "Regrettable words." not in client.get(post.url).content.decode()


def test_action_returns_to_the_tab_the_moderator_was_on(client, moderator, pending):
    client.force_login(moderator)

    response = client.post(_action(pending, "spam"), {"next": f"{QUEUE}?status=approved"})

    assert response["Location"] == f"{QUEUE}?status=approved"


def test_action_never_redirects_to_another_site(client, moderator, pending):
    client.force_login(moderator)

    response = client.post(_action(pending, "approve"), {"next": "https://evil.example/phish"})

    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


@pytest.mark.parametrize("action", ["approve", "spam", "delete"])
def test_action_by_get_is_not_allowed_and_changes_nothing(client, moderator, pending, action):
    client.force_login(moderator)

    response = client.get(_action(pending, action))

    assert response.status_code == 405
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


def test_unknown_action_is_refused(client, moderator, pending):
    client.force_login(moderator)

    response = client.post(_action(pending, "publish"))

    assert response.status_code in (400, 404)
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING
    assert not ModelLogEntry.objects.filter(action__startswith="tide.comment.").exists()


def test_action_on_a_comment_that_does_not_exist_is_not_found(client, moderator):
    client.force_login(moderator)

    response = client.post(reverse("website_comment_moderate", args=[999_999, "approve"]))

    assert response.status_code == 404


def test_moderation_needs_a_csrf_token(moderator, pending):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)

    response = client.post(_action(pending, "approve"))

    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


@pytest.mark.parametrize("action", ["approve", "spam", "delete"])
def test_each_action_is_logged_with_the_moderator(client, moderator, pending, action):
    client.force_login(moderator)

    client.post(_action(pending, action))

    entry = ModelLogEntry.objects.get(action=f"tide.comment.{action}")
    assert entry.user == moderator
    assert entry.object_id == str(pending.pk)
    assert "Sam Visitor" in entry.label


def test_moderator_without_the_delete_permission_cannot_delete(client, post):
    from django.contrib.auth.models import Permission

    from tests.conftest import make_user

    user = make_user("approver@example.com", staff=True, mfa=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "change_comment"])
    )
    comment = make_comment(post, body="Keep me.")
    client.force_login(user)

    response = client.post(_action(comment, "delete"))

    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert not ModelLogEntry.objects.filter(action="tide.comment.delete").exists()
