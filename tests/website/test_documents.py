from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model

pytestmark = pytest.mark.django_db


def _upload(client, name: str, content: bytes, content_type: str):
    return client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Upload",
            "file": SimpleUploadedFile(name, content, content_type=content_type),
            "collection": 1,
        },
    )


def test_staff_cannot_upload_a_web_page_as_a_document(client, superuser):
    client.force_login(superuser)

    response = _upload(client, "ebook.html", b"<script>alert(1)</script>", "text/html")

    assert response.status_code == 200
    assert "ebook.html" not in str(get_document_model().objects.values_list("file", flat=True))
    assert "File extension “html” is not allowed" in response.content.decode()


def test_staff_upload_a_pdf_and_visitors_download_it_through_the_checked_view(client, superuser):
    client.force_login(superuser)

    response = _upload(client, "guide.pdf", b"%PDF-1.4 a tiny guide", "application/pdf")

    assert response.status_code == 302
    document = get_document_model().objects.get()
    client.logout()
    download = client.get(document.url)
    assert document.url.startswith("/documents/")
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
