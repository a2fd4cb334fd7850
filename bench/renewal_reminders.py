"""The nightly renewal-reminder job with many members, on SQLite in a throw-away VAR_DIR.

    .venv/bin/python bench/renewal_reminders.py            # 20,000 members
    .venv/bin/python bench/renewal_reminders.py 100000     # the issue's target: under 30 s

Everyone renews on the same fixed date, so the worst day is the one where every member's
reminder falls due at once: N members whose periods all end on 30 November, the job run 60
days before. Each email is queued as a background-task row (the production tasks backend),
not delivered. Then the job runs again the same day (nothing left to send) and on a day
with nothing due. Prints the seconds and the SQL statements of each run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
END = date(2026, 11, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("members", nargs="?", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch VAR_DIR")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="tide-bench-reminders-")
    os.environ.update(
        VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="tide.settings",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    try:
        run(args.members)
    finally:
        if args.keep:
            print(f"scratch database kept in {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def run(count: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from tide.accounts.models import User
    from tide.membership.models import MembershipLevel, MembershipPeriod, RenewalReminder
    from tide.membership.renewals import membership_send_reminders

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    level = MembershipLevel.objects.create(name="RMT", slug="rmt", annual_price_cents=350_00)
    with transaction.atomic():
        User.objects.bulk_create(
            (
                User(email=f"member{n}@bench.example", first_name="Member", last_name=str(n))
                for n in range(count)
            ),
            batch_size=2000,
        )
        users = User.objects.filter(email__endswith="@bench.example").values_list("pk", flat=True)
        MembershipPeriod.objects.bulk_create(
            (
                MembershipPeriod(user_id=pk, level=level, starts_on=date(2025, 12, 1), ends_on=END)
                for pk in users.iterator()
            ),
            batch_size=2000,
        )
    print(f"seeded {count:,} members in {time.perf_counter() - started:.1f} s")

    def timed(label: str, today: date) -> None:
        statements = [0]

        def count(execute, sql, params, many, context):
            statements[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            sent = membership_send_reminders(today=today)
            seconds = time.perf_counter() - started
        print(
            f"{label}: {sent:,} reminders claimed and queued in {seconds:.2f} s, "
            f"{statements[0]:,} SQL statements"
        )

    timed("reminder day (60 days before)", END - timedelta(days=60))
    timed("same day again", END - timedelta(days=60))
    timed("a day with nothing due", END - timedelta(days=59))
    assert RenewalReminder.objects.count() == count


if __name__ == "__main__":
    main()
