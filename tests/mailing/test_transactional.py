"""The one transactional sender, against a real SMTP server on loopback."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from tide.mailing.transactional import email_send_template

pytestmark = pytest.mark.django_db


def test_message_arrives_over_smtp_with_text_html_and_the_association_footer(
    smtp_inbox, association, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email_send_template(
            "website/email/comment_awaiting_review",
            to="author@example.com",
            context={
                "author": {"name": "Priya"},
                "post": {"title": "Direct billing & you"},
                "comment": {"name": "Sam", "body": "Is there a <template>?"},
            },
        )

    [(recipients, message)] = smtp_inbox.messages
    assert recipients == ["author@example.com"]
    assert message["Subject"].strip() == "A comment on “Direct billing & you” awaits review"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Is there a <template>?" in text
    assert "Is there a &lt;template&gt;?" in html
    for part in (text, html):
        assert "Harbour RMT Association" in part
        assert "1 Pier Road, Halifax NS, B3H 1A1" in part


def test_nothing_is_sent_when_the_transaction_rolls_back(
    smtp_inbox, association, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        email_send_template(
            "website/email/comment_awaiting_review",
            to="author@example.com",
            context={"author": {}, "post": {"title": "x"}, "comment": {"body": "y"}},
        )
        raise RuntimeError("the action failed half-way")

    assert smtp_inbox.messages == []


@pytest.mark.parametrize(
    "to", ["victim@example.com\r\nBcc: everyone@example.com", "a@example.com\nX: y"]
)
def test_line_breaks_in_a_header_value_are_refused(to, association):
    with pytest.raises(ValidationError):
        email_send_template(
            "website/email/comment_awaiting_review", to=to, context={"post": {}, "comment": {}}
        )
