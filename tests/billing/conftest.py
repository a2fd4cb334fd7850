from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from tests.conftest import make_user
from tide.association.models import AssociationSettings
from tide.billing.fulfilment import register_fulfilment, unregister_fulfilment


@pytest.fixture
def association(db):
    settings = AssociationSettings.load()
    settings.name = "Harbour RMT Association"
    settings.street_address = "1 Pier Road"
    settings.city = "Halifax"
    settings.province = "NS"
    settings.postal_code = "B3H 1A1"
    settings.email = "dues@harbour.example"
    settings.save()
    return settings


@pytest.fixture
def bookkeeper(db):
    """Staff with the billing permissions (the Bookkeepers group)."""
    user = make_user("bookkeeper@example.com", staff=True, mfa=True, first_name="Bea")
    group, _ = Group.objects.get_or_create(name="Bookkeepers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="billing",
            codename__in=["view_invoice", "change_invoice", "add_payment", "add_creditnote"],
        ),
    )
    user.groups.add(group)
    return user


@pytest.fixture
def fulfilled():
    """A "test" kind of line whose fulfilment records the lines it delivered."""
    delivered: list[int] = []
    register_fulfilment("test", lambda line: delivered.append(line.pk))
    yield delivered
    unregister_fulfilment("test")


@pytest.fixture(autouse=True)
def tax_rates(request):
    """The seeded rates, again: a transactional test's flush removes migrated rows."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from importlib import import_module

    from django.apps import apps

    import_module("tide.billing.migrations.0002_seed_tax_rates").seed(apps, None)


@pytest.fixture
def stripe_keys(settings):
    """Card payments switched on, with test keys."""
    from .stripe_standin import SECRET_KEY, WEBHOOK_SECRET

    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_tide_standin"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def stripe_api(settings, stripe_keys):
    """The stand-in for Stripe's API on loopback, with the SDK pointed at it."""
    from .stripe_standin import start_standin

    standin, server = start_standin()
    settings.STRIPE_API_BASE = standin.url
    yield standin
    server.shutdown()
    server.server_close()
