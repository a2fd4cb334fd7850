"""Tax on an invoice follows the customer's province, line by line."""

from __future__ import annotations

import pytest

from tide.billing.models import TaxRate
from tide.billing.services import LineSpec, invoice_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("province", "total"),
    [
        ("ON", 395_50),  # HST 13%
        ("NS", 399_00),  # HST 14%
        ("NB", 402_50),  # HST 15%
        ("NL", 402_50),
        ("PE", 402_50),
        ("AB", 367_50),  # GST 5%
        ("BC", 367_50),
        ("QC", 367_50),
        ("YT", 367_50),
    ],
)
def test_dues_are_taxed_at_the_members_province_rate(member, province, total):
    invoice = invoice_create(
        customer=member,
        province=province,
        lines=[LineSpec(kind="manual", description="Dues", unit_price_cents=350_00)],
    )

    assert invoice.total_cents == total


def test_every_province_and_territory_has_a_seeded_rate():
    provinces = set(TaxRate.objects.values_list("province", flat=True))

    assert provinces == {
        "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
    }  # fmt: skip


def test_a_province_with_two_taxes_charges_both(member):
    TaxRate.objects.create(province="BC", name="PST", basis_points=700)

    invoice = invoice_create(
        customer=member,
        province="BC",
        lines=[LineSpec(kind="manual", description="Course", unit_price_cents=100_00)],
    )

    assert invoice.tax_cents == 12_00
    assert invoice.lines.get().tax_basis_points == 1200
    assert invoice.tax_summary() == [("GST + PST", "12%", 12_00)]


def test_the_invoice_keeps_the_tax_name_it_was_charged_under(member):
    invoice = invoice_create(
        customer=member,
        province="ON",
        lines=[LineSpec(kind="manual", description="Dues", unit_price_cents=100_00)],
    )
    TaxRate.objects.filter(province="ON").update(name="Harmonized sales tax")

    assert invoice.tax_summary() == [("HST", "13%", 13_00)]


def test_tax_is_rounded_on_each_line_not_on_the_total(member):
    # Each 1.50 line at 13% is 19.5 cents → 20; on the 3.00 total it would be 39.
    invoice = invoice_create(
        customer=member,
        province="ON",
        lines=[
            LineSpec(kind="manual", description="Pin", unit_price_cents=1_50),
            LineSpec(kind="manual", description="Sticker", unit_price_cents=1_50),
        ],
    )

    assert invoice.subtotal_cents == 3_00
    assert invoice.tax_cents == 40
    assert invoice.total_cents == 3_40


def test_quantity_multiplies_the_line_before_tax(member):
    invoice = invoice_create(
        customer=member,
        province="ON",
        lines=[LineSpec(kind="manual", description="Seat", unit_price_cents=99_99, quantity=3)],
    )

    assert invoice.subtotal_cents == 299_97
    assert invoice.tax_cents == 39_00  # 38.9961 → 39.00


def test_an_untaxed_line_carries_no_tax(member):
    invoice = invoice_create(
        customer=member,
        province="ON",
        lines=[
            LineSpec(kind="manual", description="Donation", unit_price_cents=50_00, taxable=False)
        ],
    )

    assert invoice.tax_cents == 0
    assert invoice.total_cents == 50_00


def test_changing_a_rate_leaves_existing_invoices_alone(member):
    invoice = invoice_create(
        customer=member,
        province="ON",
        lines=[LineSpec(kind="manual", description="Dues", unit_price_cents=350_00)],
    )

    TaxRate.objects.filter(province="ON").update(basis_points=1500)
    invoice.refresh_from_db()

    assert invoice.total_cents == 395_50
    assert invoice.compute_totals()[2] == 395_50


def test_a_province_outside_canada_is_refused(member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        invoice_create(
            customer=member,
            province="ZZ",
            lines=[LineSpec(kind="manual", description="Dues", unit_price_cents=350_00)],
        )


def test_the_seeding_migration_can_be_reversed_and_replayed():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tide.billing.migrations.0002_seed_tax_rates")
    migration.unseed(apps, None)
    assert not TaxRate.objects.exists()

    migration.seed(apps, None)
    assert TaxRate.objects.get(province="ON").basis_points == 1300
