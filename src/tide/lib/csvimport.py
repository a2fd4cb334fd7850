"""Reading CSV files people upload (registers, member lists): the encodings spreadsheets
write, a header row, and a sentence for a person when the file is not that."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def csv_decode(content: bytes) -> str:
    """UTF-8 (with or without Excel's byte-order mark) or Windows-1252, or a clear refusal."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."), code="too_large")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _("The file is not text in UTF-8 or Windows-1252. Save it as “CSV UTF-8” and try again."),
        code="encoding",
    )


def csv_headers(text: str) -> list[str]:
    """The column names of the first row; an empty or headerless file is refused."""
    try:
        headers = next(csv.reader(io.StringIO(text)), [])
    except csv.Error as error:
        raise ValidationError(
            _("The file could not be read as CSV: %(error)s") % {"error": error}, code="csv"
        ) from error
    headers = [header.strip() for header in headers]
    if len([header for header in headers if header]) < 2:
        raise ValidationError(
            _("The first row must name the columns (at least two)."),
            code="headers",
        )
    return headers


def csv_records(text: str, headers: list[str]):
    """Each data row as (line number, {header: value}); a malformed file raises a sentence."""
    reader = csv.DictReader(io.StringIO(text), fieldnames=headers)
    next(reader)  # the header row
    try:
        for record in reader:
            yield reader.line_num, record
    except csv.Error as error:
        raise ValidationError(
            _("The file could not be read as CSV: %(error)s") % {"error": error}, code="csv"
        ) from error
