"""Money as integer cents: formatting for Canada, tax rounding and parsing what staff type.

Floats never touch an amount. A rate is in basis points (1300 = 13%).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The most a single amount typed by staff may be: ten million dollars, in cents.
MAX_TYPED_CENTS = 10_000_000_00
_DOLLARS = re.compile(r"^\$?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<part>\d{1,2}))?$")


def format_cad(cents: int) -> str:
    """12345 → '$123.45'; 123456789 → '$1,234,567.89'; -500 → '-$5.00'."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def percent_of(cents: int, basis_points: int) -> int:
    """`basis_points` of `cents`, rounded half-up (away from zero) to the cent."""
    sign = -1 if cents < 0 else 1
    whole, remainder = divmod(abs(cents) * basis_points, 10_000)
    if remainder * 2 >= 10_000:
        whole += 1
    return sign * whole


def format_basis_points(basis_points: int) -> str:
    """1300 → '13%'; 1475 → '14.75%'; 950 → '9.5%'."""
    whole, rest = divmod(basis_points, 100)
    if not rest:
        return f"{whole}%"
    return f"{whole}.{rest:02d}".rstrip("0") + "%"


def cents_from_dollars(text: str) -> int:
    """'350', '350.5', '$1,350.00' → cents. Raises ValidationError with a sentence for a person.

    Zero, negative amounts, more than two decimals, exponents and amounts over
    $10,000,000.00 are refused.
    """
    compact = "".join(str(text).split())
    if not compact:
        raise ValidationError(_("Enter an amount, like 350.00."), code="required")
    if compact.startswith("-"):
        raise ValidationError(_("Enter an amount greater than zero."), code="negative")
    match = _DOLLARS.match(compact)
    if not match or (match["whole"] is None and match["part"] is None):
        raise ValidationError(
            _("Enter an amount in dollars and cents, like 350.00."), code="invalid"
        )
    whole = int((match["whole"] or "0").replace(",", ""))
    part = int((match["part"] or "0").ljust(2, "0"))
    cents = whole * 100 + part
    if cents == 0:
        raise ValidationError(_("Enter an amount greater than zero."), code="zero")
    if cents > MAX_TYPED_CENTS:
        raise ValidationError(
            _("Enter an amount no larger than %(max)s.") % {"max": format_cad(MAX_TYPED_CENTS)},
            code="too_large",
        )
    return cents
