"""Real concurrency in tests: calls started at the same instant in threads, each on its own
database connection (meaningful on PostgreSQL; SQLite serialises writers)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in parallel threads released together; return what each returned or
    raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the caller inspects it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results
