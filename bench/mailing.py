"""A broadcast to many contacts through one worker into a local SMTP sink, then the same
with the worker killed (SIGKILL) at about half and a new worker carrying on.

    .venv/bin/python bench/mailing.py                  # 100,000 contacts, SQLite
    .venv/bin/python bench/mailing.py --contacts 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tide_bench_mailing .venv/bin/python bench/mailing.py

It builds a throw-away database (SQLite in a temporary folder, or the PostgreSQL database
named by DATABASE_URL, which it empties), bulk-inserts the contacts with an express consent
each, and starts an aiosmtpd sink in a subprocess that appends every recipient it accepts to
a file. The worker is `tide mailing_send_broadcast`, run as its own process so its memory can
be sampled (psutil, every 50 ms) and so it can be SIGKILLed.

Prints: messages per second (from the first to the last message the sink received), the
worker's peak resident memory, and for the kill run: messages received before the kill,
duplicates and missing (targets: at least 500 messages/s, under 200 MB, 0 and 0).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

SINK = r"""
import sys, time
from aiosmtpd.controller import Controller

out = open(sys.argv[2], "a", buffering=1)

class Sink:
    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            out.write(f"{time.time():.4f} {rcpt}\n")
        return "250 OK"

controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    controller.stop()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sink(log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-c", SINK, str(port), str(log)], stdout=subprocess.PIPE, text=True
    )
    assert sink.stdout.readline().strip() == "ready"
    return sink, port


def received(log: Path) -> list[tuple[float, str]]:
    if not log.exists():
        return []
    rows = []
    for line in log.read_text().splitlines():
        stamp, _, rcpt = line.partition(" ")
        rows.append((float(stamp), rcpt))
    return rows


def count_lines(log: Path) -> int:
    if not log.exists():
        return 0
    with log.open("rb") as handle:
        return sum(1 for _ in handle)


