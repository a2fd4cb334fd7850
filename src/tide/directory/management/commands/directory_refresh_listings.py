"""Recompute every listing's stored window once a day (run by `runperiodic` every minute;
only the first run of a day does the work), so anything written without signals, such as a
bulk import of members, is put right by the next morning. --force runs it now."""

from __future__ import annotations

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.utils import timezone

from tide.directory.services import listing_windows_refresh


class Command(BaseCommand):
    help = "Recompute who is listed in the directory (once a day unless --force)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, force: bool, **options) -> None:
        today = timezone.localdate()
        # cache.add is atomic: one run a day per cache; a second run is harmless anyway.
        if not force and not cache.add(f"directory-refresh-{today}", 1, 2 * 86400):
            return
        changed = listing_windows_refresh(today=today)
        if options["verbosity"] > 0:
            self.stdout.write(f"{changed} listing(s) changed.")
