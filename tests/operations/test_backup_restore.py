"""Backup → a fresh database → restore gives the same rows, and migrations are up to date there."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from tests.website.factories import make_comment, make_post, make_site

COUNTED_TABLES = [
    "accounts_user",
    "wagtailcore_page",
    "website_blogpage",
    "website_comment",
    "website_blogauthor",
]


@pytest.fixture
def content(wagtail_tree, member):
    """Committed rows (pg_dump reads through its own connection): a transactional test."""
    _, blog = make_site()
    for _ in range(3):
        make_comment(make_post(blog), status="approved")


def _counts(cursor) -> dict[str, int]:
    result = {}
    for table in COUNTED_TABLES:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        result[table] = cursor.fetchone()[0]
    return result


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_backup_restores_every_row(content, tmp_path):
    backup = tmp_path / "backup.sqlite3"
    call_command("backup_database", str(backup))
    with connection.cursor() as cursor:
        live = _counts(cursor)

    restored = tmp_path / "restored.sqlite3"
    shutil.copy(backup, restored)  # restoring a SQLite backup is putting the file in place
    with sqlite3.connect(restored) as copy:
        restored_counts = _counts(copy.cursor())
        applied = copy.execute("SELECT COUNT(*) FROM django_migrations").fetchone()[0]

    assert restored_counts == live
    assert live["website_comment"] == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations")
        assert applied == cursor.fetchone()[0]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.skipif(shutil.which("pg_restore") is None, reason="pg_restore is not installed")
def test_postgresql_backup_restores_every_row_into_a_fresh_database(content, tmp_path):
    backup = tmp_path / "backup.dump"
    call_command("backup_database", str(backup))
    with connection.cursor() as cursor:
        live = _counts(cursor)

    settings = connection.settings_dict
    fresh = f"tide_restore_{uuid.uuid4().hex[:8]}"
    dsn = dict(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        command = ["pg_restore", "--no-owner", "--dbname", fresh, str(backup)]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings.get(key):
                command += [flag, str(settings[key])]
        subprocess.run(command, check=True)
        with psycopg.connect(dbname=fresh, **dsn) as restored:
            restored_counts = _counts(restored.cursor())
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')

    assert restored_counts == live
    assert live["website_comment"] == 3
