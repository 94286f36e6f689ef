"""The transactional outbox: background tasks are rows written with the change that asks for
them (``core.tasks.later``) and handed to the task queue once committed.

* Right after the commit the writer tries to hand its rows over; a queue that is away is logged
  and the row stays pending — the request still answers what it committed.
* ``dispatch`` hands pending rows over: the worker runs it in a loop next to the consumer
  (``run_dispatcher``) and a periodic task runs it as a safety net. A failed hand-over is tried
  again after a growing delay (5 s, 10 s, … at most a minute).
* A row is claimed with a conditional update (``available_at`` moved past now) before it is
  handed over and marked ``dispatched_at`` after: two dispatchers never hand one row over
  twice. A dispatcher that dies between the hand-over and the mark leaves the row to be handed
  over again once its claim lapses (``CLAIM``): tasks tolerate that rare duplicate.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from guanxi.core import observability

logger = logging.getLogger(__name__)

CLAIM = dt.timedelta(minutes=5)  # a claimed row nobody marked becomes available again
MAX_DELAY = 60  # seconds between attempts while the queue is away, at most
POLL = 2.0  # seconds between the worker's looks at the outbox

# After a failed hand-over the web process leaves new rows to the dispatcher for a moment
# instead of trying (and maybe waiting on) the queue in every request.
_queue_away_until = 0.0


def task_name(task: Any) -> str:
    func = getattr(task, "func", task)
    return f"{func.__module__}.{func.__name__}"


def retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), MAX_DELAY))


def add(task: Any, args: Iterable[Any]) -> int:
    """Write the row in the current transaction; returns its id."""
    from guanxi.core.models import OutboxTask

    return OutboxTask.objects.create(task=task_name(task), args=list(args)).pk


def dispatch(ids: Iterable[int] | None = None, *, limit: int = 200) -> int:
    """Hand pending rows (all due ones, or those of ``ids``) to the queue; returns how many.
    Stops at the first queue error: the others would meet the same."""
    from guanxi.core.models import OutboxTask

    now = timezone.now()
    pending = OutboxTask.objects.filter(dispatched_at=None, available_at__lte=now)
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    handed = 0
    for row in pending.order_by("available_at", "pk")[:limit]:
        claimed = OutboxTask.objects.filter(
            pk=row.pk, dispatched_at=None, available_at__lte=now,
        ).update(available_at=now + CLAIM, attempts=F("attempts") + 1)
        if not claimed:  # another dispatcher has it
            continue
        attempts = row.attempts + 1
        try:
            task = import_string(row.task)
        except ImportError as exc:  # a task renamed in an upgrade: keep the row, say why
            _failed(row.pk, attempts, exc)
            continue
        try:
            _hand_over(task, row.args)
        except Exception as exc:
            _failed(row.pk, attempts, exc)
            return handed
        OutboxTask.objects.filter(pk=row.pk).update(dispatched_at=timezone.now(),
                                                    last_error="")
        handed += 1
    return handed


def _hand_over(task: Any, args: list[Any]) -> None:
    """Enqueue ``task(*args)``; handed over during a request, its task id starts with the
    request's id, so the worker's logs of it say which request asked for it."""
    task_id = observability.task_id()
    if task_id is None or not hasattr(task, "s"):
        task(*args)
        return
    message = task.s(*args)
    message.id = task_id
    task.huey.enqueue(message)


def _failed(pk: int, attempts: int, exc: Exception) -> None:
    from guanxi.core.models import OutboxTask

    error = f"{type(exc).__name__}: {exc}"[:1000]
    logger.warning("outbox: task %s not handed to the queue (attempt %s): %s", pk, attempts,
                   error)
    OutboxTask.objects.filter(pk=pk, dispatched_at=None).update(
        available_at=timezone.now() + retry_delay(attempts), last_error=error)


def dispatch_committed(ids: list[int]) -> None:
    """After the writer's commit: try to hand its rows over now. Never raises — the change is
    committed and the dispatcher will hand the rows over later."""
    global _queue_away_until
    if time.monotonic() < _queue_away_until:
        return
    try:
        if dispatch(ids) < len(ids):
            _queue_away_until = time.monotonic() + 5
    except Exception:
        _queue_away_until = time.monotonic() + 5
        logger.exception("outbox: could not hand tasks %s to the queue", ids)


def run_dispatcher(stop: threading.Event, poll: float = POLL) -> None:
    """The worker's loop: hand over what is pending until ``stop`` is set."""
    logger.info("outbox dispatcher started")
    while not stop.is_set():
        handed = 0
        try:
            handed = dispatch()
        except Exception:  # the database is away: reconnect at the next round
            logger.exception("outbox: dispatch round failed")
            connection.close()
        if handed < 200:
            stop.wait(poll)
    connection.close()


def start_dispatcher(poll: float = POLL) -> threading.Event:
    """Run ``run_dispatcher`` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=run_dispatcher, args=(stop, poll), name="outbox-dispatcher",
                     daemon=True).start()
    return stop


def purge(*, now: dt.datetime | None = None) -> int:
    """Forget rows handed over more than a week ago."""
    from guanxi.core.models import OutboxTask

    now = now or timezone.now()
    deleted, _ = OutboxTask.objects.filter(
        dispatched_at__lt=now - dt.timedelta(days=7)).delete()
    return deleted
