"""Reads of sales orders, through the scoped querysets: lists with filters, "my deliveries",
the cards on the customer and opportunity pages, and the order status a rep, the owners and
the customer portal read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Role, User
from guanxi.core.access import get_visible
from guanxi.core.filters import Param, choices, parse
from guanxi.orders.models import SalesOrder, Shipment, ShipmentLine
from guanxi.orders.services.execution import UNDELIVERED, at_risk_q, late_q

Status = SalesOrder.Status


def orders_for(user: User) -> QuerySet[SalesOrder]:
    return SalesOrder.objects.visible_to(user).select_related(
        "account", "owner", "delivery_owner", "collection_owner")


def get_order(user: User, pk: Any) -> SalesOrder:
    """One order with its lines and shipments; 404 for missing and not visible alike."""
    qs = orders_for(user).select_related("quote", "contract", "opportunity", "review",
                                         "credit_override_by", "team").prefetch_related(
        "lines__product",
        Prefetch("shipments", queryset=Shipment.objects.prefetch_related("lines")))
    return get_visible(qs, pk=pk)


ORDER_FILTERS = (
    Param("status", "choice", choices("open", Status)),
    Param("kind", "choice", choices(SalesOrder.Kind)),
    Param("alert", "choice", ("late", "at_risk")),
    Param("delivery_owner", "int", aliases=("delivery_owner_id",)),
    Param("mine", "choice", ("owner", "delivery", "collection")),
    Param("account", "int", aliases=("account_id",)), Param("q"),
    Param("booked", "bool"), Param("ordered_from", "date"), Param("ordered_to", "date"),
)
# Orders that count as booked business: confirmed and onwards, not cancelled.
BOOKED = (Status.CONFIRMED, Status.IN_PRODUCTION, Status.PARTIALLY_SHIPPED, Status.SHIPPED,
          Status.DELIVERED)
SHIPMENT_FILTERS = (
    Param("order", "int", aliases=("order_id",)),
    Param("account", "int", aliases=("account_id",)),
    Param("delivered", "bool"), Param("shipped_from", "date"), Param("shipped_to", "date"),
    Param("q"),
)


def filter_orders(user: User, data: Mapping[str, Any],
                  today: dt.date | None = None) -> QuerySet[SalesOrder]:
    """``status``, ``kind``, ``alert`` (late / at_risk), ``delivery_owner`` (a user id),
    ``mine`` (owner / delivery / collection), ``account`` (id), ``q`` (number or customer)."""
    data = parse(data, ORDER_FILTERS)
    today = today or timezone.localdate()
    qs = orders_for(user)
    if data.get("status") == "open":
        qs = qs.filter(status__in=UNDELIVERED)
    elif data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("alert") == "late":
        qs = qs.filter(late_q(today))
    elif data.get("alert") == "at_risk":
        qs = qs.filter(at_risk_q(today))
    if data.get("delivery_owner"):
        qs = qs.filter(delivery_owner_id=data["delivery_owner"])
    mine = data.get("mine")
    if mine == "owner":
        qs = qs.filter(owner=user)
    elif mine == "delivery":
        qs = qs.filter(delivery_owner=user)
    elif mine == "collection":
        qs = qs.filter(collection_owner=user)
    if data.get("account"):
        qs = qs.filter(account_id=data["account"])
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(account__name__icontains=q))
    if data.get("booked"):
        qs = qs.filter(status__in=BOOKED)
    if data.get("ordered_from"):
        qs = qs.filter(order_date__gte=data["ordered_from"])
    if data.get("ordered_to"):
        qs = qs.filter(order_date__lte=data["ordered_to"])
    return qs


def bookings_by_month(user: User, first: dt.date, last: dt.date) -> dict[str, Decimal]:
    """``"YYYY-MM"`` → net amount of the orders booked in that month that ``user`` sees."""
    rows = (orders_for(user).filter(status__in=BOOKED, order_date__gte=first,
                                    order_date__lte=last)
            .annotate(month=TruncMonth("order_date")).order_by().values("month")
            .annotate(amount=Sum("net_amount")))
    return {r["month"].strftime("%Y-%m"): r["amount"] or Decimal("0") for r in rows}


def visible_shipments(user: User) -> QuerySet[Shipment]:
    """Shipments of the orders ``user`` sees."""
    return Shipment.objects.filter(
        order__in=SalesOrder.objects.visible_to(user).values("pk")).select_related(
        "order", "order__account")


def filter_shipments(user: User, data: Mapping[str, Any]) -> QuerySet[Shipment]:
    """Shipments ``user`` sees: ``order``, ``account`` (ids), ``delivered`` (true: delivery
    confirmed, false: on its way), ``shipped_from`` / ``shipped_to`` (dates, inclusive),
    ``q`` (shipment number, order number, tracking number or customer name)."""
    data = parse(data, SHIPMENT_FILTERS)
    qs = visible_shipments(user)
    if "order" in data:
        qs = qs.filter(order_id=data["order"])
    if "account" in data:
        qs = qs.filter(order__account_id=data["account"])
    if "delivered" in data:
        qs = qs.filter(delivered_on__isnull=not data["delivered"])
    if "shipped_from" in data:
        qs = qs.filter(shipped_on__gte=data["shipped_from"])
    if "shipped_to" in data:
        qs = qs.filter(shipped_on__lte=data["shipped_to"])
    if q := data.get("q"):
        qs = qs.filter(Q(number__icontains=q) | Q(order__number__icontains=q)
                       | Q(tracking_number__icontains=q) | Q(order__account__name__icontains=q))
    return qs


def alert_of(order: SalesOrder, today: dt.date | None = None) -> str:
    """"late", "at_risk" or "" for one order (the same rules as the alerts)."""
    today = today or timezone.localdate()
    if order.status not in UNDELIVERED or order.promised_date is None:
        return ""
    if order.promised_date < today:
        return "late"
    from django.conf import settings

    horizon = today + dt.timedelta(days=settings.GUANXI_DELIVERY_ALERT_DAYS)
    if order.promised_date <= horizon and (
            (order.planned_date and order.planned_date > order.promised_date)
            or order.status != Status.SHIPPED):
        return "at_risk"
    return ""


def my_deliveries(user: User, today: dt.date | None = None) -> list[SalesOrder]:
    """Orders not delivered yet, the most urgent first: those the user delivers, or for
    managers and administrators every one they may see."""
    today = today or timezone.localdate()
    qs = orders_for(user).filter(status__in=UNDELIVERED)
    if not user.has_role(Role.MANAGER, Role.ADMIN):
        qs = qs.filter(delivery_owner=user)
    rows = list(qs.order_by(F("promised_date").asc(nulls_last=True), "id")[:200])
    for order in rows:
        order.alert = alert_of(order, today)  # type: ignore[attr-defined]  # for the page
    rows.sort(key=lambda o: (o.alert != "late", o.alert != "at_risk",  # type: ignore[attr-defined]
                             o.promised_date or dt.date.max, o.pk))
    return rows


def account_cards(user: User, account_id: int, limit: int = 5,
                  today: dt.date | None = None) -> dict[str, list[SalesOrder]]:
    """For the customer's 360° page, in one query: its latest orders and those late or at
    risk (the open items)."""
    today = today or timezone.localdate()
    latest = SalesOrder.objects.filter(account_id=account_id) \
        .order_by("-order_date", "-id").values("pk")[:limit]
    rows = list(orders_for(user).filter(account_id=account_id).filter(
        Q(pk__in=latest) | late_q(today) | at_risk_q(today)).order_by("-order_date", "-id"))
    alerts = {order.pk: alert_of(order, today) for order in rows}
    for order in rows:
        order.alert = alerts[order.pk]  # type: ignore[attr-defined]  # for the page
    return {"latest": rows[:limit],
            "open": sorted((o for o in rows if alerts[o.pk]),
                           key=lambda o: o.promised_date or dt.date.max)[:20]}


def account_orders(user: User, account_id: int, limit: int = 5) -> list[SalesOrder]:
    return account_cards(user, account_id, limit)["latest"]


def open_deliveries(user: User, account_id: int,
                    today: dt.date | None = None) -> list[SalesOrder]:
    """Late or at-risk orders of a customer (the 360° page's open items)."""
    return account_cards(user, account_id, today=today)["open"]


def opportunity_orders(user: User, opportunity_id: int) -> list[SalesOrder]:
    return list(orders_for(user).filter(opportunity_id=opportunity_id)[:20])


# --- The order status ----------------------------------------------------------------------

def order_status(order: SalesOrder, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the status page shows, as plain data (the customer portal reuses it):
    the steps ordered → reviewed → in production → shipped → delivered, the dates, the
    shipments with carrier and tracking number, invoiced and paid amounts."""
    today = today or timezone.localdate()
    status = order.status
    reached = {
        "ordered": True,
        "reviewed": status not in (Status.IN_REVIEW, Status.RETURNED, Status.REJECTED,
                                   Status.CANCELLED) or order.kind == SalesOrder.Kind.STOCK,
        "production": status in (Status.IN_PRODUCTION, Status.PARTIALLY_SHIPPED,
                                 Status.SHIPPED, Status.DELIVERED),
        "shipped": status in (Status.SHIPPED, Status.DELIVERED),
        "delivered": status == Status.DELIVERED,
    }
    shipments = list(order.shipments.all())
    steps = [
        {"key": "ordered", "label": _("Ordered"), "done": True, "date": order.order_date},
        {"key": "reviewed", "label": _("Reviewed") if order.kind == SalesOrder.Kind.CUSTOM
         else _("Confirmed"), "done": reached["reviewed"],
         "date": timezone.localdate(order.review.finished_at)
         if reached["reviewed"] and order.review and order.review.finished_at else None},
        {"key": "production", "label": _("In production")
         if order.kind == SalesOrder.Kind.CUSTOM else _("Picked from stock"),
         "done": reached["production"], "date": None},
        {"key": "shipped", "label": _("Shipped"), "done": reached["shipped"],
         "date": shipments[-1].shipped_on if shipments else None},
        {"key": "delivered", "label": _("Delivered"), "done": reached["delivered"],
         "date": order.actual_date},
    ]
    current = next((s["key"] for s in steps if not s["done"]), "delivered")
    lines = list(order.lines.all())
    return {
        "number": order.number,
        "status": status,
        "status_label": order.get_status_display(),
        "kind": order.kind,
        "closed": status in (Status.CANCELLED, Status.REJECTED),
        "steps": steps,
        "current": current,
        "production_status": order.production_status,
        "production_label": order.get_production_status_display(),
        "order_date": order.order_date,
        "promised_date": order.promised_date,
        "planned_date": order.planned_date,
        "actual_date": order.actual_date,
        "alert": alert_of(order, today),
        "shipped_lines": sum(1 for li in lines if li.shipped_quantity >= li.quantity),
        "line_count": len(lines),
        "shipments": [{"number": s.number, "shipped_on": s.shipped_on, "carrier": s.carrier,
                       "tracking_number": s.tracking_number, "delivered_on": s.delivered_on}
                      for s in shipments],
        "currency": order.currency,
        "total": order.total,
        "invoiced_amount": order.invoiced_amount,
        "paid_amount": order.paid_amount,
        "outstanding": order.outstanding,
        "updated_at": order.updated_at,
    }


def orders_of_accounts_between(account_ids: list[int], since: dt.date,
                               until: dt.date) -> list[dict[str, Any]]:
    """Orders that count as sales (not in review, rejected or cancelled) of the customers, by
    order date: account, date, amount before tax and cost of goods. For attributing revenue and
    gross margin to what came before them (a campaign), without touching order tables."""
    not_sales = (SalesOrder.Status.IN_REVIEW, SalesOrder.Status.RETURNED,
                 SalesOrder.Status.REJECTED, SalesOrder.Status.CANCELLED)
    return list(SalesOrder.objects.filter(account_id__in=account_ids, order_date__gte=since,
                                          order_date__lte=until)
                .exclude(status__in=not_sales)
                .order_by("order_date", "id")
                .values("account_id", "order_date", "net_amount", "cost"))


@dataclass(frozen=True)
class DeliveredLine:
    """One delivered shipment line, as another app (the installed base) reads it."""

    shipment_line_id: int
    order_line_id: int
    order_number: str
    shipment_number: str
    account_id: int
    contact_id: int | None
    product_id: int
    quantity: Decimal
    delivered_on: dt.date


def delivered_lines(order_id: int) -> list[DeliveredLine]:
    """Every line of the order's delivered shipments (no user scope: the caller reacts to a
    delivery that was already allowed)."""
    rows = ShipmentLine.objects.filter(
        shipment__order_id=order_id, shipment__delivered_on__isnull=False).values_list(
        "pk", "order_line_id", "shipment__order__number", "shipment__number",
        "shipment__order__account_id", "shipment__order__contact_id", "order_line__product_id",
        "quantity", "shipment__delivered_on").order_by("pk")
    return [DeliveredLine(*row) for row in rows]  # type: ignore[arg-type]
