"""A real SMTP server on loopback (aiosmtpd), the association's identity, and list helpers."""

from __future__ import annotations

import pytest

from tide.association.models import AssociationSettings


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
