"""Automatic renewals due today: notices and card charges (run by `runperiodic`).

Safe to run often and on several machines at once: each member's row is locked while it
is handled, and a charge's idempotency key names its invoice and attempt.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand

from tide.membership.auto_renew import auto_renew_run


class Command(BaseCommand):
    help = "Send automatic-renewal notices and charge the saved cards due today."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (for testing)"
        )

    def handle(self, *args, today: date | None, **options) -> None:
        counts = auto_renew_run(today=today)
        if options["verbosity"] > 0:
            self.stdout.write(
                "{notices} notice(s), {charged} charged, {declined} declined.".format(**counts)
            )
