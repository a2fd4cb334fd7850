from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from tests.conftest import make_user


@pytest.fixture(autouse=True)
def tax_rates(request):
    """Billing's seeded tax rates, again: a transactional test's flush removes migrated rows."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    from importlib import import_module

    from django.apps import apps

    import_module("tide.billing.migrations.0002_seed_tax_rates").seed(apps, None)


@pytest.fixture
def coordinator(db):
    """Staff with the education permissions (the Education coordinators group)."""
    user = make_user("coordinator@example.com", staff=True, mfa=True, first_name="Cora")
    group, _ = Group.objects.get_or_create(name="Education coordinators")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="education",
            codename__in=["manage_registrations", "change_creditentry"],
        ),
    )
    user.groups.add(group)
    return user


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what waits for the commit (emails) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
