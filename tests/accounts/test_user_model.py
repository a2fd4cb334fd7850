"""Users are keyed by email; there is no username."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError

from tide.accounts.models import User

pytestmark = pytest.mark.django_db


def test_user_has_no_username():
    with pytest.raises(FieldDoesNotExist):
        User._meta.get_field("username")
    assert User.USERNAME_FIELD == "email"
    assert User.REQUIRED_FIELDS == []


def test_create_user_lower_cases_the_whole_email():
    user = User.objects.create_user(
        email="Mara.Member@Example.COM", password="a long enough password"
    )

    assert user.email == "mara.member@example.com"
    assert user.check_password("a long enough password")
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.can_open_back_office


def test_same_email_in_other_case_cannot_be_registered_twice():
    User.objects.create_user(email="mara@example.com", password="x" * 12)

    with pytest.raises(IntegrityError):
        User.objects.create_user(email="MARA@example.com", password="x" * 12)


def test_create_user_refuses_an_empty_email():
    with pytest.raises(ValueError):
        User.objects.create_user(email="", password="x" * 12)


def test_create_superuser_makes_staff_superuser_who_can_open_back_office():
    user = User.objects.create_superuser(
        email="Admin@Example.com", password="a long enough password"
    )

    assert user.email == "admin@example.com"
    assert user.is_staff
    assert user.is_superuser
    assert user.is_active
    assert user.can_open_back_office
    assert user.check_password("a long enough password")


def test_user_is_shown_by_name_or_else_email():
    assert str(User(email="a@example.com", first_name="Ann", last_name="Archer")) == "Ann Archer"
    assert str(User(email="a@example.com")) == "a@example.com"


def test_createsuperuser_command_works_without_a_username(monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough password")
    call_command("createsuperuser", "--noinput", "--email", "Root@Example.com", verbosity=0)

    user = User.objects.get(email="root@example.com")
    assert user.is_superuser
