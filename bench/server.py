"""What the load benchmarks share: gunicorn started as docs/deploy.md runs it (sync workers,
--preload; 2 workers here), and a closed loop of concurrent anonymous GETs against it.

    from server import gunicorn, measure
    with gunicorn(env, port) as process:
        result = measure(port, ["/healthz/"], seconds=10, concurrency=4)
"""

from __future__ import annotations

import http.client
import itertools
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = 2


def free_port() -> int:
    """A port nothing listens on, so several benchmarks can run on one machine at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tide(*args: str, env: dict, quiet: bool = False) -> None:
    """Run a `tide` management command in the benchmark's environment."""
    subprocess.run(
        [str(BIN / "tide"), *args],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def shell(script: str, env: dict) -> str:
    """Run Python in `tide shell` in the benchmark's environment; what it printed."""
    result = subprocess.run(
        [str(BIN / "tide"), "shell", "-c", script],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return result.stdout


def get(port: int, path: str, timeout: float = 60) -> int:
    """One GET on a fresh connection (as a browser's first visit); the status code."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@contextmanager
def gunicorn(env: dict, port: int, workers: int = WORKERS) -> Iterator[subprocess.Popen]:
    """gunicorn serving tide.wsgi on loopback until the block ends; ready when /healthz/
    answers."""
    command = [str(BIN / "gunicorn"), "tide.wsgi", "--workers", str(workers), "--preload"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        for _ in range(150):
            try:
                if get(port, "/healthz/") == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def measure(
    port: int, paths: list[str], seconds: float, concurrency: int, warmup: float = 2
) -> dict:
    """Requests per second over `seconds`: `concurrency` clients, each walking its share of
    `paths` in a loop (one path: all clients on it). Five GETs must answer 200 first, then
    `warmup` seconds of the same load go uncounted, so that every worker has loaded what its
    first requests load (templates, the directory's search index) before the count starts."""
    for path in (paths * 5)[:5]:
        status = get(port, path)
        assert status == 200, f"{path} answered {status}"
    if warmup:
        _load(port, paths, warmup, concurrency)
    return _load(port, paths, seconds, concurrency)


def _load(port: int, paths: list[str], seconds: float, concurrency: int) -> dict:
    counts = [0] * concurrency
    errors = [0] * concurrency
    deadline = time.perf_counter() + seconds

    def loop(index: int) -> None:
        walk = itertools.cycle(paths[index::concurrency] or paths)
        while time.perf_counter() < deadline:
            if get(port, next(walk)) == 200:
                counts[index] += 1
            else:
                errors[index] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"requests": sum(counts), "errors": sum(errors), "rps": sum(counts) / elapsed}
