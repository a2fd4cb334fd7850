"""Signed values in public links and forms, and the checks on a typed-in address.

Every link in a marketing or sign-up email carries a signed, expiring token: a tampered
token fails its signature, an old one its age, and either way the view shows a friendly page
and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from tide.lib.headers import refuse_header_injection

from .models import MailingList

OFFER_SALT = "tide.mailing.offer"
CONFIRM_SALT = "tide.mailing.confirm"
UNSUBSCRIBE_SALT = "tide.mailing.unsubscribe"
DOWNLOAD_SALT = "tide.mailing.download"
DAY = 24 * 3600

# Throw-away inbox services: nobody reads these, and sign-ups from them hurt deliverability.
DISPOSABLE_DOMAINS = frozenset(
    {
        "10minutemail.com",
        "20minutemail.com",
        "discard.email",
        "dispostable.com",
        "emailondeck.com",
        "fakeinbox.com",
        "getnada.com",
        "guerrillamail.com",
        "guerrillamail.net",
        "guerrillamailblock.com",
        "maildrop.cc",
        "mailinator.com",
        "mailnesia.com",
        "mintemail.com",
        "mohmal.com",
        "mytemp.email",
        "sharklasers.com",
        "spamgourmet.com",
        "temp-mail.org",
        "tempmail.com",
        "tempmailo.com",
        "tempr.email",
        "throwawaymail.com",
        "trashmail.com",
        "yopmail.com",
    }
)


def normalize_email(value: str) -> str:
    """A typed-in address checked and lower-cased, or ValidationError with a clear message."""
    value = (value or "").strip()
    refuse_header_injection(value)
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("Enter an email address like name@example.com."), code="invalid"
        ) from None
    local, _at, domain = value.rpartition("@")
    domain = domain.lower()
    if domain in DISPOSABLE_DOMAINS or domain.startswith(("tempmail.", "mailinator.")):
        raise ValidationError(
            _("Please use an address you will keep: throw-away inboxes cannot receive the ebook."),
            code="disposable",
        )
    return f"{local}@{domain}".lower()


@dataclass(frozen=True)
class Offer:
    mailing_list: MailingList
    wording: str


def signup_offer(mailing_list: MailingList, wording: str) -> str:
    """The sign-up form's hidden field: which list, and the exact wording shown."""
    return signing.dumps({"l": mailing_list.pk, "w": wording}, salt=OFFER_SALT, compress=True)


def read_offer(value: str) -> Offer | None:
    try:
        data = signing.loads(value, salt=OFFER_SALT)
        mailing_list = MailingList.objects.get(pk=data["l"])
    except (signing.BadSignature, MailingList.DoesNotExist, KeyError, TypeError):
        return None
    return Offer(mailing_list=mailing_list, wording=str(data["w"]))


def confirm_token(signup_id: int) -> str:
    return signing.dumps(signup_id, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=settings.MAILING_CONFIRM_DAYS * DAY)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_token(contact_id: int, list_id: int, broadcast_id: int | None = None) -> str:
    """For the footer link, the List-Unsubscribe header and the preference centre."""
    return signing.dumps([contact_id, list_id, broadcast_id], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, int, int | None] | None:
    try:
        value = signing.loads(
            token, salt=UNSUBSCRIBE_SALT, max_age=settings.MAILING_UNSUBSCRIBE_LINK_DAYS * DAY
        )
        contact_id, list_id, broadcast_id = value
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(contact_id), int(list_id), (int(broadcast_id) if broadcast_id else None)


def download_token(contact_id: int, list_id: int) -> str:
    return signing.dumps([contact_id, list_id], salt=DOWNLOAD_SALT)


def read_download_token(token: str) -> tuple[int, int] | None:
    try:
        contact_id, list_id = signing.loads(
            token, salt=DOWNLOAD_SALT, max_age=settings.MAILING_UNSUBSCRIBE_LINK_DAYS * DAY
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(contact_id), int(list_id)
