"""Member merge fields in broadcasts: {membership_expiry} and {membership_level}."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.membership.factories import make_level, make_period
from tide.mailing.models import Contact
from tide.mailing.rendering import broadcast_render
from tide.mailing.sending import broadcast_send_batches, broadcast_start

from .factories import make_broadcast, make_list, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsletter():
    return make_list()


def _expiry_broadcast(newsletter):
    return make_broadcast(
        newsletter,
        subject="Your membership, {first_name|friend}",
        body=[
            ("heading", "Hello {first_name|there}"),
            (
                "paragraph",
                "<p>Your {membership_level|} membership runs until "
                "{membership_expiry|the end of your term}.</p>",
            ),
        ],
    )


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_members_see_their_current_period_end_and_others_the_fallback(
    newsletter, member, smtp_inbox, association, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    today = timezone.localdate()
    level = make_level(name="Registered massage therapist")
    make_period(member, level, ends_on=today - timedelta(days=400))  # an old one
    current_end = date(today.year + 1, 3, 31)
    make_period(member, level, starts_on=today - timedelta(days=10), ends_on=current_end)
    subscribe(newsletter, member.email, first_name="Mo", user=member)
    subscribe(newsletter, "reader@example.com", first_name="Rae")
    broadcast = _expiry_broadcast(newsletter)

    broadcast_start(broadcast=broadcast, by=None)
    broadcast_send_batches(broadcast.pk)

    [to_member] = smtp_inbox.to(member.email)
    assert (
        f"Your Registered massage therapist membership runs until 31 March {today.year + 1}."
        in _text(to_member)
    )
    html = to_member.get_body(preferencelist=("html",)).get_content()
    assert f"31 March {today.year + 1}" in html
    [to_reader] = smtp_inbox.to("reader@example.com")
    assert "Your  membership runs until the end of your term." in _text(to_reader)


def test_a_member_who_signed_up_with_the_same_email_gets_their_date(newsletter, member):
    ends_on = timezone.localdate() + timedelta(days=30)
    make_period(member, make_level(), ends_on=ends_on)
    contact = subscribe(newsletter, member.email)  # the sign-up form: no link to the account
    rendered = broadcast_render(_expiry_broadcast(newsletter))

    rendered.load_fields([contact])

    assert rendered.values(contact)["membership_expiry"] == ends_on.strftime("%-d %B %Y")


def test_a_lapsed_member_has_no_expiry_date(newsletter, member):
    today = timezone.localdate()
    make_period(member, make_level(), ends_on=today - timedelta(days=1))
    contact = subscribe(newsletter, member.email, user=member)
    rendered = broadcast_render(_expiry_broadcast(newsletter))

    rendered.load_fields([contact])

    assert rendered.values(contact)["membership_expiry"] == ""


def test_member_fields_cost_one_query_per_field_per_batch(
    newsletter, django_assert_num_queries, member, other_member
):
    today = timezone.localdate()
    level = make_level()
    make_period(member, level, ends_on=today + timedelta(days=100))
    make_period(other_member, level, ends_on=today + timedelta(days=200))
    subscribe(newsletter, member.email, user=member)
    subscribe(newsletter, other_member.email, user=other_member)
    for number in range(20):
        subscribe(newsletter, f"reader{number}@example.com")
    contacts = list(Contact.objects.all())
    rendered = broadcast_render(_expiry_broadcast(newsletter))

    with django_assert_num_queries(2):  # expiry and level
        rendered.load_fields(contacts)

    values = [rendered.values(contact)["membership_expiry"] for contact in contacts]
    assert sum(1 for value in values if value) == 2


def test_a_broadcast_without_member_fields_fetches_nothing(newsletter, django_assert_num_queries):
    contact = subscribe(newsletter, "a@example.com")
    rendered = broadcast_render(make_broadcast(newsletter))

    with django_assert_num_queries(0):
        rendered.load_fields([contact])


def test_unknown_braces_are_left_as_written(newsletter):
    contact = subscribe(newsletter, "a@example.com", first_name="Ana")
    broadcast = make_broadcast(
        newsletter, body=[("heading", "Hi {first_name}, {not_a_field} and {this|too} stay")]
    )

    text = broadcast_render(broadcast).message(contact).body

    assert "Hi Ana, {not_a_field} and {this|too} stay" in text
