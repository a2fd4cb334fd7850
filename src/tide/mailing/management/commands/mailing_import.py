from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tide.mailing.importing import contacts_import, read_import
from tide.mailing.models import MailingList


class Command(BaseCommand):
    help = (
        "Import contacts into a list from a CSV file or a Mailchimp export ZIP. "
        "Unsubscribed and cleaned addresses are imported suppressed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--list", required=True, dest="list_slug", help="the list's slug")
        parser.add_argument(
            "--wording", required=True, help="what these people agreed to (consent evidence)"
        )
        parser.add_argument("--dry-run", action="store_true", help="report only; import nothing")

    def handle(self, *args, file: Path, list_slug: str, wording: str, dry_run: bool, **options):
        mailing_list = MailingList.objects.filter(slug=list_slug).first()
        if mailing_list is None:
            raise CommandError(f"No list with the slug {list_slug!r}.")
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        try:
            rows = read_import(file.read_bytes(), file.name)
            report = contacts_import(
                rows=rows, mailing_list=mailing_list, wording=wording, by=None, dry_run=dry_run
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write("\n".join(report.lines()))
