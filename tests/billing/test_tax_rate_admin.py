"""Staff keep the tax rates in the back office (Settings → Tax rates)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tide.billing.models import TaxRate

pytestmark = pytest.mark.django_db

INDEX = reverse("wagtailsnippets_billing_taxrate:list")


@pytest.fixture
def tax_keeper(staff_without_permission):
    staff_without_permission.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="billing", codename__in=["add_taxrate", "change_taxrate"]
        )
    )
    return staff_without_permission


def test_visitor_is_sent_to_log_in(client):
    response = client.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_without_the_tax_permission_cannot_see_the_rates(client, staff_without_permission):
    client.force_login(staff_without_permission)

    response = client.get(INDEX)

    assert response.status_code in (302, 403)
    assert "Ontario" not in response.content.decode()


def test_staff_with_the_permission_see_every_rate(client, tax_keeper):
    client.force_login(tax_keeper)

    page = client.get(INDEX).content.decode()

    assert "Ontario" in page
    assert "13%" in page
    assert "Nova Scotia" in page
    assert "14%" in page


def test_staff_change_a_rate_and_new_invoices_use_it(client, tax_keeper, member):
    from .factories import make_draft

    rate = TaxRate.objects.get(province="NS")
    client.force_login(tax_keeper)

    response = client.post(
        reverse("wagtailsnippets_billing_taxrate:edit", args=[rate.pk]),
        {"province": "NS", "name": "HST", "basis_points": "1500"},
    )

    assert response.status_code == 302
    assert make_draft(member, province="NS").tax_cents == 52_50


def test_a_rate_over_one_hundred_percent_is_refused(client, tax_keeper):
    client.force_login(tax_keeper)

    response = client.post(
        reverse("wagtailsnippets_billing_taxrate:add"),
        {"province": "BC", "name": "PST", "basis_points": "70000"},
    )

    assert response.status_code == 200
    assert "less than or equal to 10000" in response.content.decode()
    assert not TaxRate.objects.filter(name="PST").exists()
