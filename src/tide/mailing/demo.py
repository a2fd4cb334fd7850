"""Demo lists, contacts and broadcasts."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents.models import Document

from tide.association.models import AssociationSettings
from tide.lib.pdf import Document as PdfDocument
from tide.lib.pdf import Letterhead

from .blocks import DEFAULT_WORDING
from .models import Broadcast, Consent, MailingList, MailingSettings
from .services import consent_record, contact_for_email

EBOOK_TITLE = "Ten stretches for desk workers"
STRETCHES = [
    ("Neck release", "Tilt your ear toward your shoulder and hold for 20 seconds each side."),
    ("Chin tuck", "Draw your chin straight back, hold for 5 seconds, repeat 10 times."),
    ("Shoulder rolls", "Roll both shoulders back in slow circles, 10 times."),
    ("Chest opener", "Clasp your hands behind you and lift gently for 20 seconds."),
    ("Seated twist", "Turn from the ribs, one hand on the chair back; 20 seconds each way."),
    ("Wrist flexor stretch", "Arm straight, palm up; ease the fingers back for 15 seconds."),
    ("Hip flexor lunge", "One knee down, tuck the pelvis, shift forward for 30 seconds."),
    ("Figure four", "Ankle over knee while seated, lean forward for 30 seconds."),
    ("Calf stretch", "Hands on the desk, one heel back and down for 30 seconds."),
    ("Breathing break", "Five slow breaths, in through the nose, out for longer."),
]
SUBSCRIBERS = [
    ("sam.patel@example.com", "Sam"),
    ("claire.roy@example.com", "Claire"),
    ("noah.martin@example.com", "Noah"),
    ("lea.tremblay@example.com", "Léa"),
    ("omar.haddad@example.com", "Omar"),
]


def _ebook_pdf() -> bytes:
    association = AssociationSettings.load()
    pdf = PdfDocument(
        letterhead=Letterhead(
            name=association.name,
            address=association.mailing_address,
            email=association.email,
            phone=association.phone,
        ),
        title=EBOOK_TITLE,
    )
    pdf.add_page()
    pdf.title_block(EBOOK_TITLE, "From the registered massage therapists of " + association.name)
    for number, (name, how) in enumerate(STRETCHES, start=1):
        pdf.section_heading(f"{number}. {name}")
        pdf.note(how, size=11)
    return pdf.render()


def demo_mailing() -> None:
    """Idempotent: running it again keeps what is there."""
    if MailingList.objects.filter(slug="free-ebook").exists():
        return
    ebook = Document(title=EBOOK_TITLE)
    ebook.file.save("ten-stretches-for-desk-workers.pdf", ContentFile(_ebook_pdf()), save=False)
    ebook.save()
    free_ebook = MailingList.objects.create(
        name="Self-care notes (free ebook)",
        slug="free-ebook",
        description="The free ebook, then a short note each month on self-care between "
        "appointments.",
        ebook=ebook,
    )
    research = MailingList.objects.create(
        name="Research digest",
        slug="research-digest",
        description="A quarterly summary of new massage therapy research, for therapists.",
    )
    settings = MailingSettings.load()
    settings.home_list = free_ebook
    settings.save()

    joined = timezone.now() - timedelta(days=40)
    for index, (email, first_name) in enumerate(SUBSCRIBERS):
        contact = contact_for_email(email=email, first_name=first_name)
        consent_record(
            contact=contact,
            mailing_list=free_ebook,
            kind=Consent.Kind.EXPRESS,
            source=Consent.Source.FORM,
            wording=DEFAULT_WORDING,
            ip_address=f"198.51.100.{10 + index}",
            given_at=joined + timedelta(days=index * 3),
        )
        if index % 2 == 0:
            consent_record(
                contact=contact,
                mailing_list=research,
                kind=Consent.Kind.IMPLIED,
                source=Consent.Source.MEMBERSHIP,
                wording="Member of the association (implied consent, two years).",
                given_at=joined,
            )
    Broadcast.objects.create(
        subject="Three stretches for winter, {first_name|friend}",
        preheader="Cold weather tightens shoulders. Here is what helps.",
        mailing_list=free_ebook,
        body=[
            ("heading", "Hello {first_name|there},"),
            (
                "paragraph",
                "<p>Cold weather makes us hunch. These three stretches from the ebook help "
                "most in winter: the chest opener, shoulder rolls and the neck release.</p>",
            ),
            (
                "button",
                {"label": "Find an RMT near you", "url": "https://tide.example/find-an-rmt/"},
            ),
        ],
    )
