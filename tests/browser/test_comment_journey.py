"""A visitor comments on a post, staff approve it in the back office, the visitor sees it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, TOTP_SECRET, make_user
from tests.website.factories import make_author, make_post, make_site
from tide.website.models import Comment

from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("wagtail_tree"),
]


def test_visitor_comments_staff_approve_visitor_sees_it(live_server, new_page):
    _, blog = make_site()
    author = make_author(
        name="Priya Raman", role="Registered Massage Therapist", bio="Twelve years in practice."
    )
    make_post(blog, authors=[author], title="Five habits that protect your hands")
    make_post(blog, authors=[author], title="Why direct billing matters")
    make_user("admin@example.com", staff=True, superuser=True, mfa=True)
    url = live_server.url

    # A visitor opens the blog from the home page and reads a post.
    visitor = new_page()
    visitor.goto(url + "/")
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Blog").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Blog")
    visitor.get_by_role("link", name="Why direct billing matters").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Why direct billing matters")
    post_url = visitor.url

    # The author box links to all the author's posts.
    visitor.get_by_role("link", name=re.compile(r"see all\s+posts by Priya Raman")).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Posts by Priya Raman")
    expect(visitor.get_by_role("link", name="Five habits that protect your hands")).to_be_visible()
    visitor.go_back()
    expect(visitor).to_have_url(post_url)

    # The visitor leaves a comment; it waits for review.
    form = visitor.locator("#comment-form")
    form.get_by_label("Name").fill("Dana K.")
    form.get_by_label("Email").fill("dana@example.com")
    form.get_by_label("Comment", exact=True).fill(
        "This helped me set up direct billing in one afternoon."
    )
    form.get_by_role("button", name="Post comment").click()
    expect(visitor.get_by_role("status")).to_contain_text("will appear once our staff have read it")
    expect(visitor.locator(".comment-list")).to_have_count(0)
    assert Comment.objects.get().status == Comment.Status.PENDING

    # Staff log in with password and authenticator code, and approve it in the queue.
    staff = new_page()
    log_in(
        staff,
        url,
        "admin@example.com",
        PASSWORD,
        totp_secret=TOTP_SECRET,
        next_url="/admin/comments/",
    )
    expect(staff).to_have_url(re.compile(r"/admin/comments/$"))
    row = staff.get_by_role("row").filter(has_text="Dana K.")
    expect(row).to_contain_text("This helped me set up direct billing")
    row.get_by_role("button", name=re.compile(r"^Approve")).click()
    expect(staff.get_by_text("Comment by Dana K. approved.")).to_be_visible()
    assert Comment.objects.get().status == Comment.Status.APPROVED

    # The visitor reloads the post and now sees the comment.
    visitor.goto(post_url)
    comment = visitor.locator(".comment-list .comment")
    expect(comment).to_have_count(1)
    expect(comment).to_contain_text("Dana K.")
    expect(comment).to_contain_text("This helped me set up direct billing in one afternoon.")
    expect(visitor.get_by_role("heading", name="1 comment")).to_be_visible()


def test_staff_without_mfa_is_sent_to_set_up_two_factor(live_server, page):
    make_site()
    make_user("clerk@example.com", staff=True, first_name="Cleo")

    log_in(page, live_server.url, "clerk@example.com", PASSWORD, next_url="/admin/")

    # The back office does not open; the staff member is told why and sent to set up TOTP.
    # allauth asks for the password once more before a second factor can be added.
    expect(page.get_by_text("Staff accounts need two-factor authentication")).to_be_visible()
    expect(page).to_have_url(
        re.compile(r"/accounts/reauthenticate/\?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F")
    )
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Authenticator App", re.I))
    expect(page.get_by_label("Authenticator code")).to_be_visible()

    # Until TOTP is active the back office keeps sending them back here.
    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
