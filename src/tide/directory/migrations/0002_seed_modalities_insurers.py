"""The controlled lists staff start from (and then maintain in the back office)."""

from __future__ import annotations

from django.db import migrations
from django.utils.text import slugify

MODALITIES = [
    "Swedish",
    "Deep tissue",
    "Myofascial release",
    "Sports",
    "Prenatal",
    "Lymphatic drainage",
    "Trigger point",
    "Hot stone",
    "TMJ",
    "Craniosacral",
    "Oncology",
    "Pediatric",
]
INSURERS = [
    "Alberta Blue Cross",
    "Beneva",
    "Canada Life",
    "Desjardins Insurance",
    "Equitable Life",
    "GreenShield",
    "iA Financial Group",
    "Manulife",
    "Medavie Blue Cross",
    "Pacific Blue Cross",
    "Sun Life",
]


def seed(apps, schema_editor) -> None:
    Modality = apps.get_model("directory", "Modality")
    Insurer = apps.get_model("directory", "Insurer")
    for order, name in enumerate(MODALITIES):
        Modality.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "sort_order": order}
        )
    for name in INSURERS:
        Insurer.objects.get_or_create(slug=slugify(name), defaults={"name": name})


def unseed(apps, schema_editor) -> None:
    apps.get_model("directory", "Modality").objects.filter(
        slug__in=[slugify(n) for n in MODALITIES], listings=None
    ).delete()
    apps.get_model("directory", "Insurer").objects.filter(
        slug__in=[slugify(n) for n in INSURERS], listings=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_listings_locations_messages_referrals")]

    operations = [migrations.RunPython(seed, unseed)]
