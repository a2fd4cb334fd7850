"""Everything Tide holds about a person, as one JSON download, and closing an account.

Each app says what it holds about a user, and what closing an account removes, by calling
`register_personal_data` in its AppConfig.ready(). Records the law makes us keep (invoices,
credit notes: six years for the Canada Revenue Agency) stay; the rest is erased or
anonymised when staff close the account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from tide.mailing.transactional import email_send_template

from .models import AccountClosureRequest, User


@dataclass(frozen=True)
class PersonalData:
    export: Callable[[User], Any]
    erase: Callable[[User], None] | None = None


_SECTIONS: dict[str, PersonalData] = {}


def register_personal_data(
    section: str, *, export: Callable[[User], Any], erase: Callable[[User], None] | None = None
) -> None:
    _SECTIONS[section] = PersonalData(export=export, erase=erase)


def _account(user: User) -> dict:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user)
        ],
        # Which kinds of second factor are set up; never their secrets.
        "two_factor": sorted(
            Authenticator.objects.filter(user=user).values_list("type", flat=True)
        ),
    }


def personal_data_export(user: User) -> dict:
    """What a person downloads from their account settings: one JSON-ready dict."""
    data: dict[str, Any] = {"exported_at": timezone.now().isoformat(), "account": _account(user)}
    for section, handler in sorted(_SECTIONS.items()):
        data[section] = handler.export(user)
    return data


@transaction.atomic
def closure_request(*, user: User, reason: str = "") -> AccountClosureRequest:
    """A member asks for their account to be closed; staff close it (a second request while
    one is open returns the open one)."""
    existing = AccountClosureRequest.objects.filter(
        user=user, status=AccountClosureRequest.Status.OPEN
    ).first()
    if existing:
        return existing
    request = AccountClosureRequest.objects.create(user=user, reason=reason.strip()[:1000])
    log(request, "tide.account.closure_request", user=user)
    return request


@transaction.atomic
def account_close(*, closure: AccountClosureRequest, by: User) -> User:
    """Close the account: each app erases what it holds, then the person's name, addresses,
    second factors and password go and they can no longer sign in. Kept: invoices and credit
    notes, which name who was billed."""
    closure = AccountClosureRequest.objects.select_for_update().get(pk=closure.pk)
    if closure.status != AccountClosureRequest.Status.OPEN:
        raise ValidationError(_("This request has already been handled."), code="handled")
    user = closure.user
    if user.can_open_back_office:
        raise ValidationError(
            _("Staff accounts are closed by removing their staff access first."), code="staff"
        )
    email_send_template(
        "accounts/email/account_closed", to=user.email, context={}, keep_record=False
    )
    for handler in _SECTIONS.values():
        if handler.erase:
            handler.erase(user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"closed-{user.pk}@closed.invalid"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()  # also ends every session: they are tied to the password
    user.save()
    closure.status = AccountClosureRequest.Status.CLOSED
    closure.handled_by = by
    closure.handled_at = timezone.now()
    closure.save(update_fields=["status", "handled_by", "handled_at"])
    log(closure, "tide.account.closed", user=by)
    return user
