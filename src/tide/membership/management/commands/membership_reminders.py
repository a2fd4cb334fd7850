"""Send today's renewal reminders and lapse notices (run by `runperiodic`).

Idempotent and safe on several machines at once: each reminder is claimed by inserting its
`RenewalReminder` row before the email is queued.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand

from tide.membership.renewals import membership_send_reminders


class Command(BaseCommand):
    help = "Send the membership renewal reminders and lapse notices due today."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (for testing)"
        )

    def handle(self, *args, today: date | None, **options) -> None:
        sent = membership_send_reminders(today=today)
        if options["verbosity"] > 0:
            self.stdout.write(f"{sent} renewal reminder(s) sent.")
