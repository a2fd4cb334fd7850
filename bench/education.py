"""Catalogue and calendar speed with 5,000 events and 200,000 registrations, as a ratio to
the trivial view (/healthz/) measured in the same run, and their SQL query counts.

    .venv/bin/python bench/education.py --seconds 10 --concurrency 4

It builds a throw-away database (SQLite in a temporary folder), bulk-inserts the events,
their sessions, 4,000 registrants and 200,000 registrations, counts each page's queries with
Django's test client at two data sizes (the count must not change), then serves the pages
with gunicorn (2 workers, as bench/pages.py does) and runs a closed loop of concurrent
anonymous GETs per URL, with the page cache on and off.
Target: each page at least 25% of the trivial view (uncached).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import gunicorn, measure, shell, tide

BUILD = """
import random
from datetime import timedelta
from decimal import Decimal
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from tide.accounts.models import User
from tide.education.models import CreditCategory, Event, Provider, Registration, Session

random.seed(7)
EVENTS, USERS, PER_EVENT = {events}, {users}, {per_event}
provider, _ = Provider.objects.get_or_create(name="Bench provider")
category, _ = CreditCategory.objects.get_or_create(name="Bench category")
regions = ["ON", "BC", "NS", "AB", "MB", "QC", ""]
formats = ["in_person", "online", "hybrid", "self_paced"]
now = timezone.now().replace(minute=0, second=0, microsecond=0)
start_at = Event.objects.count()
with transaction.atomic():
    events = []
    for n in range(start_at, start_at + EVENTS):
        starts = now + timedelta(days=random.randint(-365, 365), hours=random.randint(0, 10))
        fmt = random.choice(formats)
        events.append(Event(
            title=f"Bench course {{n}}", slug=f"bench-{{n}}", summary="A course for the benchmark.",
            provider=provider, format=fmt, city="Toronto" if fmt != "online" else "",
            venue_name="Hall" if fmt != "online" else "", region=random.choice(regions),
            capacity=random.choice([None, 40, 60]), published=random.random() > 0.05,
            ce_credits=Decimal(random.choice([0, 2, 3, 6])), credit_category=category,
            starts_at=starts, ends_at=starts + timedelta(hours=3), seats_taken=PER_EVENT,
        ))
    events = Event.objects.bulk_create(events, batch_size=1000)
    Session.objects.bulk_create(
        [Session(event=e, starts_at=e.starts_at, ends_at=e.ends_at) for e in events], batch_size=2000
    )
    password = make_password(None)
    have = User.objects.filter(email__startswith="bench").count()
    User.objects.bulk_create(
        [User(email=f"bench{{i}}@example.com", password=password) for i in range(have, USERS)],
        batch_size=2000,
    )
    users = list(User.objects.filter(email__startswith="bench").values_list("pk", flat=True))
    rows = []
    for index, event in enumerate(events):
        for k in range(PER_EVENT):
            rows.append(Registration(
                event_id=event.pk, user_id=users[(index * 37 + k) % len(users)],
                status="confirmed", audience="member", ticket_code=f"B{{event.pk:06d}}{{k:03d}}",
            ))
        if len(rows) >= 20000:
            Registration.objects.bulk_create(rows, batch_size=5000)
            rows = []
    Registration.objects.bulk_create(rows, batch_size=5000)
print(Event.objects.count(), "events,", Registration.objects.count(), "registrations")
"""

COUNT_QUERIES = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.core.cache import cache
client = Client()
counts = {{}}
for path in {paths!r}:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(path, HTTP_HOST="localhost").status_code
    assert status == 200, (path, status)
    counts[path] = len(ctx.captured_queries)
print("QUERIES " + json.dumps(counts))
"""


def query_counts(paths: list[str], env: dict) -> dict[str, int]:
    out = shell(COUNT_QUERIES.format(paths=paths), env)
    line = next(line for line in out.splitlines() if line.startswith("QUERIES "))
    return json.loads(line.removeprefix("QUERIES "))


def serve_and_measure(env: dict, paths: list[str], args) -> tuple[list[dict], list[float]]:
    """Start gunicorn (2 workers), measure each path in turn, stop it."""
    import psutil

    with gunicorn(env, args.port) as server:
        results = []
        for path in paths:
            results.append(
                {"path": path, **measure(args.port, [path], args.seconds, args.concurrency)}
            )
            print(f"  {path}: {results[-1]['rps']:.0f} req/s", flush=True)
        workers = psutil.Process(server.pid).children()
        uss = [round(worker.memory_full_info().uss / 2**20, 1) for worker in workers]
        return results, uss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--registrations", type=int, default=200_000)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--keep", type=Path, help="build here once and reuse it on later runs")
    args = parser.parse_args()
    port = args.port  # not bench/pages.py's, so both can run at once
    per_event = max(args.registrations // args.events, 1)

    reuse = bool(args.keep and (args.keep / "tide.sqlite3").exists())
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="tide-bench-education-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "VAR_DIR": str(workdir),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
        "SITE_URL": f"http://localhost:{port}",
    }
    env.pop("DATABASE_URL", None)
    from datetime import date

    month = date.today().strftime("%Y-%m")
    paths = [
        "/healthz/",
        "/education/",
        "/education/?ce=1",
        "/education/?online=1&region=ON",
        f"/education/?month={month}&ce=1",
        "/education/?when=past&page=3",
        f"/education/calendar/?month={month}",
    ]
    try:
        if reuse:
            print(f"Reusing {workdir}", flush=True)
            small = json.loads((workdir / "small-queries.json").read_text())
        else:
            print(f"Building in {workdir} …", flush=True)
            tide("migrate", "--noinput", "-v0", env=env)
            tide("collectstatic", "--noinput", "-v0", env=env)
            print(shell(BUILD.format(events=200, users=4000, per_event=per_event), env).strip())
            small = query_counts(paths[1:], env)
            (workdir / "small-queries.json").write_text(json.dumps(small))
            more = BUILD.format(events=args.events - 200, users=4000, per_event=per_event)
            print(shell(more, env).strip(), flush=True)
        large = query_counts(paths[1:], env)
        print("queries at 200 events:", small, "\nqueries at 5,000 events:", large, flush=True)
        print("page cache on:", flush=True)
        cached, _uss = serve_and_measure(env, paths, args)
        shutil.rmtree(workdir / "cache", ignore_errors=True)
        print("page cache off:", flush=True)
        uncached, uss = serve_and_measure({**env, "PAGE_CACHE_SECONDS": "0"}, paths, args)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"\ngunicorn, 2 sync workers, {args.concurrency} clients, {args.seconds:.0f} s per URL")
    print(
        f"{'URL':42} {'queries 200/5000 events':>24} {'cached':>8} {'uncached':>9} "
        f"{'ratio (uncached)':>17}"
    )
    base_cached, base_uncached = cached[0]["rps"], uncached[0]["rps"]
    ok = True
    for hot, cold in zip(cached, uncached, strict=True):
        path = hot["path"]
        queries = f"{small.get(path, '-')}/{large.get(path, '-')}" if path in large else "-"
        ratio = cold["rps"] / base_uncached
        if path != "/healthz/":
            ok &= ratio >= 0.25 and small[path] == large[path]
        print(
            f"{path:42} {queries:>24} {hot['rps']:8.0f} {cold['rps']:9.0f} {ratio:17.0%}"
            f"   (cached {hot['rps'] / base_cached:.0%})"
        )
    print(f"worker memory, MB: unique (USS) {uss}")
    print("targets (uncached ≥ 25% of /healthz/, constant queries):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
