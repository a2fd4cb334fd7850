"""A consistent copy of the database, taken while Tide keeps running.

SQLite: the online backup API (safe with WAL and a busy worker). PostgreSQL: pg_dump's
custom format, restored with pg_restore (see docs/backup.md).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Write a consistent backup of the database to PATH (SQLite file or pg_dump archive)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(path) as target:
                connection.connection.backup(target)
            target.close()
        elif connection.vendor == "postgresql":
            env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
            command = [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--file={path}",
                "--dbname",
                settings["NAME"],
            ]
            for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
                if settings.get(key):
                    command += [flag, str(settings[key])]
            try:
                subprocess.run(command, check=True, env=env)  # noqa: S603  # nosec B603
            except (OSError, subprocess.CalledProcessError) as error:
                raise CommandError(f"pg_dump failed: {error}") from error
        else:
            raise CommandError(f"No backup method for {connection.vendor}.")
        self.stdout.write(f"Backed up to {path} ({path.stat().st_size:,} bytes).")
