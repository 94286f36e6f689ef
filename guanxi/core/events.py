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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Reads are audited too (who viewed or exported personal data) but are not domain events.
READ_VERBS = frozenset({"viewed", "exported", "downloaded"})

# The events people can subscribe to (webhooks) or build rules on, with their labels.
EVENT_TYPES: dict[str, Promise] = {
    "customers.account.created": _("Customer created"),
    "customers.account.updated": _("Customer updated"),
    "customers.account.assigned": _("Customer assigned to an owner"),
    "customers.account.tagged": _("Customer tags changed"),
    "customers.account.merged": _("Customers merged"),
    "customers.account.claimed": _("Customer claimed from the public pool"),
    "customers.account.released": _("Customer released to the public pool"),
    "customers.account.returned_to_pool": _("Customer returned to the pool (no follow-up)"),
    "customers.account.deleted": _("Customer deleted"),
    "customers.contact.created": _("Contact created"),
    "customers.contact.updated": _("Contact updated"),
    "sales.lead.created": _("Lead created"),
    "sales.lead.updated": _("Lead updated"),
    "sales.lead.assigned": _("Lead assigned"),
    "sales.lead.converted": _("Lead converted"),
    "sales.lead.disqualified": _("Lead disqualified"),
    "sales.opportunity.created": _("Opportunity created"),
    "sales.opportunity.updated": _("Opportunity updated"),
    "sales.opportunity.stage_changed": _("Opportunity stage changed"),
    "sales.activity.created": _("Activity logged"),
    "sales.task.created": _("Task created"),
    "sales.task.done": _("Task done"),
    "sales.email.sent": _("E-mail sent to a customer"),
    "orders.quote.created": _("Quote created"),
    "orders.quote.sent": _("Quote sent"),
    "orders.quote.accepted": _("Quote accepted"),
    "orders.quote.declined": _("Quote declined"),
    "orders.tender.result": _("Tender result recorded"),
    "orders.contract.signed": _("Contract signed"),
    "orders.order.created": _("Sales order created"),
    "orders.order.status_changed": _("Sales order status changed"),
    "orders.shipment.created": _("Shipment sent"),
    "orders.invoice.created": _("Invoice issued"),
    "orders.payment.received": _("Payment received"),
    "orders.payment.allocated": _("Payment allocated to invoices or orders"),
    "orders.invoice.cancelled": _("Invoice cancelled"),
    "orders.invoice.reminded": _("Payment reminder sent"),
    "orders.expense.approved": _("Expense claim approved"),
}


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
