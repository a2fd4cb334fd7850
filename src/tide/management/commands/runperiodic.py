"""The one periodic entry point: every scheduled job, run once, or every minute with --loop.

One cron line (`* * * * * tide runperiodic`) or one loop beside the worker serves them all.
Each job is idempotent and safe when several machines run it at once.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

logger = logging.getLogger(__name__)


def periodic_commands() -> list[tuple[str, dict]]:
    """Management commands run on every tick. Apps add theirs here as they come."""
    commands: list[tuple[str, dict]] = [
        ("publish_scheduled", {}),  # Wagtail: publish and unpublish pages at their scheduled times
        ("membership_reminders", {}),  # renewal reminders and lapse notices, once each
        ("membership_auto_renew", {}),  # notices and saved-card charges for automatic renewal
        ("billing_reconcile", {}),  # card payments whose Stripe webhook never arrived
        ("education_periodic", {}),  # seat holds and waitlist offers expire; event and CE reminders
        ("mailing_resume_sends", {}),  # a new worker for a broadcast whose worker died
        ("mailing_purge_signups", {}),  # email-list sign-ups unconfirmed after 30 days
        ("mailing_sequences", {}),  # follow-up emails N days after joining a list
        ("directory_refresh_listings", {}),  # once a day: who is listed, repaired after imports
    ]
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        commands.append(
            ("prune_db_task_results", {"min_age_days": 14})
        )  # finished background tasks
    return commands


class Command(BaseCommand):
    help = "Run every periodic job once (or forever, every --interval seconds, with --loop)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=int, default=60)

    def handle(self, *args, loop: bool, interval: int, **options) -> None:
        while True:
            for name, kwargs in periodic_commands():
                try:
                    call_command(name, verbosity=0, **kwargs)
                except Exception:  # one failing job must not stop the others
                    logger.exception("periodic job %s failed", name)
                    if not loop:
                        raise
            if not loop:
                return
            time.sleep(interval)
