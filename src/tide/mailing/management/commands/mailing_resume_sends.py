from __future__ import annotations

from django.core.management.base import BaseCommand

from tide.mailing.sending import broadcasts_resume_stalled


class Command(BaseCommand):
    help = "Start a new worker for every broadcast whose worker stopped (killed, crashed)."

    def handle(self, *args, **options) -> None:
        resumed = broadcasts_resume_stalled()
        if options["verbosity"] and resumed:
            self.stdout.write(f"Resumed broadcasts: {', '.join(map(str, resumed))}")
