"""Merge fields that come from other data than the contact (membership expiry, level, …),
registered by the apps that own that data (membership registers its own).

A field is a function taking a batch of contacts and returning their values
({contact id: text}) in a constant number of queries. A broadcast fetches only the fields
its subject and body use, once per batch of recipients. A contact with no value gets
an empty text, so `{membership_expiry|soon}` shows the fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .models import Contact

# The contact's own fields, always available (see rendering.RenderedBroadcast.values).
CONTACT_FIELDS = ("first_name", "last_name", "name", "email")


@dataclass(frozen=True)
class MergeField:
    key: str
    label: str
    values: Callable[[list[Contact]], dict[int, str]]


_FIELDS: dict[str, MergeField] = {}


def register_merge_field(
    key: str, label: str, values: Callable[[list[Contact]], dict[int, str]]
) -> None:
    _FIELDS[key] = MergeField(key=key, label=label, values=values)


def merge_field_keys() -> list[str]:
    return list(_FIELDS)


def merge_field_help() -> str:
    """The fields staff can use, for the broadcast form's help text."""
    return ", ".join(f"{{{key}}}" for key in (*CONTACT_FIELDS, *_FIELDS))


def merge_values(keys: Iterable[str], contacts: list[Contact]) -> dict[int, dict[str, str]]:
    """{contact id: {key: text}} for the registered fields in `keys` (one call per field)."""
    found: dict[int, dict[str, str]] = {contact.pk: {} for contact in contacts}
    for key in keys:
        field = _FIELDS.get(key)
        if field is None:
            continue
        values = field.values(contacts) if contacts else {}
        for contact in contacts:
            found[contact.pk][key] = values.get(contact.pk, "")
    return found
