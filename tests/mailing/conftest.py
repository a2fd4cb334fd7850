"""A real SMTP server on loopback (aiosmtpd), the association's identity, and list helpers."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from tide.association.models import AssociationSettings


class Inbox:
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
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def association(db):
    settings = AssociationSettings.load()
    settings.name = "Harbour RMT Association"
    settings.street_address = "1 Pier Road"
    settings.city = "Halifax"
    settings.province = "NS"
    settings.postal_code = "B3H 1A1"
    settings.email = "hello@harbour.example"
    settings.save()
    return settings


@pytest.fixture(autouse=True)
def _fast_sending(settings):
    settings.MAILING_SEND_RATE = 0
    settings.SITE_URL = "https://harbour.example"
