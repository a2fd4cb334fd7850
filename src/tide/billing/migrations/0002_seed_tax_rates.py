"""Canadian sales-tax rates on association dues (DOMAIN.md): GST 5% where there is no HST,
HST 13% ON, 15% NB/NL/PE, 14% NS (from 2025-04-01). Staff edit them under Settings → Tax rates.
Provincial sales taxes (PST, QST) are left out: whether they apply to dues is the
association's call."""

from django.db import migrations

RATES = [
    *[(province, "GST", 500) for province in ["AB", "BC", "MB", "QC", "SK", "NT", "NU", "YT"]],
    ("ON", "HST", 1300),
    ("NB", "HST", 1500),
    ("NL", "HST", 1500),
    ("PE", "HST", 1500),
    ("NS", "HST", 1400),
]


def seed(apps, schema_editor):
    TaxRate = apps.get_model("billing", "TaxRate")
    for province, name, basis_points in RATES:
        TaxRate.objects.get_or_create(
            province=province, name=name, defaults={"basis_points": basis_points}
        )


def unseed(apps, schema_editor):
    TaxRate = apps.get_model("billing", "TaxRate")
    for province, name, basis_points in RATES:
        TaxRate.objects.filter(province=province, name=name, basis_points=basis_points).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
