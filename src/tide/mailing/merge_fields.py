"""Merge fields that come from other data than the contact (membership expiry, level, …).

A field is a function taking a batch of contacts and returning their values
({contact id: text}) in a constant number of queries. A broadcast fetches only the fields
its subject and body use, once per batch of recipients. A contact with no value gets
an empty text, so `{membership_expiry|soon}` shows the fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

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


def _current_periods(contacts: list[Contact]) -> dict[int, object]:
    """Each member contact's current membership period (membership's own rule), one query.
    A contact is the member tied to it, or else the member with the same email."""
    period_model = apps.get_model("membership", "MembershipPeriod")
    by_user = {contact.user_id: contact.pk for contact in contacts if contact.user_id}
    by_email = {contact.email: contact.pk for contact in contacts if not contact.user_id}
    if not by_user and not by_email:
        return {}
    periods = (
        period_model.objects.current(timezone.localdate())
        .filter(Q(user_id__in=by_user) | Q(user__email__in=by_email))
        .select_related("level", "user")
        .order_by("ends_on")  # the latest-ending wins below
    )
    found = {}
    for period in periods:
        pk = by_user.get(period.user_id) or by_email.get(period.user.email.lower())
        if pk is not None:
            found[pk] = period
    return found


def membership_expiry(contacts: list[Contact]) -> dict[int, str]:
    return {
        pk: date_format(period.ends_on, "j F Y")
        for pk, period in _current_periods(contacts).items()
    }


def membership_level(contacts: list[Contact]) -> dict[int, str]:
    return {pk: period.level.name for pk, period in _current_periods(contacts).items()}


def register_membership_fields() -> None:
    """Called from the app's ready() when the membership app is installed."""
    register_merge_field("membership_expiry", _("membership end date"), membership_expiry)
    register_merge_field("membership_level", _("membership level"), membership_level)
