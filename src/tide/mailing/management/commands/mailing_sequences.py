from __future__ import annotations

from django.core.management.base import BaseCommand

from tide.mailing.sequences import sequences_send


class Command(BaseCommand):
    help = "Send the follow-up emails that are due (N days after joining a list)."

    def handle(self, *args, **options) -> None:
        sent = sequences_send()
        if options["verbosity"]:
            self.stdout.write(f"{sent} follow-up emails sent.")
