from __future__ import annotations

from django import template

from tide.lib.money import format_cad

register = template.Library()


@register.filter
def dollars(cents: int | None) -> str:
    """Cents as Canadian dollars: 35000 → '$350.00'."""
    return format_cad(int(cents or 0))
