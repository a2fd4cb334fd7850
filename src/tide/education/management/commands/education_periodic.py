"""Release unpaid or unanswered seats and pass them on, send event reminders a week and a
day before, and remind members behind on their CE cycle (run by `runperiodic`).

Idempotent and safe on several machines at once: seats move under the event's row lock and
each reminder is claimed by an update before its email is queued.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tide.education.credits import behind_reminders_send
from tide.education.services import registrations_expire, reminders_send


class Command(BaseCommand):
    help = "Expire seat holds and waitlist offers, send event and CE-cycle reminders."

    def handle(self, *args, **options) -> None:
        expired = registrations_expire()
        reminded = reminders_send()
        behind = behind_reminders_send()
        if options["verbosity"] > 0:
            self.stdout.write(
                f"{expired} hold(s) expired, {reminded} event reminder(s), "
                f"{behind} CE reminder(s) sent."
            )
