"""Reading the embedded mode's email folder (Django's file-based email backend) in the back office."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings

SEPARATOR = "-" * 79


@dataclass(frozen=True)
class SentEmail:
    id: str
    subject: str
    to: str
    date: datetime | None
    text: str
    html: str


def _parse(raw: str, id: str) -> SentEmail:
    message: EmailMessage = email.message_from_string(raw.strip(), policy=email.policy.default)  # type: ignore[assignment]
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return SentEmail(
        id=id,
        subject=str(message.get("Subject", "")),
        to=str(message.get("To", "")),
        date=message["Date"].datetime if message["Date"] else None,
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else "",
    )


def sent_emails(limit: int = 200) -> list[SentEmail]:
    """The newest messages first, from the newest files."""
    folder = Path(settings.EMAIL_FILE_PATH)
    if not folder.is_dir():
        return []
    found: list[SentEmail] = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        chunks = [
            chunk for chunk in path.read_text(errors="replace").split(SEPARATOR) if chunk.strip()
        ]
        for index, chunk in reversed(list(enumerate(chunks))):
            found.append(_parse(chunk, f"{path.stem}-{index}"))
            if len(found) >= limit:
                return found
    return found


def uses_email_folder() -> bool:
    return settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend"
