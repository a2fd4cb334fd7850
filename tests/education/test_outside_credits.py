"""Members report outside CE with evidence; staff approve or reject with a reason."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.conftest import login
from tide.education.credits import EVIDENCE_MAX_BYTES, credit_outside_add, credit_review
from tide.education.models import CreditEntry

from .factories import category

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


def report(user, *, content: bytes = PDF, name: str = "certificate.pdf", **fields) -> CreditEntry:
    data = {
        "user": user,
        "category": category("Ethics"),
        "title": "Ethics webinar",
        "provider_name": "Elsewhere Institute",
        "completed_on": timezone.localdate() - timedelta(days=3),
        "hours": Decimal(2),
        "credits": Decimal(2),
        "evidence": SimpleUploadedFile(name, content),
        **fields,
    }
    return credit_outside_add(**data)


def test_a_report_waits_for_review_with_its_evidence(member):
    entry = report(member)
    assert entry.status == CreditEntry.Status.PENDING
    assert entry.evidence_type == "application/pdf"
    assert "certificate" not in entry.evidence.name  # stored under a generated name


def test_an_image_is_accepted_by_its_content(member):
    assert report(member, content=png(), name="scan.png").evidence_type == "image/png"


def test_a_script_named_pdf_is_refused(member):
    with pytest.raises(ValidationError, match="PDF or an image"):
        report(member, content=b"<script>alert(1)</script>", name="evil.pdf")
    assert not CreditEntry.objects.exists()


def test_a_huge_file_is_refused(member):
    with pytest.raises(ValidationError, match="too large"):
        report(member, content=PDF + b"0" * EVIDENCE_MAX_BYTES)
    assert not CreditEntry.objects.exists()


def test_a_future_date_is_refused(member):
    with pytest.raises(ValidationError, match="future"):
        report(member, completed_on=timezone.localdate() + timedelta(days=2))


def test_the_form_shows_a_clear_message_for_a_wrong_type(client, member):
    login(client, member)
    response = client.post(
        reverse("education:credit_add"),
        {
            "title": "Webinar",
            "category": category("Ethics").pk,
            "completed_on": "2026-01-05",
            "hours": "2",
            "credits": "0",
            "evidence": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400
    assert "Upload a PDF or an image" in response.content.decode()
    assert not CreditEntry.objects.exists()


def test_the_form_saves_a_good_report(client, member):
    login(client, member)
    response = client.post(
        reverse("education:credit_add"),
        {
            "title": "Webinar",
            "category": category("Ethics").pk,
            "completed_on": date(2026, 1, 5).isoformat(),
            "hours": "2",
            "credits": "1.5",
            "evidence": SimpleUploadedFile("c.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert CreditEntry.objects.get().credits == Decimal("1.5")


def test_staff_approve_and_the_member_is_told(member, coordinator, mailoutbox, committed):
    entry = report(member)
    with committed():
        credit_review(entry=entry, by=coordinator, approve=True)
    entry.refresh_from_db()
    assert entry.status == CreditEntry.Status.APPROVED
    assert "approved" in mailoutbox[-1].subject


def test_rejecting_needs_a_reason(member, coordinator):
    entry = report(member)
    with pytest.raises(ValidationError, match="reason"):
        credit_review(entry=entry, by=coordinator, approve=False, reason="  ")
    credit_review(entry=entry, by=coordinator, approve=False, reason="No certificate attached")
    entry.refresh_from_db()
    assert entry.status == CreditEntry.Status.REJECTED
    assert entry.review_reason == "No certificate attached"


def test_a_decision_is_made_once(member, coordinator):
    entry = report(member)
    credit_review(entry=entry, by=coordinator, approve=True)
    with pytest.raises(ValidationError, match="already"):
        credit_review(entry=entry, by=coordinator, approve=False, reason="Oops")


def test_the_queue_lists_pending_reports_and_staff_decide_there(client, member, coordinator):
    entry = report(member)
    login(client, coordinator)
    page = client.get(reverse("education_admin_credits"))
    assert "Ethics webinar" in page.content.decode()
    client.post(
        reverse("education_admin_credit_decide", args=[entry.pk]),
        {"decision": "reject", "reason": "Not CE"},
    )
    entry.refresh_from_db()
    assert entry.status == CreditEntry.Status.REJECTED
