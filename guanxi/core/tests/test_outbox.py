"""The outbox of background tasks: rows written with the change, handed to a real Redis queue
once, retried later while the queue is away, and inline in immediate mode."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from guanxi.core import outbox
from guanxi.core.models import OutboxTask
from guanxi.core.tasks import background, later, queue
from guanxi.core.tests.concurrency import run_together
from guanxi.core.tests.queue_fixtures import redis_queue

__all__ = ["redis_queue"]
DONE: list[int] = []


@background()
def remember(value: int) -> None:
    DONE.append(value)


@pytest.fixture(autouse=True)
def _forget():
    DONE.clear()
    yield
    DONE.clear()


@pytest.mark.django_db
def test_a_task_is_a_row_of_the_change_and_goes_with_a_rollback(redis_queue,
                                                               django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), transaction.atomic():
        later(remember, 1)
        raise RuntimeError("the change fails")
    assert not OutboxTask.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        later(remember, 2)
    row = OutboxTask.objects.get()
    assert (row.task, row.args) == ("guanxi.core.tests.test_outbox.remember", [2])


@pytest.mark.django_db
def test_while_the_queue_is_away_rows_wait_with_a_growing_delay(redis_queue):
    for value in (1, 2, 3):
        later(remember, value)
    before = timezone.now()
    assert outbox.dispatch() == 0
    first = OutboxTask.objects.order_by("pk").first()
    assert first.attempts == 1 and "Connection" in first.last_error
    assert dt.timedelta(seconds=4) < first.available_at - before < dt.timedelta(seconds=6)
    # The first failure stops the round: the others were not even tried.
    assert list(OutboxTask.objects.order_by("pk").values_list("attempts", flat=True)) == [
        1, 0, 0]
    OutboxTask.objects.update(available_at=timezone.now())
    outbox.dispatch()
    first.refresh_from_db()
    assert first.attempts == 2
    assert dt.timedelta(seconds=9) < first.available_at - timezone.now() <= dt.timedelta(
        seconds=10)
    # Back again: everything due is handed over, once, and the worker runs it.
    redis_queue.back()
    OutboxTask.objects.update(available_at=timezone.now())
    assert outbox.dispatch() == 3 and outbox.dispatch() == 0
    assert not OutboxTask.objects.filter(dispatched_at=None).exists()
    assert redis_queue.work() == 3 and sorted(DONE) == [1, 2, 3]


@pytest.mark.django_db
def test_immediate_mode_runs_the_task_inline_after_the_commit(
        django_capture_on_commit_callbacks):
    before, queue.immediate = queue.immediate, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            later(remember, 7)
            assert DONE == []
    finally:
        queue.immediate = before
    assert DONE == [7] and not OutboxTask.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_hand_each_row_over_once(redis_queue):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    redis_queue.back()
    OutboxTask.objects.bulk_create([OutboxTask(task="guanxi.core.tests.test_outbox.remember",
                                               args=[n]) for n in range(60)])
    handed = run_together(outbox.dispatch, outbox.dispatch)
    assert sum(handed) == 60 and redis_queue.pending() == 60
    assert redis_queue.work() == 60 and sorted(DONE) == list(range(60))


def test_apps_queue_background_work_through_the_outbox_only():
    """Enqueueing in ``transaction.on_commit`` turns a queue that is away into a failed request
    whose change is committed: apps call ``later`` instead."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    allowed = {"core/tasks.py", "core/events.py", "orders/documents.py"}  # the last: a file
    found = [str(path.relative_to(root)) for path in root.glob("*/**/*.py")
             if "tests" not in path.parts and "on_commit(" in path.read_text(encoding="utf-8")
             and str(path.relative_to(root)) not in allowed]
    assert found == []
