"""What the email list holds about a person, for their data download and account closure."""

from __future__ import annotations

from tide.accounts.models import User

from .models import Consent, Contact, SentEmail, SuppressionReason


def mailing_export(user: User) -> dict:
    contact = Contact.objects.filter(email=user.email).first()
    return {
        "contact": {
            "email": contact.email,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "suppressed": contact.suppressed_at.isoformat() if contact.suppressed_at else None,
        }
        if contact
        else None,
        "consents": [
            {
                "list": consent.mailing_list.name,
                "kind": consent.kind,
                "source": consent.source,
                "given": consent.given_at.isoformat(),
                "wording": consent.wording,
                "withdrawn": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
            }
            for consent in Consent.objects.filter(contact=contact).select_related("mailing_list")
        ]
        if contact
        else [],
        "emails_sent": [
            {"sent": sent.sent_at.isoformat(), "subject": sent.subject}
            for sent in SentEmail.objects.filter(to=user.email)
        ],
    }


def mailing_erase(user: User) -> None:
    """No more marketing, ever, and the names go; the consent records stay as the evidence
    the law asks us to keep."""
    from .services import contact_suppress

    SentEmail.objects.filter(to=user.email).delete()
    for contact in Contact.objects.filter(email=user.email):
        contact_suppress(contact=contact, reason=SuppressionReason.UNSUBSCRIBED)
        Contact.objects.filter(pk=contact.pk).update(first_name="", last_name="", user=None)
