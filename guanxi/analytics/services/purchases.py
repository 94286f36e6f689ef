"""Purchases learnt from the sales orders' events: a confirmed order is one transaction for the
value models (recorded once, by its number), a cancelled one takes it back. Subscribed in the
order's transaction, so the transaction row commits or rolls back with the order."""

from __future__ import annotations

from guanxi.analytics.models import Transaction
from guanxi.core.events import Event

CONFIRMED, CANCELLED = "confirmed", "cancelled"


def _status_after(event: Event) -> str | None:
    if event.type == "orders.order.created":
        return getattr(event.subject, "status", None)
    if event.type == "orders.order.status_changed":
        return (event.changes.get("status") or [None, None])[1]
    return None


def on_order_event(event: Event) -> None:
    status = _status_after(event)
    if status == CONFIRMED:
        order = event.subject
        Transaction.objects.get_or_create(
            source=Transaction.Source.ORDER, external_id=order.number,
            defaults={"account_id": order.account_id, "date": order.order_date,
                      "amount": order.net_amount, "cost": order.cost})
    elif status == CANCELLED:
        number = getattr(event.subject, "number", None) or event.object_repr  # str(order)
        Transaction.objects.filter(source=Transaction.Source.ORDER,
                                   external_id=number).delete()
