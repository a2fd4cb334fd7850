from __future__ import annotations

from django import template

from tide.lib.money import format_basis_points, format_cad

register = template.Library()


@register.filter
def cad(cents: int | None) -> str:
    """{{ invoice.total_cents|cad }} → $395.50"""
    if cents is None or cents == "":
        return ""
    return format_cad(int(cents))


@register.filter
def basis_points(value: int | None) -> str:
    """{{ line.tax_basis_points|basis_points }} → 13%"""
    if value is None or value == "":
        return ""
    return format_basis_points(int(value))
