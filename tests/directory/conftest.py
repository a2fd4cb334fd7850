from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Group, Permission

from tests.conftest import make_user


@pytest.fixture(autouse=True)
def tax_rates(request):
    """Billing's seeded tax rates and our seeded lists, again: a transactional test's flush
    removes migrated rows."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    from importlib import import_module

    from django.apps import apps

    import_module("tide.billing.migrations.0002_seed_tax_rates").seed(apps, None)
    import_module("tide.directory.migrations.0002_seed_modalities_insurers").seed(apps, None)


@pytest.fixture
def directory_staff(db):
    """Staff with the directory permissions (the Directory moderators group)."""
    user = make_user("moderator.directory@example.com", staff=True, mfa=True, first_name="Dee")
    group, _ = Group.objects.get_or_create(name="Directory moderators")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="directory",
            codename__in=["change_listing", "view_contactmessage"],
        ),
    )
    user.groups.add(group)
    return user


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default_policy))
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on loopback; Django's SMTP backend delivers to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    yield inbox
    controller.stop()
