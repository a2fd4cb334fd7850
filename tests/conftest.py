"""Personas and shared fixtures: a visitor, a member, another member, staff with and without
permission, and a real SMTP server on loopback."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from tide.accounts.models import User

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test gets its own media folder and an empty cache (rate limits, page cache)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def make_user(
    email: str, *, staff: bool = False, superuser: bool = False, mfa: bool = False, **fields
) -> User:
    user = User.objects.create_user(
        email=email, password=PASSWORD, is_staff=staff, is_superuser=superuser, **fields
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    if mfa:
        TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def member(db) -> User:
    return make_user("member@example.com", first_name="Mara", last_name="Member")


@pytest.fixture
def other_member(db) -> User:
    return make_user("other@example.com", first_name="Otto", last_name="Other")


@pytest.fixture
def staff_without_permission(db) -> User:
    """Staff who can open the back office but may not moderate comments."""
    user = make_user("clerk@example.com", staff=True, mfa=True, first_name="Cleo")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def moderator(db) -> User:
    """Staff with the comment permissions (the Moderators group)."""
    user = make_user("moderator@example.com", staff=True, mfa=True, first_name="Mo")
    group, _ = Group.objects.get_or_create(name="Comment moderators")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="website", codename__in=["change_comment", "delete_comment"]
        ),
    )
    user.groups.add(group)
    return user


@pytest.fixture
def superuser(db) -> User:
    return make_user("admin@example.com", staff=True, superuser=True, mfa=True)


def login(client, user: User) -> None:
    """Log in without the MFA step (the MFA flow itself is tested in tests/accounts)."""
    client.force_login(user)


@pytest.fixture
def wagtail_tree(transactional_db) -> None:
    """Wagtail's migrated rows (locale, root page, root collection), which a transactional
    test's flush removes. (Serialized rollback cannot help the browser tests: Playwright's
    greenlet gives them a different database connection object than the one that kept the
    serialized contents.)"""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")


class Inbox:
    """What the loopback SMTP server received: (recipients, parsed message) pairs."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default_policy))
        )
        return "250 OK"

    def to(self, address: str) -> list:
        return [message for recipients, message in self.messages if address in recipients]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on loopback (aiosmtpd); Django's SMTP backend delivers to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    yield inbox
    controller.stop()
