"""What happens to contacts, consents and sign-ups.

Sign up (`signup_request`) → a confirmation email with a signed link → `signup_confirm`
records express consent and emails the free download. Unsubscribing withdraws the consent
for one list (`list_unsubscribe`) or suppresses the address for every list
(`contact_leave_all`); bounces and complaints suppress it too (`contact_suppress`). Each
function is one transaction and writes a log row; emails go after the commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from tide.accounts.models import User
from tide.mailing.transactional import email_send_template

from .models import (
    Consent,
    Contact,
    Delivery,
    MailingList,
    MailingSettings,
    Signup,
    SuppressionReason,
    implied_consent_expiry,
)
from .signup import Offer, confirm_token, download_token, normalize_email, unsubscribe_token

# A confirmed double opt-in is fresh, express evidence: it lifts these suppressions.
LIFTED_BY_OPT_IN = (
    SuppressionReason.UNSUBSCRIBED,
    SuppressionReason.IMPORTED_UNSUBSCRIBED,
    SuppressionReason.SOFT_BOUNCES,
    SuppressionReason.HARD_BOUNCE,
)


def contact_for_email(
    *, email: str, first_name: str = "", last_name: str = "", user: User | None = None
) -> Contact:
    """The contact for `email` (already normalized), created if new; a blank name is filled in."""
    contact, created = Contact.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, "user": user}
    )
    if not created:
        changed = []
        for field, value in (("first_name", first_name), ("last_name", last_name)):
            if value and not getattr(contact, field):
                setattr(contact, field, value)
                changed.append(field)
        if user and not contact.user_id:
            contact.user = user
            changed.append("user")
        if changed:
            contact.save(update_fields=changed)
    return contact


def consent_record(
    *,
    contact: Contact,
    mailing_list: MailingList,
    kind: str,
    source: str,
    wording: str,
    ip_address: str | None = None,
    given_at: datetime | None = None,
    by: User | None = None,
) -> Consent:
    """Keep the evidence of a consent; implied consent lapses after the configured two years."""
    given_at = given_at or timezone.now()
    consent = Consent.objects.create(
        contact=contact,
        mailing_list=mailing_list,
        kind=kind,
        source=source,
        wording=wording,
        ip_address=ip_address or None,
        given_at=given_at,
        expires_at=implied_consent_expiry(given_at) if kind == Consent.Kind.IMPLIED else None,
        recorded_by=by,
    )
    log(
        contact,
        "tide.mailing.consent",
        user=by,
        data={"list": mailing_list.name, "kind": kind, "source": source},
    )
    return consent


IMPLIED_WORDING = {
    Consent.Source.MEMBERSHIP: "Implied: a member of the association (CASL, existing relationship).",
    Consent.Source.PURCHASE: "Implied: bought from the association (CASL, existing relationship).",
}


@transaction.atomic
def consent_imply(
    *,
    email: str,
    source: str,
    mailing_list: MailingList | None = None,
    user: User | None = None,
    first_name: str = "",
    last_name: str = "",
    given_at: datetime | None = None,
) -> Consent | None:
    """Record, or renew, the implied consent a membership or a purchase gives to
    `mailing_list` (the association's main list, the home page's, when not given): it lapses
    after MAILING_IMPLIED_CONSENT_DAYS unless a later one renews it.

    Records nothing (None) for a suppressed address, for someone who left that list and has
    not joined it again, when they already gave express consent, for an address that is not
    valid, or when there is no list; it never raises for the person's data.
    Calling it again the same day returns the consent already recorded.
    """
    if source not in IMPLIED_WORDING:
        raise ValueError(f"Implied consent comes from a membership or a purchase, not {source!r}.")
    mailing_list = mailing_list or MailingSettings.load().home_list
    if mailing_list is None:
        return None
    try:
        email = normalize_email(email)
    except ValidationError:
        return None  # never a reason to fail the payment or membership that called us
    given_at = given_at or timezone.now()
    contact = contact_for_email(email=email, first_name=first_name, last_name=last_name, user=user)
    if contact.is_suppressed:
        return None
    consents = list(
        Consent.objects.select_for_update().filter(contact=contact, mailing_list=mailing_list)
    )
    live = [consent for consent in consents if consent.is_live(given_at)]
    if any(consent.kind == Consent.Kind.EXPRESS for consent in live):
        return None
    if not live and any(consent.withdrawn_at for consent in consents):
        return None  # they left this list: only they can join it again
    recent = given_at - timedelta(days=1)
    for consent in live:
        if consent.source == source and consent.given_at > recent:
            return consent
    return consent_record(
        contact=contact,
        mailing_list=mailing_list,
        kind=Consent.Kind.IMPLIED,
        source=source,
        wording=IMPLIED_WORDING[source],
        given_at=given_at,
    )


def signup_request(*, offer: Offer, email: str, first_name: str, ip_address: str) -> Signup:
    """Store a sign-up and email its confirmation link. The same answer and the same email
    whether or not the address is already on the list, so nothing is revealed."""
    email = normalize_email(email)
    with transaction.atomic():
        signup = Signup.objects.create(
            mailing_list=offer.mailing_list,
            email=email,
            first_name=first_name.strip()[:100],
            wording=offer.wording,
            ip_address=ip_address or None,
        )
        email_send_template(
            "mailing/email/signup_confirm",
            to=email,
            context={
                "first_name": signup.first_name,
                "mailing_list": offer.mailing_list,
                "confirm_url": settings.SITE_URL
                + reverse("mailing:confirm", args=[confirm_token(signup.pk)]),
                "days": settings.MAILING_CONFIRM_DAYS,
            },
        )
    return signup


@transaction.atomic
def signup_confirm(*, signup: Signup) -> Contact:
    """Confirm a sign-up: the contact, their express consent and the free download by email.
    Following the link again changes nothing more."""
    signup = Signup.objects.select_for_update().select_related("mailing_list").get(pk=signup.pk)
    contact = contact_for_email(email=signup.email, first_name=signup.first_name)
    if signup.confirmed_at is not None:
        return contact
    now = timezone.now()
    signup.confirmed_at = now
    signup.save(update_fields=["confirmed_at"])
    if contact.suppressed_reason in LIFTED_BY_OPT_IN:
        Contact.objects.filter(pk=contact.pk).update(
            suppressed_at=None, suppressed_reason="", soft_bounces=0
        )
        contact.refresh_from_db()
    consent_record(
        contact=contact,
        mailing_list=signup.mailing_list,
        kind=Consent.Kind.EXPRESS,
        source=Consent.Source.FORM,
        wording=signup.wording,
        ip_address=signup.ip_address,
        given_at=now,
    )
    mailing_list = signup.mailing_list
    if mailing_list.ebook_id:
        email_send_template(
            "mailing/email/ebook",
            to=contact.email,
            context={
                "first_name": contact.first_name,
                "mailing_list": mailing_list,
                "document": mailing_list.ebook,
                "download_url": settings.SITE_URL
                + reverse("mailing:download", args=[download_token(contact.pk, mailing_list.pk)]),
                "preferences_url": settings.SITE_URL
                + reverse(
                    "mailing:preferences", args=[unsubscribe_token(contact.pk, mailing_list.pk)]
                ),
            },
        )
    return contact


def signups_purge(*, now: datetime | None = None) -> int:
    """Delete sign-ups never confirmed within MAILING_UNCONFIRMED_PURGE_DAYS; how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MAILING_UNCONFIRMED_PURGE_DAYS)
    deleted, _ = Signup.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def list_unsubscribe(
    *, contact: Contact, mailing_list: MailingList, broadcast_id: int | None = None, how: str
) -> None:
    """Withdraw every consent `contact` gave for `mailing_list`, at once."""
    now = timezone.now()
    withdrawn = Consent.objects.filter(
        contact=contact, mailing_list=mailing_list, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    if broadcast_id:
        Delivery.objects.filter(
            broadcast_id=broadcast_id, contact=contact, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=now)
    if withdrawn:
        log(
            contact,
            "tide.mailing.unsubscribe",
            user=None,
            data={"list": mailing_list.name, "how": how},
        )


@transaction.atomic
def contact_suppress(
    *, contact: Contact, reason: str, by: User | None = None, broadcast_id: int | None = None
) -> None:
    """Stop all marketing to `contact` at once (transactional email still goes)."""
    now = timezone.now()
    updated = Contact.objects.filter(pk=contact.pk, suppressed_at__isnull=True).update(
        suppressed_at=now, suppressed_reason=reason
    )
    if reason == SuppressionReason.UNSUBSCRIBED:
        Consent.objects.filter(contact=contact, withdrawn_at__isnull=True).update(withdrawn_at=now)
        if broadcast_id:
            Delivery.objects.filter(
                broadcast_id=broadcast_id, contact=contact, unsubscribed_at__isnull=True
            ).update(unsubscribed_at=now)
    if updated:
        contact.refresh_from_db()
        log(contact, "tide.mailing.suppress", user=by, data={"reason": reason})


def contact_leave_all(*, contact: Contact, broadcast_id: int | None = None) -> None:
    """The preference centre's "leave every list": withdraw everything and suppress."""
    contact_suppress(
        contact=contact, reason=SuppressionReason.UNSUBSCRIBED, broadcast_id=broadcast_id
    )


PREFERENCES_WORDING = "Chose “%(list)s” in the email preference centre."


@transaction.atomic
def preferences_update(
    *, contact: Contact, chosen: set[int], ip_address: str | None = None
) -> None:
    """Keep the lists in `chosen` (list ids), leave the others. A newly chosen list is an
    express consent given here; choosing a list lifts a "left every list" suppression."""
    now = timezone.now()
    live = {
        consent.mailing_list_id
        for consent in Consent.objects.filter(contact=contact, withdrawn_at__isnull=True)
        if consent.is_live(now)
    }
    for mailing_list in MailingList.objects.filter(pk__in=live - chosen):
        list_unsubscribe(contact=contact, mailing_list=mailing_list, how="preferences")
    if chosen and contact.suppressed_reason == SuppressionReason.UNSUBSCRIBED:
        Contact.objects.filter(pk=contact.pk).update(suppressed_at=None, suppressed_reason="")
        contact.refresh_from_db()
    for mailing_list in MailingList.objects.filter(pk__in=chosen - live, public=True):
        consent_record(
            contact=contact,
            mailing_list=mailing_list,
            kind=Consent.Kind.EXPRESS,
            source=Consent.Source.PREFERENCES,
            wording=PREFERENCES_WORDING % {"list": mailing_list.name},
            ip_address=ip_address,
        )
