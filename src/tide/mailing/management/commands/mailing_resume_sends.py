from __future__ import annotations

from django.core.management.base import BaseCommand

from tide.mailing.importing import contact_imports_fail_stalled
from tide.mailing.sending import broadcasts_resume_stalled


class Command(BaseCommand):
    help = (
        "Start a new worker for every broadcast whose worker stopped (killed, crashed), and "
        "mark contact imports whose worker stopped as failed."
    )

    def handle(self, *args, **options) -> None:
        resumed = broadcasts_resume_stalled()
        failed = contact_imports_fail_stalled()
        if options["verbosity"] and resumed:
            self.stdout.write(f"Resumed broadcasts: {', '.join(map(str, resumed))}")
        if options["verbosity"] and failed:
            self.stdout.write(f"Stalled imports marked failed: {', '.join(map(str, failed))}")
