"""The staff members list with many members, on SQLite in a throw-away VAR_DIR.

    .venv/bin/python bench/members_list.py            # 100,000 members (the issue's target)
    .venv/bin/python bench/members_list.py 20000

Seeds N members (a period each, a tenth lapsed, a tenth in grace; an approved application
with a province), then asks for the list as an officer would, with each filter, through the
whole Django stack (middleware, permission check, template). Prints the median time of 15
requests and the SQL statements of one, per filter. Target: under 100 ms, and the same
number of statements whatever N.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    ("all members", {}),
    ("active", {"status": "active"}),
    ("lapsed", {"status": "lapsed"}),
    ("RMT in Ontario", {"level": "rmt", "province": "ON"}),
    ("expiring within 30 days", {"expiring": "30"}),
    ("search by name", {"q": "Member 4242"}),
    ("page 500", {"p": "500"}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("members", nargs="?", type=int, default=100_000)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="tide-bench-members-")
    os.environ.update(VAR_DIR=var_dir, DJANGO_SETTINGS_MODULE="tide.settings")
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    try:
        run(args.members)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run(count: int) -> None:
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from tide.accounts.models import User
    from tide.membership.models import Application, MembershipLevel, MembershipPeriod
    from tide.membership.summary import member_summaries_refresh

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    today = timezone.localdate()
    rmt = MembershipLevel.objects.create(name="RMT", slug="rmt", annual_price_cents=350_00)
    student = MembershipLevel.objects.create(
        name="Student", slug="student", annual_price_cents=50_00
    )
    provinces = ["ON", "BC", "QC", "AB", "NS"]
    with transaction.atomic():
        User.objects.bulk_create(
            (
                User(email=f"member{n}@bench.example", first_name="Member", last_name=str(n))
                for n in range(count)
            ),
            batch_size=2000,
        )
        ids = list(
            User.objects.filter(email__endswith="@bench.example")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        MembershipPeriod.objects.bulk_create(
            (
                MembershipPeriod(
                    user_id=pk,
                    level=rmt if n % 4 else student,
                    starts_on=today - timedelta(days=300),
                    # a tenth lapsed, a tenth in grace, the rest ending over the next year
                    ends_on=today
                    - timedelta(days=200 if n % 10 == 0 else 10 if n % 10 == 1 else -(n % 365)),
                )
                for n, pk in enumerate(ids)
            ),
            batch_size=2000,
        )
        Application.objects.bulk_create(
            (
                Application(
                    user_id=pk,
                    level=rmt,
                    legal_name=f"Member {n}",
                    phone="416 555 0100",
                    province=provinces[n % len(provinces)],
                    status=Application.Status.APPROVED,
                    decided_at=timezone.now(),
                )
                for n, pk in enumerate(ids)
            ),
            batch_size=2000,
        )
        member_summaries_refresh(ids)
    connection.cursor().execute("ANALYZE")
    print(f"seeded {count:,} members in {time.perf_counter() - started:.1f} s")

    officer = User.objects.create_superuser(email="officer@bench.example", password="x")
    TOTP.activate(officer, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = Client()
    client.force_login(officer)
    client.get("/admin/membership/members/")  # warm up caches
    statements = [0]

    def count_statement(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    for label, query in QUERIES:
        statements[0] = 0
        with connection.execute_wrapper(count_statement):
            response = client.get("/admin/membership/members/", query)
        assert response.status_code == 200, response.status_code
        times = []
        for _ in range(15):
            began = time.perf_counter()
            client.get("/admin/membership/members/", query)
            times.append((time.perf_counter() - began) * 1000)
        print(
            f"{label:>26}: median {statistics.median(times):6.1f} ms, "
            f"max {max(times):6.1f} ms, {statements[0]} SQL statements"
        )


if __name__ == "__main__":
    main()
