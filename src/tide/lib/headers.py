"""Refusing values that would forge email headers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def refuse_header_injection(*values: str) -> None:
    """A CR or LF in a value bound for an email header is refused, never stripped silently."""
    for value in values:
        if value and ("\r" in value or "\n" in value):
            raise ValidationError(_("Line breaks are not allowed here."))