def run_worker(broadcast_id: int, env: dict, *, kill_at: int | None, log: Path) -> dict:
    import psutil

    started = time.perf_counter()
    worker = subprocess.Popen(
        [str(BIN / "tide"), "mailing_send_broadcast", str(broadcast_id)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    process = psutil.Process(worker.pid)
    peak = 0
    cpu = 0.0
    killed = False
    while worker.poll() is None:
        try:
            peak = max(peak, process.memory_info().rss)
            times = process.cpu_times()
            cpu = times.user + times.system
        except psutil.NoSuchProcess:
            break
        if kill_at is not None and count_lines(log) >= kill_at:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            killed = True
            break
        time.sleep(0.05)
    return {
        "seconds": time.perf_counter() - started,
        "peak_mb": peak / 1024 / 1024,
        "cpu_seconds": cpu,
        "killed": killed,
        "returncode": worker.returncode,
    }


def django_setup(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def build(count: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from tide.association.models import AssociationSettings
    from tide.mailing.models import Consent, Contact, MailingList

    call_command("migrate", verbosity=0)
    association = AssociationSettings.load()
    association.name = "Bench RMT Association"
    association.street_address = "1 Bench Road"
    association.city = "Toronto"
    association.province = "ON"
    association.postal_code = "M5V 1A1"
    association.save()
    newsletter = MailingList.objects.create(name="Bench newsletter", slug="bench")
    with transaction.atomic():
        Contact.objects.bulk_create(
            (
                Contact(email=f"reader{n}@bench.example", first_name=f"Reader{n}")
                for n in range(count)
            ),
            batch_size=5000,
        )
        Consent.objects.bulk_create(
            (
                Consent(
                    contact_id=pk,
                    mailing_list=newsletter,
                    kind="express",
                    source="import",
                    wording="Yes, email me.",
                )
                for pk in Contact.objects.values_list("pk", flat=True).iterator(chunk_size=5000)
            ),
            batch_size=5000,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def new_broadcast(subject: str) -> int:
    from tide.mailing.models import Broadcast, MailingList
    from tide.mailing.sending import broadcast_start

    broadcast = Broadcast.objects.create(
        subject=subject,
        preheader="The benchmark",
        mailing_list=MailingList.objects.get(slug="bench"),
        body=[
            ("heading", "Hello {first_name|there}"),
            ("paragraph", "<p>A paragraph with a <a href='https://example.com/'>link</a>.</p>"),
            ("button", {"label": "Book", "url": "https://example.com/book"}),
        ],
    )
    started = time.perf_counter()
    total = broadcast_start(broadcast=broadcast, by=None)
    print(f"  {total} send records written in {time.perf_counter() - started:.1f} s")
    return broadcast.pk


def report(name: str, rows: list[tuple[float, str]], expected: int, worker: dict) -> dict:
    counts = Counter(rcpt for _, rcpt in rows)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = expected - len(counts)
    span = (rows[-1][0] - rows[0][0]) if len(rows) > 1 else 0
    result = {
        "run": name,
        "received": len(rows),
        "distinct": len(counts),
        "duplicates": duplicates,
        "missing": missing,
        "messages_per_second": round(len(rows) / span) if span else None,
        "worker_peak_mb": round(worker["peak_mb"], 1),
        "worker_cpu_ms_per_message": round(1000 * worker["cpu_seconds"] / max(1, len(rows)), 2),
        # 0 when the (last) worker finished the broadcast; anything else explains "missing".
        "worker_exit": worker["returncode"],
    }
    print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch VAR_DIR")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="tide-bench-mailing-"))
    sink_log = var_dir / "sink.log"
    sink, port = start_sink(sink_log)
    env = {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "tide.settings",
        # broadcast_start queues nothing: the bench runs the worker itself.
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "MAILING_SEND_RATE": "0",
        "MAILING_CLAIM_LEASE_SECONDS": "3",
        "SITE_URL": "https://bench.example",
        "LOG_LEVEL": "WARNING",
    }
    try:
        django_setup(env)
        from django.db import connection

        if connection.vendor == "postgresql":
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
        print(f"Building {args.contacts:,} contacts on {connection.vendor} …")
        build(args.contacts)

        print("Run 1: one worker, start to finish")
        first = new_broadcast("Bench one, {first_name}")
        connection.close()
        worker = run_worker(first, env, kill_at=None, log=sink_log)
        results = [report("one worker", received(sink_log), args.contacts, worker)]
        import psutil

        sink_cpu = psutil.Process(sink.pid).cpu_times()
        print(
            f"  SMTP sink CPU: {1000 * (sink_cpu.user + sink_cpu.system) / args.contacts:.2f} ms per message"
        )

        print("Run 2: the worker is SIGKILLed at about half; a new worker carries on")
        sink.kill()  # its log is line-buffered: everything received is written
        sink.wait()
        sink_log = var_dir / "sink-run2.log"
        sink, port = start_sink(sink_log)
        env["EMAIL_PORT"] = str(port)
        second = new_broadcast("Bench two, {first_name}")
        connection.close()
        killed = run_worker(second, env, kill_at=args.contacts // 2, log=sink_log)
        before_kill = count_lines(sink_log)
        print(f"  killed: {killed['killed']} after {before_kill:,} messages")
        resumed = run_worker(second, env, kill_at=None, log=sink_log)
        combined = {
            "peak_mb": max(killed["peak_mb"], resumed["peak_mb"]),
            "cpu_seconds": killed["cpu_seconds"] + resumed["cpu_seconds"],
            "returncode": resumed["returncode"],
        }
        result = report("killed at half + restarted", received(sink_log), args.contacts, combined)
        result["received_before_kill"] = before_kill
        results.append(result)
        print(json.dumps({"summary": results}, indent=2))
    finally:
        sink.kill()
        sink.wait()
        if args.keep:
            print(f"scratch folder kept in {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
