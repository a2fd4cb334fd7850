"""Lists, contacts with consent, and broadcasts, made through the services."""

from __future__ import annotations

from datetime import datetime

from django.core.files.base import ContentFile
from wagtail.documents.models import Document

from tide.mailing.models import Broadcast, Consent, Contact, MailingList
from tide.mailing.services import consent_record, contact_for_email


def make_list(**fields) -> MailingList:
    defaults = {"name": "Self-care notes", "slug": "self-care"}
    return MailingList.objects.create(**{**defaults, **fields})


def make_ebook(title: str = "Ten stretches for desk workers") -> Document:
    document = Document(title=title)
    document.file.save("ten-stretches.pdf", ContentFile(b"%PDF-1.4 the ebook"), save=False)
    document.save()
    return document


def subscribe(
    mailing_list: MailingList,
    email: str,
    *,
    first_name: str = "",
    kind: str = Consent.Kind.EXPRESS,
    source: str = Consent.Source.FORM,
    given_at: datetime | None = None,
    user=None,
) -> Contact:
    contact = contact_for_email(email=email, first_name=first_name, user=user)
    consent_record(
        contact=contact,
        mailing_list=mailing_list,
        kind=kind,
        source=source,
        wording="Yes, email me.",
        ip_address="203.0.113.7",
        given_at=given_at,
    )
    return contact


def make_broadcast(mailing_list: MailingList, **fields) -> Broadcast:
    defaults = {
        "subject": "Spring self-care, {first_name|friend}",
        "preheader": "Three stretches for the season",
        "mailing_list": mailing_list,
        "body": [
            ("heading", "Hello {first_name|there}"),
            ("paragraph", '<p>Try these <a href="https://example.com/stretch">stretches</a>.</p>'),
            ("button", {"label": "Book a massage", "url": "https://example.com/book"}),
        ],
    }
    return Broadcast.objects.create(**{**defaults, **fields})
