"""Domain events: every audited write becomes an event that other parts of the product react to
(webhooks, automation rules, e-mail notifications) without the writing service knowing them.

``publish`` is called by ``audit.log``. Two kinds of subscribers:

* ``in_transaction`` ones run at once, inside the writer's transaction, so what they write (the
  webhook outbox) commits or rolls back with the change itself;
* the others run after the transaction commits (``transaction.on_commit``): a rolled-back
  change never notifies, assigns or sends anything.

An event carries its ``depth`` (0 for a person's change, 1 for a change made in reaction to
it, and so on) and its ``cause`` (who reacted, e.g. an automation rule); automation uses both to
stop loops.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

logger = logging.getLogger(__name__)

# Reads are audited too (who viewed or exported personal data) but are not domain events.
READ_VERBS = frozenset({"viewed", "exported", "downloaded"})

# The events people can subscribe to (webhooks) or build rules on, with their labels. Each app
# registers its own from its AppConfig.ready() (``register_event_types``), so core names none.
EVENT_TYPES: dict[str, Promise] = {}


def register_event_types(types: Mapping[str, Promise]) -> None:
    """Add an app's event types with their (lazy, translated) labels, in the order given."""
    EVENT_TYPES.update(types)


def event_types() -> dict[str, Promise]:
    """Every registered event type → its label, in registration order (app order)."""
    return dict(EVENT_TYPES)


def is_event_type(name: str) -> bool:
    return name in EVENT_TYPES


def event_label(event_type: str) -> str:
    return str(EVENT_TYPES.get(event_type, event_type))


@dataclass(frozen=True)
class Event:
    type: str
    object_type: str  # "customers.account"
    object_id: str
    object_repr: str
    actor_id: int | None
    changes: dict[str, Any]
    data: dict[str, Any]
    depth: int = 0
    cause: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    at: dt.datetime = field(default_factory=timezone.now)
    # The changed object as the writer holds it, for in-transaction subscribers that describe
    # it (the customer timeline); after commit it may be stale, and it is never sent anywhere.
    subject: Any = field(default=None, compare=False, repr=False)


Subscriber = Callable[[Event], object]  # what a subscriber returns is ignored
_in_transaction: list[Subscriber] = []
_after_commit: list[Subscriber] = []
_origin: contextvars.ContextVar[tuple[int, str]] = contextvars.ContextVar(
    "guanxi_event_origin", default=(0, ""))


def subscribe(fn: Subscriber, *, in_transaction: bool = False) -> Subscriber:
    """Register ``fn`` once (apps call this from ``AppConfig.ready``)."""
    target = _in_transaction if in_transaction else _after_commit
    if fn not in target:
        target.append(fn)
    return fn


@contextmanager
def caused_by(event: Event, cause: str) -> Iterator[None]:
    """Writes inside this block publish events one level deeper than ``event``, naming
    ``cause`` ("automation.rule:7") as what made them."""
    token = _origin.set((event.depth + 1, cause))
    try:
        yield
    finally:
        _origin.reset(token)


def publish(action: str, obj: Any, actor: Any = None, changes: dict | None = None,
            data: dict | None = None) -> Event | None:
    if action.rsplit(".", 1)[-1] in READ_VERBS:
        return None
    meta = obj._meta
    depth, cause = _origin.get()
    event = Event(type=action, object_type=f"{meta.app_label}.{meta.model_name}",
                  object_id=str(obj.pk), object_repr=str(obj)[:200],
                  actor_id=getattr(actor, "pk", None), changes=changes or {},
                  data=data or {}, depth=depth, cause=cause, subject=obj)
    for fn in _in_transaction:
        fn(event)
    if _after_commit:
        transaction.on_commit(lambda: _run_after_commit(event))
    return event


def _run_after_commit(event: Event) -> None:
    # The change is committed: a failing subscriber must not hide it from the others.
    for fn in _after_commit:
        try:
            fn(event)
        except Exception:
            logger.exception("event subscriber %s failed on %s", fn.__qualname__, event.type)
