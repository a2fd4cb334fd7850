from __future__ import annotations

import pytest
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
