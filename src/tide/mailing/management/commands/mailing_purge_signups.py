from __future__ import annotations

from django.core.management.base import BaseCommand

from tide.mailing.services import signups_purge


class Command(BaseCommand):
    help = "Delete email-list sign-ups never confirmed within 30 days."

    def handle(self, *args, **options) -> None:
        deleted = signups_purge()
        if options["verbosity"]:
            self.stdout.write(f"{deleted} unconfirmed sign-ups deleted.")
