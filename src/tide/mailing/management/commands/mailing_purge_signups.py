from __future__ import annotations

from django.core.management.base import BaseCommand

from tide.mailing.importing import contact_import_files_purge
from tide.mailing.services import signups_purge


class Command(BaseCommand):
    help = (
        "Delete email-list sign-ups never confirmed within 30 days, and the addresses kept "
        "with old contact imports (files after a week, problem rows after a month)."
    )

    def handle(self, *args, **options) -> None:
        deleted = signups_purge()
        emptied = contact_import_files_purge()
        if options["verbosity"]:
            self.stdout.write(f"{deleted} unconfirmed sign-ups deleted.")
            self.stdout.write(f"{emptied} old contact imports emptied.")
