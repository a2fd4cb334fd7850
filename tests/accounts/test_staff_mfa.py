"""Staff need a second factor before the back office opens."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.conftest import PASSWORD, TOTP_SECRET, login, make_user

pytestmark = pytest.mark.django_db

ACTIVATE_URL = reverse("mfa_activate_totp")


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def wrong_code(secret: str) -> str:
    return "000000" if totp_code(secret) != "000000" else "111111"


def make_clerk_without_mfa():
    user = make_user("newclerk@example.com", staff=True, first_name="Nia")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def log_in(client, email: str):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def open_activation_page(client):
    """allauth asks for the password once more before a second factor can be added."""
    response = client.get(ACTIVATE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    confirmed = client.post(response["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == ACTIVATE_URL
    return client.get(ACTIVATE_URL)


def secret_shown_on(page) -> str:
    html = page.content.decode()
    [field] = re.findall(r'<input[^>]*id="authenticator_secret"[^>]*>', html)
    [secret] = re.findall(r'value="([A-Z2-7]+)"', field)
    return secret


@pytest.mark.parametrize(
    "path", ["/admin/", "/django-admin/", "/admin/pages/", "/django-admin/accounts/user/"]
)
def test_staff_without_two_factor_is_sent_to_set_it_up(client, db, path):
    login(client, make_clerk_without_mfa())

    response = client.get(path, follow=True)

    assert response.redirect_chain[0] == (ACTIVATE_URL, 302)
    assert "Staff accounts need two-factor authentication." in response.content.decode()


def test_superuser_without_two_factor_is_sent_to_set_it_up_too(client, db):
    login(client, make_user("boss@example.com", staff=True, superuser=True))

    response = client.get("/django-admin/")

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_URL


def test_staff_who_activates_an_authenticator_app_can_open_the_back_office(client, db):
    make_clerk_without_mfa()
    assert log_in(client, "newclerk@example.com").status_code == 302
    assert client.get("/admin/")["Location"] == ACTIVATE_URL

    page = open_activation_page(client)
    assert page.status_code == 200
    assert "Activate Authenticator App" in page.content.decode()
    response = client.post(ACTIVATE_URL, {"code": totp_code(secret_shown_on(page))})

    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user__email="newclerk@example.com", type=Authenticator.Type.TOTP
    ).exists()
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_does_not_activate_the_authenticator(client, db):
    make_clerk_without_mfa()
    log_in(client, "newclerk@example.com")
    page = open_activation_page(client)

    response = client.post(ACTIVATE_URL, {"code": wrong_code(secret_shown_on(page))})

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert not Authenticator.objects.exists()
    assert client.get("/admin/")["Location"] == ACTIVATE_URL


def test_staff_with_an_authenticator_must_give_the_code_before_the_back_office_opens(
    client, staff_without_permission
):
    response = log_in(client, "clerk@example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Half-way through: not logged in yet, so the back office sends them to the login page.
    halfway = client.get("/admin/")
    assert halfway.status_code == 302
    assert halfway["Location"].startswith(reverse("account_login"))

    code_page = client.get(reverse("mfa_authenticate"))
    assert code_page.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(TOTP_SECRET)})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_code_on_the_second_step_keeps_the_back_office_closed(
    client, staff_without_permission
):
    log_in(client, "clerk@example.com")

    response = client.post(reverse("mfa_authenticate"), {"code": wrong_code(TOTP_SECRET)})

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert client.get("/admin/")["Location"].startswith(reverse("account_login"))


def test_member_opens_their_settings_without_two_factor(client, member):
    assert log_in(client, "member@example.com")["Location"] == reverse("accounts:settings")

    response = client.get(reverse("accounts:settings"))

    assert response.status_code == 200
    assert "Two-factor authentication is off." in response.content.decode()


def test_member_is_not_asked_for_two_factor_at_the_back_office_door(client, member):
    login(client, member)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] != ACTIVATE_URL


def test_staff_without_two_factor_can_still_use_the_public_site_and_settings(client, db):
    login(client, make_clerk_without_mfa())

    page = client.get(reverse("accounts:settings")).content.decode()

    assert "Staff must turn it on before using the back office." in page


@pytest.mark.parametrize("login_url", ["/admin/login/", "/django-admin/login/"])
def test_back_office_login_forms_cannot_skip_the_code(client, staff_without_permission, login_url):
    response = client.post(
        f"{login_url}?next=/admin/", {"username": "clerk@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/admin/"
    assert client.get("/admin/").status_code == 302
    assert client.get("/django-admin/").status_code == 302


@pytest.mark.parametrize("login_url", ["/admin/login/", "/django-admin/login/"])
def test_back_office_login_pages_send_staff_to_the_two_step_login(client, db, login_url):
    response = client.get(login_url)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")


def test_superuser_with_an_authenticator_opens_django_admin(client, superuser):
    login(client, superuser)

    assert client.get("/django-admin/").status_code == 200


def test_staff_who_may_not_use_django_admin_get_a_refusal_not_a_redirect_loop(
    client, staff_without_permission
):
    login(client, staff_without_permission)

    response = client.get("/django-admin/", follow=True)

    assert response.status_code == 403
    assert len(response.redirect_chain) == 1


def test_an_editor_given_back_office_access_by_group_must_set_up_two_factor(client, db):
    from django.contrib.auth.models import Group, Permission

    editor = make_user("editor@example.com")  # not is_staff: access comes from the group
    group = Group.objects.create(name="Web editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)
    client.force_login(editor)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
