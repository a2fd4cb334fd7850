"""Bringing existing members over from another system: a CSV, its columns mapped, a dry run
naming each row's problems, then one all-or-nothing import that keeps their dates.

Each imported member gets an account (no password: they choose one with "Forgot your
password?"), an approved application holding their details, and one membership period with
the dates the old system had.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from tide.accounts.models import User
from tide.lib.canada import PROVINCES, postal_code_format
from tide.lib.csvimport import csv_headers, csv_records

from .models import Application, MemberImport, MembershipLevel, MembershipPeriod
from .summary import member_summaries_refresh

MAX_MEMBER_ROWS = 100_000

# (key, label, required): what a column can be mapped to.
TARGETS = [
    ("email", gettext_lazy("Email"), True),
    ("first_name", gettext_lazy("First name"), False),
    ("last_name", gettext_lazy("Last name"), False),
    ("level", gettext_lazy("Membership level"), True),
    ("starts_on", gettext_lazy("Current period starts"), True),
    ("ends_on", gettext_lazy("Current period ends"), True),
    ("province", gettext_lazy("Province"), True),
    ("phone", gettext_lazy("Phone"), False),
    ("city", gettext_lazy("City"), False),
    ("postal_code", gettext_lazy("Postal code"), False),
    ("registration_number", gettext_lazy("Registration number"), False),
    ("college", gettext_lazy("Regulatory college"), False),
]
GUESSES = {
    "email": ("email", "e-mail", "courriel"),
    "first_name": ("first", "given", "prénom"),
    "last_name": ("last", "surname", "family"),
    "level": ("level", "membership type", "category"),
    "starts_on": ("start", "since", "joined"),
    "ends_on": ("end", "expir", "renewal due"),
    "province": ("province", "prov"),
    "phone": ("phone", "tel"),
    "city": ("city", "town"),
    "postal_code": ("postal", "zip"),
    "registration_number": ("registration", "reg", "licen"),
    "college": ("college", "regulator"),
}
_PROVINCE_NAMES = {str(name).casefold(): code for code, name in PROVINCES}


@dataclass
class MemberRow:
    line: int
    email: str
    first_name: str
    last_name: str
    level: MembershipLevel
    starts_on: date
    ends_on: date
    province: str
    details: dict = field(default_factory=dict)


@dataclass
class ImportCheck:
    rows: list[MemberRow]
    problems: list[tuple[int, str]]  # (line in the file, sentence)


def guess_mapping(headers: list[str]) -> dict[str, str]:
    mapping = {}
    for key, words in GUESSES.items():
        for header in headers:
            if any(word in header.casefold() for word in words) and header not in mapping.values():
                mapping[key] = header
                break
    return mapping


def _date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError


def _province(text: str) -> str:
    text = text.strip()
    if text.upper() in {code for code, _name in PROVINCES}:
        return text.upper()
    return _PROVINCE_NAMES.get(text.casefold(), "")


def member_import_check(draft: MemberImport) -> ImportCheck:
    """Every row read under the mapping, or the problems that stop the import."""
    headers = csv_headers(draft.csv_text)
    mapping = draft.mapping or {}
    for key, label, required in TARGETS:
        if required and mapping.get(key) not in headers:
            raise ValidationError(
                _("Choose the column that holds “%(field)s”.") % {"field": label}, code="mapping"
            )
    levels = {}
    for level in MembershipLevel.objects.all():
        levels[level.name.casefold()] = level
        levels[level.slug.casefold()] = level
    existing = _existing_periods()
    rows, problems, seen = [], [], set()

    def value(record: dict, key: str) -> str:
        column = mapping.get(key)
        return (record.get(column) or "").strip() if column else ""

    for index, (line, record) in enumerate(csv_records(draft.csv_text, headers)):
        if index >= MAX_MEMBER_ROWS:
            raise ValidationError(
                _("The file has more than %(max)s rows.") % {"max": f"{MAX_MEMBER_ROWS:,}"},
                code="too_many_rows",
            )
        row_problems = []
        email = value(record, "email").lower()
        try:
            validate_email(email)
        except ValidationError:
            row_problems.append(_("“%(email)s” is not an email address.") % {"email": email})
        if email in seen:
            row_problems.append(_("%(email)s appears twice in the file.") % {"email": email})
        seen.add(email)
        level = levels.get(value(record, "level").casefold())
        if level is None:
            row_problems.append(
                _("No membership level is called “%(level)s”.") % {"level": value(record, "level")}
            )
        try:
            starts_on, ends_on = _date(value(record, "starts_on")), _date(value(record, "ends_on"))
        except ValueError:
            row_problems.append(_("Write the period's dates as YYYY-MM-DD."))
            starts_on = ends_on = None
        if starts_on and ends_on and ends_on < starts_on:
            row_problems.append(_("The period ends before it starts."))
        province = _province(value(record, "province"))
        if not province:
            row_problems.append(
                _("“%(province)s” is not a Canadian province or territory.")
                % {"province": value(record, "province")}
            )
        details = {
            "phone": value(record, "phone")[:30],
            "practice_city": value(record, "city")[:100],
            "registration_number": re.sub(r"\s", "", value(record, "registration_number"))[:20],
            "college": value(record, "college")[:200],
        }
        if postal := value(record, "postal_code"):
            try:
                details["practice_postal_code"] = postal_code_format(postal)
            except ValidationError as error:
                row_problems.extend(error.messages)
        if (
            starts_on
            and ends_on
            and any(start <= ends_on and starts_on <= end for start, end in existing.get(email, []))
        ):
            row_problems.append(
                _("%(email)s is already a member over these dates.") % {"email": email}
            )
        if row_problems:
            problems.extend((line, problem) for problem in row_problems)
            continue
        rows.append(
            MemberRow(
                line=line,
                email=email,
                first_name=value(record, "first_name")[:150],
                last_name=value(record, "last_name")[:150],
                level=level,
                starts_on=starts_on,
                ends_on=ends_on,
                province=province,
                details=details,
            )
        )
    if not rows and not problems:
        problems.append((1, _("The file has no rows below its header.")))
    return ImportCheck(rows=rows, problems=problems)


def _existing_periods() -> dict[str, list[tuple[date, date]]]:
    periods: dict[str, list[tuple[date, date]]] = {}
    for email, starts_on, ends_on in MembershipPeriod.objects.values_list(
        "user__email", "starts_on", "ends_on"
    ):
        periods.setdefault(email, []).append((starts_on, ends_on))
    return periods


@transaction.atomic
def member_import_commit(*, draft: MemberImport, by: User) -> MemberImport:
    """Import every row or none: refused while any row has a problem."""
    draft = MemberImport.objects.select_for_update().get(pk=draft.pk)
    if draft.status != MemberImport.Status.DRAFT:
        raise ValidationError(_("This file has already been imported."), code="committed")
    check = member_import_check(draft)
    if check.problems:
        raise ValidationError(
            _("Fix the %(count)s problems in the file first; nothing was imported.")
            % {"count": len(check.problems)},
            code="problems",
        )
    users = {
        user.email: user for user in User.objects.filter(email__in=[r.email for r in check.rows])
    }
    new_users = [
        User(email=row.email, first_name=row.first_name, last_name=row.last_name)
        for row in check.rows
        if row.email not in users
    ]
    for user in new_users:
        user.set_unusable_password()  # they choose one with "Forgot your password?"
    User.objects.bulk_create(new_users, batch_size=1000)
    users.update(
        {user.email: user for user in User.objects.filter(email__in=[u.email for u in new_users])}
    )
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=users[u.email], email=u.email, primary=True, verified=True)
            for u in new_users
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    now = timezone.now()
    applications = Application.objects.bulk_create(
        [
            Application(
                user=users[row.email],
                level=row.level,
                legal_name=f"{row.first_name} {row.last_name}".strip() or row.email,
                province=row.province,
                status=Application.Status.APPROVED,
                decided_by=by,
                decided_at=now,
                decision_reason=_("Imported from %(file)s, line %(line)s")
                % {"file": draft.file_name, "line": row.line},
                **row.details,
            )
            for row in check.rows
        ],
        batch_size=1000,
    )
    if not all(application.pk for application in applications):  # pragma: no cover - old DBs
        raise RuntimeError("bulk_create did not return primary keys")
    MembershipPeriod.objects.bulk_create(
        [
            MembershipPeriod(
                user=users[row.email],
                level=row.level,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                application=application,
            )
            for row, application in zip(check.rows, applications, strict=True)
        ],
        batch_size=1000,
    )
    member_summaries_refresh(user.pk for user in users.values())  # bulk_create sends no signals
    draft.status = MemberImport.Status.COMMITTED
    draft.rows_imported = len(check.rows)
    draft.committed_at = now
    draft.csv_text = ""
    draft.save()
    log(draft, "tide.membership.member_import", user=by, data={"rows": len(check.rows)})
    return draft
