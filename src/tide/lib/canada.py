"""Canadian provinces and postal codes."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PROVINCES = [
    ("AB", gettext_lazy("Alberta")),
    ("BC", gettext_lazy("British Columbia")),
    ("MB", gettext_lazy("Manitoba")),
    ("NB", gettext_lazy("New Brunswick")),
    ("NL", gettext_lazy("Newfoundland and Labrador")),
    ("NS", gettext_lazy("Nova Scotia")),
    ("NT", gettext_lazy("Northwest Territories")),
    ("NU", gettext_lazy("Nunavut")),
    ("ON", gettext_lazy("Ontario")),
    ("PE", gettext_lazy("Prince Edward Island")),
    ("QC", gettext_lazy("Quebec")),
    ("SK", gettext_lazy("Saskatchewan")),
    ("YT", gettext_lazy("Yukon")),
]

# Letters D, F, I, O, Q and U never appear; W and Z never lead.
_POSTAL_CODE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$")


def postal_code_format(value: str) -> str:
    """'k1a0b1' → 'K1A 0B1'; raises ValidationError for anything that is not a postal code."""
    compact = "".join(value.split()).upper()
    if not _POSTAL_CODE.match(compact):
        raise ValidationError(_("Enter a Canadian postal code, like K1A 0B1."), code="invalid")
    return f"{compact[:3]} {compact[3:]}"


def postal_code_validator(value: str) -> None:
    postal_code_format(value)
