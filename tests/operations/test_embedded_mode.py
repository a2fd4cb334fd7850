"""The embedded mode as `make run` starts it: SQLite on disk, a task worker beside the web server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TIDE = str(Path(sys.executable).parent / "tide")

WRITER = """
from django.db import transaction
from tide.accounts.models import User
for n in range({count}):
    with transaction.atomic():
        User.objects.create_user(email=f"{prefix}{{n}}@example.com")
        User.objects.filter(email__startswith="{prefix}").count()
"""


def embedded_env(var_dir: Path) -> dict[str, str]:
    """The environment of `make run`: no database or cache server, files under var_dir."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_HOST"}
    }
    return {**env, "VAR_DIR": str(var_dir), "TIDE_TESTING": "0"}


def run_tide(*args: str, var_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [TIDE, *args],
        env=embedded_env(var_dir),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def migrated_var(tmp_path_factory) -> Path:
    var_dir = tmp_path_factory.mktemp("embedded")
    result = run_tide("migrate", "--noinput", "-v0", var_dir=var_dir)
    assert result.returncode == 0, result.stderr
    return var_dir


@pytest.fixture
def var_dir(migrated_var, tmp_path) -> Path:
    copy = tmp_path / "var"
    shutil.copytree(migrated_var, copy)
    return copy


def test_the_worker_sends_email_queued_by_the_web_server_to_the_mail_folder(var_dir):
    enqueue = run_tide(
        "shell",
        "-c",
        "from tide.mailing.transactional import send_email_message\n"
        "send_email_message.enqueue(to='new@example.com', subject='Welcome aboard', text='Hello', html='<p>Hello</p>')",
        var_dir=var_dir,
    )
    assert enqueue.returncode == 0, enqueue.stderr
    assert not (var_dir / "mail").exists() or not any((var_dir / "mail").iterdir()), (
        "sent before a worker ran"
    )

    worker = run_tide("db_worker", "--batch", "--no-startup-delay", "--no-reload", var_dir=var_dir)

    assert worker.returncode == 0, worker.stderr
    [mail_file] = (var_dir / "mail").glob("*.log")
    assert "Subject: Welcome aboard" in mail_file.read_text()
    assert "To: new@example.com" in mail_file.read_text()


def test_two_processes_write_at_once_without_database_is_locked(var_dir):
    processes = [
        subprocess.Popen(
            [TIDE, "shell", "-c", WRITER.format(count=150, prefix=prefix)],
            env=embedded_env(var_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in ("web", "worker")
    ]
    outputs = [process.communicate(timeout=180) for process in processes]

    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert "database is locked" not in stderr
    count = run_tide(
        "shell",
        "-c",
        "from tide.accounts.models import User; print(User.objects.count())",
        var_dir=var_dir,
    )
    assert count.stdout.strip().splitlines()[-1] == "300"
