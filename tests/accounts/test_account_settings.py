"""The account settings page: name, email addresses, password and two-factor."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db

URL = reverse("accounts:settings")


def test_visitor_is_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


def test_visitor_cannot_change_a_name_by_posting(client, member):
    response = client.post(URL, {"first_name": "Hacked", "last_name": "Name"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.first_name == "Mara"


def test_member_sees_their_own_emails_and_not_another_members(client, member, other_member):
    EmailAddress.objects.create(user=member, email="mara.work@example.com", verified=False)
    EmailAddress.objects.create(user=other_member, email="otto.private@example.com", verified=True)
    login(client, member)

    page = client.get(URL).content.decode()

    assert "You are signed in as member@example.com" in page
    assert "member@example.com" in page
    assert "mara.work@example.com" in page
    assert "Not verified" in page
    assert "other@example.com" not in page
    assert "otto.private@example.com" not in page


def test_member_saves_first_and_last_name(client, member):
    login(client, member)

    response = client.post(URL, {"first_name": "Marguerite", "last_name": "Leblanc"}, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Your name was saved." in response.content.decode()
    member.refresh_from_db()
    assert (member.first_name, member.last_name) == ("Marguerite", "Leblanc")
    assert 'value="Marguerite"' in response.content.decode()


def test_posted_staff_and_superuser_flags_are_ignored(client, member):
    login(client, member)

    client.post(
        URL,
        {
            "first_name": "Mara",
            "last_name": "Member",
            "is_staff": "on",
            "is_superuser": "on",
            "email": "boss@example.com",
        },
    )

    member.refresh_from_db()
    assert not member.is_staff
    assert not member.is_superuser
    assert member.email == "member@example.com"


def test_saving_the_name_does_not_change_another_member(client, member, other_member):
    login(client, member)

    client.post(
        URL,
        {
            "first_name": "Changed",
            "last_name": "Name",
            "id": other_member.pk,
            "pk": other_member.pk,
        },
    )

    other_member.refresh_from_db()
    assert (other_member.first_name, other_member.last_name) == ("Otto", "Other")


def test_member_without_two_factor_is_told_it_is_off(client, member):
    login(client, member)

    page = client.get(URL).content.decode()

    assert "Two-factor authentication is off." in page
    assert "Staff must turn it on" not in page


def test_settings_page_loads_in_a_few_queries(client, member, django_assert_max_num_queries):
    login(client, member)

    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200
