from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from tests.conftest import make_user

from .factories import make_level


@pytest.fixture(autouse=True)
def tax_rates(request):
    """Billing's seeded tax rates, again: a transactional test's flush removes migrated rows."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    from importlib import import_module

    from django.apps import apps

    import_module("tide.billing.migrations.0002_seed_tax_rates").seed(apps, None)


@pytest.fixture
def officer(db):
    """Staff with the membership permissions (the Membership officers group)."""
    user = make_user(
        "officer@example.com", staff=True, mfa=True, first_name="Ola", last_name="Officer"
    )
    group, _ = Group.objects.get_or_create(name="Membership officers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="membership",
            codename__in=["change_application", "view_membershipperiod"],
        ),
    )
    user.groups.add(group)
    return user


@pytest.fixture
def rmt(db):
    return make_level()
