from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from tide.lib.money import format_cad

register = template.Library()


@register.filter
def credits(value) -> str:
    """Decimal("3.50") → "3.5"; Decimal("3.00") → "3"."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


@register.filter
def dollars_or_free(cents) -> str:
    return format_cad(int(cents)) if cents else _("Free")
