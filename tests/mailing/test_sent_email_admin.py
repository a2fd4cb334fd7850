from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def email_folder(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    connection = mail.get_connection()
    mail.EmailMultiAlternatives(
        "Confirm your email",
        "Follow this link: http://x/confirm/abc",
        "from@tide.example",
        ["new@example.com"],
        connection=connection,
    ).send()
    return tmp_path / "mail"


def test_superuser_reads_the_email_folder_in_the_back_office(client, superuser, email_folder):
    client.force_login(superuser)

    listing = client.get(reverse("mailing_sent_email"))

    assert listing.status_code == 200
    assert "Confirm your email" in listing.content.decode()
    assert "new@example.com" in listing.content.decode()
    message_id = listing.context["messages_sent"][0].id
    detail = client.get(reverse("mailing_sent_email_detail", args=[message_id]))
    assert "http://x/confirm/abc" in detail.content.decode()


def test_unknown_message_is_a_404(client, superuser, email_folder):
    client.force_login(superuser)
    assert client.get(reverse("mailing_sent_email_detail", args=["nope-0"])).status_code == 404


def test_staff_who_are_not_superusers_may_not_read_other_peoples_email(
    client, moderator, email_folder
):
    client.force_login(moderator)

    response = client.get(reverse("mailing_sent_email"), follow=True)

    # Wagtail answers a refusal in the back office by going home with a message.
    assert response.redirect_chain[0] == (reverse("wagtailadmin_home"), 302)
    assert "Confirm your email" not in response.content.decode()
    assert "Sorry, you do not have permission" in response.content.decode()


def test_members_and_visitors_are_sent_to_log_in(client, member, email_folder):
    visitor_response = client.get(reverse("mailing_sent_email"))
    assert visitor_response.status_code == 302
    assert "/login/" in visitor_response["Location"]

    client.force_login(member)
    member_response = client.get(reverse("mailing_sent_email"))
    assert member_response.status_code in (302, 403)
    assert "Confirm your email" not in member_response.content.decode()


def test_staff_without_two_factor_are_sent_to_set_it_up(client, email_folder):
    staff = make_user("nomfa@example.com", staff=True, superuser=True)
    client.force_login(staff)

    response = client.get(reverse("mailing_sent_email"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
