"""Run one function in many threads at once, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks are only proven on PostgreSQL (set DATABASE_URL); SQLite serialises writers",
)


def run_together(count: int, work: Callable[[int], object]) -> tuple[list, list[BaseException]]:
    """Start `count` threads behind a barrier; return their results and errors."""
    barrier = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait()
            result = work(index)
            with lock:
                results.append(result)
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors
