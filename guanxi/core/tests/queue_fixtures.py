"""A real Redis task queue for tests, away (a closed port) until ``back()``: Huey's storage is
swapped for a Redis one under a name of the test's own, so nothing reaches a developer's
worker and nothing of the test stays behind."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

REDIS = "redis://127.0.0.1:6379/0"
CLOSED = "redis://127.0.0.1:1/0"  # nothing listens there: connections are refused


@pytest.fixture
def redis_queue():
    from huey.storage import RedisStorage

    from guanxi.core import outbox
    from guanxi.core.tasks import queue

    before, immediate = queue.storage, queue.immediate
    queue.immediate = False
    name = f"guanxi-test-{uuid.uuid4().hex[:12]}"
    queue.storage = RedisStorage(name, url=CLOSED, blocking=False)

    def back() -> None:
        queue.storage = RedisStorage(name, url=REDIS, blocking=False)

    def away() -> None:
        queue.storage = RedisStorage(name, url=CLOSED, blocking=False)

    def pending() -> int:
        return queue.pending_count()

    def work() -> int:
        """Be the worker: run every queued task; how many ran."""
        done = 0
        while (task := queue.dequeue()) is not None:
            queue.execute(task)
            done += 1
        return done

    yield SimpleNamespace(name=name, back=back, away=away, pending=pending, work=work)
    back()
    queue.storage.flush_all()
    queue.storage, queue.immediate = before, immediate
    outbox._queue_away_until = 0.0
