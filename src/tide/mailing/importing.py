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
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.log_actions import log

from tide.accounts.models import User

from .models import Consent, Contact, ContactImport, MailingList, SuppressionReason
from .signup import normalize_email

logger = logging.getLogger(__name__)
MAX_BYTES = 50 * 1024 * 1024
# Rows per query: well under SQLite's limit on query parameters, and few round trips.
CHUNK = 500
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


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def contacts_import(
    *,
    rows: list[Row],
    mailing_list: MailingList,
    wording: str,
    by: User | None,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Plan every row, then (unless `dry_run`) apply the plan in one transaction, in bulk.
    `progress(percent)` is called as the work goes on."""
    report = ImportReport(rows=rows, dry_run=dry_run)
    if not wording.strip():
        raise ValidationError(
            _("Give the wording these people agreed to: it is kept as their consent evidence."),
            code="wording",
        )
    progress = progress or (lambda percent: None)
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
    existing: dict[str, Contact] = {}
    lookups = list(_chunks([row.email for row in good], CHUNK))
    for done, emails in enumerate(lookups, start=1):
        existing.update(
            (contact.email, contact)
            for contact in Contact.objects.filter(email__in=emails).only(
                "id", "email", "suppressed_at", "suppressed_reason"
            )
        )
        progress(40 * done // len(lookups))
    new: dict[str, Contact] = {}
    suppress: list[Row] = []
    subscribe: list[Row] = []
    for row in good:
        contact = existing.get(row.email)
        if row.status in ("unsubscribed", "cleaned"):
            suppress.append(row)
        elif contact is not None and contact.suppressed_at is not None:
            row.problem = _("suppressed (%(reason)s): not subscribed") % {
                "reason": contact.get_suppressed_reason_display().lower()
            }
            continue
        else:
            subscribe.append(row)
        if contact is None:
            new[row.email] = Contact(
                email=row.email, first_name=row.first_name, last_name=row.last_name
            )
    report.new_contacts, report.suppressed, report.subscribed = (
        len(new),
        len(suppress),
        len(subscribe),
    )
    if dry_run:
        progress(100)
        return report
    with transaction.atomic():
        for done, chunk in enumerate(_chunks(list(new.values()), CHUNK), start=1):
            Contact.objects.bulk_create(chunk)
            progress(40 + 20 * done * CHUNK // max(1, len(new)))
        ids = {email: contact.pk for email, contact in existing.items()}
        for emails in _chunks(list(new), CHUNK):
            ids.update(Contact.objects.filter(email__in=emails).values_list("email", "id"))
        now = timezone.now()
        for status, reason in (
            ("unsubscribed", SuppressionReason.IMPORTED_UNSUBSCRIBED),
            ("cleaned", SuppressionReason.IMPORTED_CLEANED),
        ):
            chosen = [ids[row.email] for row in suppress if row.status == status]
            for chunk in _chunks(chosen, CHUNK):
                Contact.objects.filter(pk__in=chunk, suppressed_at__isnull=True).update(
                    suppressed_at=now, suppressed_reason=reason
                )
                Consent.objects.filter(contact_id__in=chunk, withdrawn_at__isnull=True).update(
                    withdrawn_at=now
                )
        progress(70)
        for done, chunk in enumerate(_chunks(subscribe, CHUNK), start=1):
            Consent.objects.bulk_create(
                Consent(
                    contact_id=ids[row.email],
                    mailing_list=mailing_list,
                    kind=Consent.Kind.EXPRESS,
                    source=Consent.Source.IMPORT,
                    given_at=row.optin_time or now,
                    ip_address=row.optin_ip,
                    wording=wording,
                    recorded_by=by,
                )
                for row in chunk
            )
            progress(70 + 30 * done * CHUNK // max(1, len(subscribe)))
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
    progress(100)
    return report


# --- In the background, with progress (the back office) ------------------------------------

PROBLEMS_KEPT = 1000  # rows with problems listed in the report; the command prints them all


def contact_import_queue(
    *,
    data: bytes,
    file_name: str,
    mailing_list: MailingList,
    wording: str,
    dry_run: bool,
    by: User | None,
) -> ContactImport:
    """Check the file can be read (ValidationError, nothing queued, if not) and queue the
    dry run or import; its page shows the progress."""
    read_import(data, file_name)
    if not wording.strip():
        raise ValidationError(
            _("Give the wording these people agreed to: it is kept as their consent evidence."),
            code="wording",
        )
    job = ContactImport.objects.create(
        mailing_list=mailing_list,
        wording=wording,
        dry_run=dry_run,
        file_name=file_name[:200],
        data=data,
        created_by=by,
    )
    transaction.on_commit(lambda: contact_import_task.enqueue(import_id=job.pk))
    return job


@transaction.atomic
def contact_import_again(*, job: ContactImport, by: User | None) -> ContactImport:
    """After a dry run: import the same file for real, without uploading it again."""
    if not (job.dry_run and job.status == ContactImport.Status.DONE and job.data):
        raise ValidationError(_("Only a finished dry run can be imported."), code="not_dry_run")
    again = contact_import_queue(
        data=bytes(job.data),
        file_name=job.file_name,
        mailing_list=job.mailing_list,
        wording=job.wording,
        dry_run=False,
        by=by,
    )
    ContactImport.objects.filter(pk=job.pk).update(data=b"")  # one import per dry run
    return again


def _progress_key(import_id: int) -> str:
    return f"mailing:import-progress:{import_id}"


def contact_import_progress(job: ContactImport) -> int:
    """Percent done. Kept in the shared cache: the import's own transaction hides its
    database writes until the end."""
    if job.is_finished:
        return 100
    return cache.get(_progress_key(job.pk), 0)


# An uploaded file holds everyone's address: kept a week for "Import this file now" after
# a dry run; the report's rows with problems (addresses too) a month.
FILE_KEPT = timedelta(days=7)
PROBLEMS_KEPT_FOR = timedelta(days=30)


def contact_import_files_purge(*, now=None) -> int:
    """Empty the files of finished imports after FILE_KEPT and drop the problem rows from
    their reports after PROBLEMS_KEPT_FOR, keeping the counts; how many imports changed."""
    now = now or timezone.now()
    finished = ContactImport.objects.filter(
        status__in=[ContactImport.Status.DONE, ContactImport.Status.FAILED]
    )
    changed = finished.filter(finished_at__lt=now - FILE_KEPT).exclude(data=b"").update(data=b"")
    for job in finished.filter(finished_at__lt=now - PROBLEMS_KEPT_FOR, report__has_key="problems"):
        job.report = {"counts": job.report.get("counts", {}), "problems_removed": True}
        job.save(update_fields=["report"])
        changed += 1
    return changed


# 100,000 rows take about a minute: an import running this long lost its worker.
STALLED_AFTER = timedelta(hours=1)


def contact_imports_fail_stalled(*, now=None) -> list[int]:
    """Imports whose worker died (killed, restarted) are marked failed, so staff see it and
    start again: an import is one transaction, so nothing of it was saved."""
    now = now or timezone.now()
    stalled = list(
        ContactImport.objects.filter(
            status=ContactImport.Status.RUNNING, started_at__lt=now - STALLED_AFTER
        ).values_list("pk", flat=True)
    )
    ContactImport.objects.filter(pk__in=stalled, status=ContactImport.Status.RUNNING).update(
        status=ContactImport.Status.FAILED,
        finished_at=now,
        error=_("The import stopped before it finished; nothing was imported. Upload it again."),
    )
    return stalled


@task()
def contact_import_task(*, import_id: int) -> None:
    contact_import_run(import_id)


def contact_import_run(import_id: int) -> None:
    """Run a queued import once (a second worker finds it already started)."""
    started = ContactImport.objects.filter(pk=import_id, status=ContactImport.Status.QUEUED).update(
        status=ContactImport.Status.RUNNING, started_at=timezone.now()
    )
    if not started:
        return
    job = ContactImport.objects.select_related("mailing_list", "created_by").get(pk=import_id)
    key = _progress_key(job.pk)
    try:
        rows = read_import(bytes(job.data), job.file_name)
        ContactImport.objects.filter(pk=job.pk).update(rows_total=len(rows))
        report = contacts_import(
            rows=rows,
            mailing_list=job.mailing_list,
            wording=job.wording,
            by=job.created_by,
            dry_run=job.dry_run,
            progress=lambda percent: cache.set(key, percent, 24 * 3600),
        )
    except ValidationError as error:
        job.status, job.error = ContactImport.Status.FAILED, " ".join(error.messages)
    except Exception:
        logger.exception("Contact import %s failed", job.pk)
        job.status = ContactImport.Status.FAILED
        job.error = _("Something went wrong; nothing was imported. Try again or use the command.")
    else:
        job.status = ContactImport.Status.DONE
        job.rows_total = len(rows)
        job.report = {
            "counts": {
                "rows": len(rows),
                "new": report.new_contacts,
                "subscribed": report.subscribed,
                "suppressed": report.suppressed,
                "problems": len(report.problems),
            },
            "problems": [
                [row.source_file, row.line, row.email, str(row.problem)]
                for row in report.problems[:PROBLEMS_KEPT]
            ],
        }
        if not job.dry_run:
            job.data = b""  # imported: no need to keep everyone's addresses twice
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "rows_total", "report", "data", "finished_at"])
    cache.delete(key)
