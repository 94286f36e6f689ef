"""The one interface for background work. Apps declare tasks with these decorators in their
``tasks.py``; Huey runs them (SQLite storage by default, Redis with REDIS_URL, inline when
GUANXI_TASKS_IMMEDIATE is set). Start workers with ``guanxi worker``.

A write that wants work done in the background calls ``later(task, *args)`` — never the task
itself, nor ``transaction.on_commit`` around it: ``later`` records the task in the outbox with
the change (``core.outbox``), so a queue that is away delays the work instead of losing it or
failing a request whose change is already committed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import HUEY as queue
from huey.contrib.djhuey import db_periodic_task as periodic
from huey.contrib.djhuey import db_task as background

__all__ = ["background", "crontab", "later", "periodic", "queue"]


def later(task: Any, *args: Any) -> None:
    """Run the Huey ``task(*args)`` in the background once the current transaction commits
    (at once outside one); nothing if it rolls back. Arguments must be JSON values."""
    if queue.immediate:
        # Inline mode (tests, demos): the task runs in the committing thread, as it always did.
        transaction.on_commit(lambda: task(*args))
        return
    from guanxi.core import outbox

    pk = outbox.add(task, args)
    transaction.on_commit(lambda: outbox.dispatch_committed([pk]))


@periodic(crontab(minute="*"))
def dispatch_outbox() -> int:
    """Every minute, should the worker's dispatcher have stopped: hand pending work over."""
    from guanxi.core import outbox

    return outbox.dispatch()


@periodic(crontab(minute="50", hour="3"))
def purge_outbox_and_idempotency_keys() -> int:
    """Daily: forget handed-over outbox rows and expired idempotency keys."""
    from guanxi.core import idempotency, outbox

    return outbox.purge() + idempotency.purge()


@periodic(crontab(minute="*"))
def read_mailboxes() -> int:
    """Every minute: read what arrived in the configured mailbox(es) (GUANXI_MAILBOXES), at
    most 500 messages each, so a backlog does not hold a worker for long; the next minute
    goes on. A mailbox another worker is still reading is left to it."""
    from guanxi.core import mailboxes

    return sum(r.read for r in mailboxes.read_all(limit=500))
