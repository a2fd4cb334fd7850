"""The regulatory colleges' public registers: staff import one as CSV (mapping its columns),
and a registration number found on it, active, under the applicant's name verifies the
application with no human step; members found on it get the directory's "verified" badge.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from tide.accounts.models import User
from tide.lib.csvimport import csv_headers, csv_records

from .models import Application, RegisterEntry, RegisterImport

MAX_REGISTER_ROWS = 200_000


def college_key(college: str) -> str:
    return " ".join(college.casefold().split())


def number_key(number: str) -> str:
    """'u-4812 ' and 'U4812' are the same number."""
    return re.sub(r"[^0-9A-Z]", "", number.upper())[:20]


def name_tokens(name: str) -> frozenset[str]:
    """'Côté-O'Brien, Amélie' → {'cote', 'o', 'brien', 'amelie'}: accents, case, order and
    punctuation do not matter."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return frozenset(re.findall(r"[a-z0-9]+", plain))


def names_match(register_name: str, legal_name: str) -> bool:
    """The same tokens, or one name is the other with middle names left out (at least a
    first and a last name in common)."""
    listed, legal = name_tokens(register_name), name_tokens(legal_name)
    if not listed or not legal:
        return False
    if listed == legal:
        return True
    shorter, longer = sorted((listed, legal), key=len)
    return len(shorter) >= 2 and shorter <= longer


@dataclass(frozen=True)
class RegisterRow:
    number: str
    name: str
    status: str
    active: bool


def register_rows(draft: RegisterImport) -> list[RegisterRow]:
    """Every row of the upload under the mapping; rows without a number or name are skipped."""
    headers = csv_headers(draft.csv_text)
    for column in (draft.number_column, draft.name_column):
        if column not in headers:
            raise ValidationError(
                _("Choose the columns holding the registration number and the name."),
                code="mapping",
            )
    if draft.status_column and draft.status_column not in headers:
        raise ValidationError(_("The status column is not in the file."), code="mapping")
    active_values = {value.strip().casefold() for value in draft.active_values.split(",")}
    rows = []
    for index, (_line, record) in enumerate(csv_records(draft.csv_text, headers)):
        if index >= MAX_REGISTER_ROWS:
            raise ValidationError(
                _("The file has more than %(max)s rows.") % {"max": f"{MAX_REGISTER_ROWS:,}"},
                code="too_many_rows",
            )
        number = number_key(record.get(draft.number_column) or "")
        name = (record.get(draft.name_column) or "").strip()[:200]
        if not number or not name:
            continue
        status = (
            (record.get(draft.status_column) or "").strip()[:100] if draft.status_column else ""
        )
        active = status.casefold() in active_values if draft.status_column else True
        rows.append(RegisterRow(number=number, name=name, status=status, active=active))
    return rows


def register_entry_for(application: Application) -> RegisterEntry | None:
    """The active register entry that verifies `application`, if there is one."""
    if not application.registration_number or not application.college:
        return None
    candidates = RegisterEntry.objects.filter(
        college_key=college_key(application.college),
        number_key=number_key(application.registration_number),
        active=True,
    )
    for entry in candidates:
        if names_match(entry.name, application.legal_name):
            return entry
    return None


def application_verify(application: Application, *, today: date | None = None) -> bool:
    """Check `application` against the register. Found: its number is marked verified, and
    a paid application waiting for review is approved with no human step."""
    from .services import application_approve

    if register_entry_for(application) is None:
        return False
    today = today or timezone.localdate()
    application.registration_verified_on = today
    application.save(update_fields=["registration_verified_on"])  # signals: the directory's badge
    if application.status == Application.Status.AWAITING_REVIEW:
        application_approve(application=application, by=None, today=today)
    return True


@dataclass
class RegisterMatches:
    """What a register says of the applications and members of its college."""

    verifies: list[Application]  # active under the same number and name
    mismatched: list[tuple[Application, str]]  # the number is listed under another name
    unverified: list[Application]  # verified before, not verified by this register


def register_matches(rows: list[RegisterRow], college: str) -> RegisterMatches:
    """Match the paid applications and members of `college` against `rows`, in memory (the
    dry run shows this; the import acts on it)."""
    active = {row.number: row for row in rows if row.active}
    key = college_key(college)
    matches = RegisterMatches(verifies=[], mismatched=[], unverified=[])
    for application in Application.objects.filter(
        status__in=[Application.Status.AWAITING_REVIEW, Application.Status.APPROVED]
    ).exclude(registration_number=""):
        if college_key(application.college) != key:
            continue
        row = active.get(number_key(application.registration_number))
        if row and names_match(row.name, application.legal_name):
            matches.verifies.append(application)
            continue
        if row:
            matches.mismatched.append((application, row.name))
        if application.registration_verified_on:
            matches.unverified.append(application)
    return matches


@transaction.atomic
def register_commit(*, draft: RegisterImport, by: User) -> RegisterImport:
    """Replace the college's register with this upload (all or nothing) and verify the open
    applications and current members it lists."""
    draft = RegisterImport.objects.select_for_update().get(pk=draft.pk)
    if draft.status != RegisterImport.Status.DRAFT:
        raise ValidationError(_("This register has already been imported."), code="committed")
    rows = register_rows(draft)
    if not rows:
        raise ValidationError(
            _("No row has both a registration number and a name; check the columns chosen."),
            code="empty",
        )
    key = college_key(draft.college)
    RegisterEntry.objects.filter(college_key=key).delete()  # the newest register replaces the last
    RegisterEntry.objects.bulk_create(
        (
            RegisterEntry(
                register_import=draft,
                college_key=key,
                number_key=row.number,
                name=row.name,
                register_status=row.status,
                active=row.active,
            )
            for row in rows
        ),
        batch_size=2000,
    )
    matches = register_matches(rows, draft.college)
    today = timezone.localdate()
    # No longer active on the register (or under another name): the badge goes.
    Application.objects.filter(pk__in=[a.pk for a in matches.unverified]).update(
        registration_verified_on=None
    )
    Application.objects.filter(pk__in=[a.pk for a in matches.verifies]).update(
        registration_verified_on=today
    )
    from .services import application_approve

    for application in matches.verifies:
        if application.status == Application.Status.AWAITING_REVIEW:
            application_approve(application=application, by=None, today=today)
    verified = len(matches.verifies)
    listed = {row.number for row in rows if row.active}
    draft.status = RegisterImport.Status.COMMITTED
    draft.rows_total = len(rows)
    draft.rows_active = len(listed)
    draft.verified_count = verified
    draft.committed_at = timezone.now()
    draft.csv_text = ""  # the entries hold what matters; the upload need not be kept
    draft.save()
    log(
        draft,
        "tide.membership.register_import",
        user=by,
        data={"college": draft.college, "rows": len(rows), "verified": verified},
    )
    return draft
