"""Importing contacts from a CSV file or a Mailchimp export ZIP, with a dry run first.

The file is read whole and checked before anything is written: a file that is not UTF-8,
has no email column, or is not a CSV/ZIP is refused with an explanation and nothing is
imported. Each row is then planned (new contact, consent, suppression, or a problem), and
the plan is applied in one transaction. Unsubscribed and cleaned addresses are imported
suppressed and never get a consent, and a suppressed address is never subscribed again by
an import.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from tide.accounts.models import User

from .models import Consent, Contact, MailingList, SuppressionReason
from .signup import normalize_email

MAX_BYTES = 50 * 1024 * 1024
# Column names we understand (lower-cased), ours and Mailchimp's.
COLUMNS = {
    "email": ("email", "email address", "e-mail"),
    "first_name": ("first_name", "first name", "fname"),
    "last_name": ("last_name", "last name", "lname"),
    "status": ("status",),
    "optin_time": ("optin_time", "confirm_time", "opted in"),
    "optin_ip": ("optin_ip", "confirm_ip"),
}
STATUSES = {"subscribed", "unsubscribed", "cleaned"}


@dataclass
class Row:
    line: int
    email: str
    first_name: str = ""
    last_name: str = ""
    status: str = "subscribed"
    optin_time: datetime | None = None
    optin_ip: str | None = None
    problem: str = ""
    source_file: str = ""


@dataclass
class ImportReport:
    rows: list[Row] = field(default_factory=list)
    new_contacts: int = 0
    subscribed: int = 0
    suppressed: int = 0
    dry_run: bool = True

    @property
    def problems(self) -> list[Row]:
        return [row for row in self.rows if row.problem]

    def lines(self) -> list[str]:
        head = _("Dry run: nothing was imported.") if self.dry_run else _("Imported.")
        out = [
            head,
            _(
                "%(rows)s rows: %(new)s new contacts, %(sub)s subscribed, %(sup)s suppressed, "
                "%(bad)s with problems."
            )
            % {
                "rows": len(self.rows),
                "new": self.new_contacts,
                "sub": self.subscribed,
                "sup": self.suppressed,
                "bad": len(self.problems),
            },
        ]
        for row in self.problems:
            where = f"{row.source_file} " if row.source_file else ""
            out.append(f"  {where}line {row.line}: {row.email or '—'}: {row.problem}")
        return out


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "%(name)s is not UTF-8 text, so nothing was imported. In Excel, use "
                "“Save as → CSV UTF-8”; in LibreOffice, choose the UTF-8 character set."
            )
            % {"name": name},
            code="encoding",
        ) from None


def _read_csv(text: str, name: str, *, status: str | None) -> list[Row]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty") from None
    except csv.Error as error:
        raise ValidationError(
            _("%(name)s is not a readable CSV file (%(error)s).") % {"name": name, "error": error},
            code="csv",
        ) from None
    names = [cell.strip().lower() for cell in header]
    index = {}
    for key, aliases in COLUMNS.items():
        for position, column in enumerate(names):
            if column in aliases:
                index[key] = position
                break
    if "email" not in index:
        raise ValidationError(
            _(
                "%(name)s has no email column, so nothing was imported. The first line must "
                "name the columns, one of them “email” (or Mailchimp's “Email Address”). "
                "Columns found: %(found)s."
            )
            % {"name": name, "found": ", ".join(header) or "—"},
            code="columns",
        )
    rows = []
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue

            def cell(key: str, cells=cells) -> str:
                position = index.get(key)
                return (
                    cells[position].strip()
                    if position is not None and position < len(cells)
                    else ""
                )

            row = Row(
                line=line,
                email=cell("email"),
                first_name=cell("first_name")[:100],
                last_name=cell("last_name")[:100],
                status=status or (cell("status").lower() or "subscribed"),
                optin_ip=cell("optin_ip") or None,
                source_file=name if status else "",
            )
            if row.status not in STATUSES:
                row.problem = _("status must be subscribed, unsubscribed or cleaned")
            when = cell("optin_time")
            if when and not row.problem:
                parsed = parse_datetime(when.replace(" ", "T", 1))
                if parsed is None:
                    row.problem = _("the opt-in time is not a date and time")
                else:
                    row.optin_time = (
                        timezone.make_aware(parsed, UTC) if timezone.is_naive(parsed) else parsed
                    )
            if row.optin_ip and not row.problem:
                from django.core.validators import validate_ipv46_address

                try:
                    validate_ipv46_address(row.optin_ip)
                except ValidationError:
                    row.problem = _("the opt-in IP address is not valid")
            rows.append(row)
    except csv.Error as error:
        raise ValidationError(
            _("%(name)s is not a readable CSV file (%(error)s).") % {"name": name, "error": error},
            code="csv",
        ) from None
    return rows


def read_import(data: bytes, filename: str) -> list[Row]:
    """Every row of a CSV file, or of a Mailchimp export ZIP's subscribed, unsubscribed and
    cleaned files; ValidationError (nothing imported) if the file cannot be read."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 50 MB; use the import command."))
    if data[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise ValidationError(_("The ZIP file is damaged."), code="zip") from None
        rows: list[Row] = []
        found = False
        for info in archive.infolist():
            lowered = info.filename.lower()
            if not lowered.endswith(".csv") or info.file_size > MAX_BYTES:
                continue
            base = lowered.rsplit("/", 1)[-1]
            status = next(
                (s for s in ("unsubscribed", "cleaned", "subscribed") if base.startswith(s)),
                None,
            )
            if status is None:
                continue
            found = True
            rows += _read_csv(
                _decode(archive.read(info), info.filename), info.filename, status=status
            )
        if not found:
            raise ValidationError(
                _(
                    "This ZIP has none of Mailchimp's subscribed, unsubscribed or cleaned CSV "
                    "files, so nothing was imported."
                ),
                code="zip",
            )
        return rows
    return _read_csv(_decode(data, filename), filename, status=None)


def contacts_import(
    *,
    rows: list[Row],
    mailing_list: MailingList,
    wording: str,
    by: User | None,
    dry_run: bool,
) -> ImportReport:
    """Plan every row, then (unless `dry_run`) apply the plan in one transaction."""
    report = ImportReport(rows=rows, dry_run=dry_run)
    if not wording.strip():
        raise ValidationError(
            _("Give the wording these people agreed to: it is kept as their consent evidence."),
            code="wording",
        )
    seen: set[str] = set()
    for row in rows:
        if row.problem:
            continue
        try:
            row.email = normalize_email(row.email)
        except ValidationError as error:
            row.problem = " ".join(error.messages)
            continue
        if row.email in seen:
            row.problem = _("appears more than once; the first row was used")
            continue
        seen.add(row.email)
    good = [row for row in rows if not row.problem]
    existing = {
        contact.email: contact
        for contact in Contact.objects.filter(email__in=[row.email for row in good])
    }
    with transaction.atomic():
        for row in good:
            contact = existing.get(row.email)
            if row.status in ("unsubscribed", "cleaned"):
                reason = (
                    SuppressionReason.IMPORTED_UNSUBSCRIBED
                    if row.status == "unsubscribed"
                    else SuppressionReason.IMPORTED_CLEANED
                )
                report.suppressed += 1
                if dry_run:
                    report.new_contacts += contact is None
                    continue
                if contact is None:
                    contact = Contact.objects.create(
                        email=row.email, first_name=row.first_name, last_name=row.last_name
                    )
                    report.new_contacts += 1
                if contact.suppressed_at is None:
                    Contact.objects.filter(pk=contact.pk).update(
                        suppressed_at=timezone.now(), suppressed_reason=reason
                    )
                Consent.objects.filter(contact=contact, withdrawn_at__isnull=True).update(
                    withdrawn_at=timezone.now()
                )
                continue
            if contact is not None and contact.suppressed_at is not None:
                row.problem = _("suppressed (%(reason)s): not subscribed") % {
                    "reason": contact.get_suppressed_reason_display().lower()
                }
                continue
            report.subscribed += 1
            if dry_run:
                report.new_contacts += contact is None
                continue
            if contact is None:
                contact = Contact.objects.create(
                    email=row.email, first_name=row.first_name, last_name=row.last_name
                )
                report.new_contacts += 1
            Consent.objects.create(
                contact=contact,
                mailing_list=mailing_list,
                kind=Consent.Kind.EXPRESS,
                source=Consent.Source.IMPORT,
                given_at=row.optin_time or timezone.now(),
                ip_address=row.optin_ip,
                wording=wording,
                recorded_by=by,
            )
        if not dry_run:
            log(
                mailing_list,
                "tide.mailing.import",
                user=by,
                data={
                    "rows": len(rows),
                    "new": report.new_contacts,
                    "subscribed": report.subscribed,
                    "suppressed": report.suppressed,
                    "problems": len(report.problems),
                },
            )
    return report
