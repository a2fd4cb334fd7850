"""The contact relay: a patient's message reaches the therapist by email, Reply-To the patient."""

from __future__ import annotations

import pytest

from tide.directory.models import ContactMessage, MonthlyReferrals

from .factories import make_listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(db):
    return make_listed(name="Amélie Tremblay", email="amelie@example.com")


def message(**fields) -> dict:
    return {
        "name": "Sam Patient",
        "email": "sam@example.net",
        "preferred_time": "Weekday mornings",
        "body": "Do you see patients in their third trimester?",
        "website": "",
        **fields,
    }


def send(client, listing, **fields):
    return client.post(f"{listing.get_absolute_url()}contact/", message(**fields))


def test_the_message_arrives_over_smtp_with_reply_to_the_patient(
    client, listing, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, listing)
    assert response.status_code == 302
    [(recipients, email)] = smtp_inbox.messages
    assert recipients == ["amelie@example.com"]
    assert email["Reply-To"] == "sam@example.net"
    assert "Sam Patient" in email["Subject"]
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert "Do you see patients in their third trimester?" in text
    assert "Weekday mornings" in text


def test_the_message_is_logged_and_counted(client, listing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, listing)
    logged = ContactMessage.objects.get()
    assert logged.listing == listing
    assert logged.email == "sam@example.net"
    assert len(logged.sender_hash) == 16 and "127.0.0.1" not in logged.sender_hash
    assert MonthlyReferrals.objects.get(listing=listing).messages == 1


def test_the_sender_sees_that_the_message_went(client, listing):
    response = send(client, listing)
    page = client.get(response["Location"])
    assert "Your message was sent to Amélie Tremblay" in page.text


def test_the_honeypot_sends_nothing_but_looks_the_same(client, listing, mailoutbox):
    response = send(client, listing, website="http://spam.example")
    assert response.status_code == 302
    assert mailoutbox == []
    assert not ContactMessage.objects.exists()


def test_script_in_a_message_is_text_in_the_email(
    client, listing, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, listing, name="<script>x</script>", body="<img src=x onerror=alert(1)>")
    [(_, email)] = smtp_inbox.messages
    html = email.get_body(preferencelist=("html",)).get_content()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>x</script>" not in html


@pytest.mark.parametrize("field", ["name", "email", "preferred_time"])
def test_line_breaks_in_header_fields_are_refused(client, listing, mailoutbox, field):
    value = (
        "Sam\r\nBcc: victim@example.com" if field != "email" else "sam@example.net\r\nBcc: x@y.z"
    )
    response = send(client, listing, **{field: value})
    assert response.status_code == 400
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": ""}, "This field is required"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"body": "x" * 3001}, "at most 3000 characters"),
    ],
)
def test_bad_input_gets_a_clear_message(client, listing, fields, error):
    response = send(client, listing, **fields)
    assert response.status_code == 400
    assert error in response.text


def test_too_many_messages_from_one_address_get_a_429(client, listing, mailoutbox):
    for _ in range(5):
        assert send(client, listing).status_code == 302
    response = send(client, listing)
    assert response.status_code == 429
    assert "Too many messages" in response.text
    assert ContactMessage.objects.count() == 5


def test_too_many_messages_to_one_therapist_get_a_429(client, listing):
    for n in range(20):
        ip = f"10.0.0.{n}"
        assert (
            client.post(
                f"{listing.get_absolute_url()}contact/", message(), REMOTE_ADDR=ip
            ).status_code
            == 302
        )
    response = client.post(
        f"{listing.get_absolute_url()}contact/", message(), REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 429


def test_a_lapsed_member_gets_no_messages(client, listing):
    listing.user.membership_periods.all().delete()
    assert send(client, listing).status_code == 404


def test_get_on_the_contact_url_changes_nothing(client, listing):
    assert client.get(f"{listing.get_absolute_url()}contact/").status_code == 405
