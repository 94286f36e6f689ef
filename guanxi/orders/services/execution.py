"""Order execution, followed by the delivery owner: promised and planned dates, production
status, shipments with carrier and tracking number, delivery. Also the alerts before a
promised date is missed and once it is.

The delivery owner, managers over the order's team and administrators change these; the rep
and everyone else who may see the order read them.

Alerts show in the app and come by e-mail, each once per promised date (moving the promised
date arms them again). The notification kind ``orders.delivery`` is not one users can choose
for e-mail in their notification settings, so the direct e-mail here is the only one sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import DomainError, FieldErrors, Forbidden
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import check_version, save_versioned
from guanxi.core.notifications import notify
from guanxi.orders import permissions as perms
from guanxi.orders.models import OrderLine, SalesOrder, Shipment, ShipmentLine
from guanxi.orders.money import ZERO
from guanxi.orders.numbers import SHIPMENT, next_number
from guanxi.orders.services.orders import check_quantity, order_url

log = logging.getLogger(__name__)
Status = SalesOrder.Status
Production = SalesOrder.Production
# Dates can be planned while the order is under way; shipping needs a confirmed order.
SCHEDULABLE = (Status.IN_REVIEW, Status.RETURNED, Status.CONFIRMED, Status.IN_PRODUCTION,
               Status.PARTIALLY_SHIPPED, Status.SHIPPED)
SHIPPABLE = (Status.CONFIRMED, Status.IN_PRODUCTION, Status.PARTIALLY_SHIPPED)
PRODUCING = (Status.CONFIRMED, Status.IN_PRODUCTION, Status.PARTIALLY_SHIPPED)
# Orders whose promised date still matters.
UNDELIVERED = (Status.IN_REVIEW, Status.RETURNED, Status.CONFIRMED, Status.IN_PRODUCTION,
               Status.PARTIALLY_SHIPPED, Status.SHIPPED)
PRODUCTION_ORDER: list[str] = [Production.NOT_STARTED, Production.SCHEDULED, Production.IN_PROGRESS,
                    Production.QUALITY_CHECK, Production.DONE]
STARTED = (Production.IN_PROGRESS, Production.QUALITY_CHECK, Production.DONE)


@dataclass(frozen=True)
class ScheduleInput(Input):
    """Dates and production; ``reason`` explains a new promised date."""

    promised_date: dt.date | None = UNSET
    planned_date: dt.date | None = UNSET
    production_status: str | None = UNSET
    reason: str | None = UNSET


@dataclass(frozen=True)
class ShipmentInput(Input):
    shipped_on: dt.date | None = UNSET
    carrier: str | None = UNSET
    tracking_number: str | None = UNSET
    notes: str | None = UNSET


@dataclass(frozen=True)
class DeliveryInput(Input):
    delivered_on: dt.date | None = None


@dataclass(frozen=True)
class ShipmentLineInput(Input):
    """What leaves of one order line (by the line's id)."""

    order_line: int | None = None
    quantity: Decimal | None = None

    @classmethod
    def rows(cls, rows: Sequence[Any]) -> list[Self]:
        return cls.parse_rows(rows, "lines[{n}].{field}")


def _require(user: User, order: SalesOrder) -> None:
    if not perms.can_execute_order(user, order):
        raise Forbidden(_("Only the delivery owner, a manager of the team or an administrator "
                          "can change the order's execution."))


# --- Schedule and production ---------------------------------------------------------------

def _production_step(order: SalesOrder, new: str) -> None:
    old = order.production_status
    if order.kind == SalesOrder.Kind.STOCK:
        raise DomainError(_("A stock order ships from stock and has no production."),
                          field="production_status", code="stock_order")
    if new not in Production.values or new == Production.NOT_NEEDED:
        raise DomainError(_("Choose a production status."), field="production_status")
    if order.status not in PRODUCING:
        raise DomainError(_("Production follows a confirmed order."),
                          field="production_status", code="not_confirmed")
    if new == Production.DELAYED:
        if old == Production.DONE:
            raise DomainError(_("Production is finished; it cannot be delayed."),
                              field="production_status", code="backwards")
        return
    if old == Production.DELAYED:
        if new == Production.NOT_STARTED:
            raise DomainError(_("Production cannot go back to not started."),
                              field="production_status", code="backwards")
        return
    if PRODUCTION_ORDER.index(new) < PRODUCTION_ORDER.index(old):
        raise DomainError(_("Production cannot go back from “%(old)s” to “%(new)s”.")
                          % {"old": Production(old).label, "new": Production(new).label},
                          field="production_status", code="backwards")


def update_schedule(actor: User, order: SalesOrder, values: ScheduleInput,
                    version: int | None) -> SalesOrder:
    """Set the promised date (a change needs a ``reason``), the planned date and the
    production status. Production under way moves a confirmed order into production."""
    _require(actor, order)
    check_version(order, version)
    if order.status not in SCHEDULABLE:
        raise DomainError(_("This order is closed; its schedule can no longer change."),
                          code="closed")
    given = values.given()
    changes: dict[str, Any] = {}
    reason = str(given.get("reason") or "").strip()[:300]
    for key in ("promised_date", "planned_date"):
        if key in given:
            changes[key] = given[key]
    status: str = given.get("production_status") or ""
    if status and status != order.production_status:
        _production_step(order, status)  # keeps its code (stock order, backwards, ...)
        changes["production_status"] = status
    changes = {k: v for k, v in changes.items() if getattr(order, k) != v}
    if "promised_date" in changes and order.promised_date is not None:
        if changes["promised_date"] is None:
            raise DomainError(_("A promised date cannot be removed; change it instead."),
                              field="promised_date", code="promised_required")
        if not reason:
            raise DomainError(_("Say why the promised date changes: the customer was "
                                "promised %(date)s.") % {"date": order.promised_date},
                              field="reason", code="reason_required")
    if not changes:
        save_versioned(order, version, {})
        return order
    old = {k: getattr(order, k) for k in changes}
    status_before = order.status
    if order.status == Status.CONFIRMED and changes.get("production_status") in STARTED:
        changes["status"] = Status.IN_PRODUCTION
    with transaction.atomic():
        save_versioned(order, version, changes)
        audit.log(actor, "orders.order.schedule_changed", order,
                  changes=audit.diff(old, {k: changes[k] for k in old}),
                  data={"reason": reason} if reason else None)
        if order.status != status_before:
            audit.log(actor, "orders.order.status_changed", order,
                      changes={"status": [status_before, order.status]})
    return order


# --- Shipments -----------------------------------------------------------------------------

def _shipment_lines(order: SalesOrder, given: Sequence[ShipmentLineInput],
                    ) -> list[tuple[OrderLine, Decimal]]:
    by_id = {line.pk: line for line in order.lines.select_related("product")}
    wanted: dict[int, Decimal] = {}
    errors: list[str] = []
    for item in given:
        line = by_id.get(item.order_line) if item.order_line is not None else None
        if line is None:
            errors.append(_("Choose lines of this order."))
            continue
        name = f"{line.position}. {line.description or line.product.label}"
        try:
            quantity = check_quantity(item.quantity)
        except DomainError as exc:
            errors.append(_("%(line)s: %(error)s") % {"line": name, "error": exc.message})
            continue
        wanted[line.pk] = wanted.get(line.pk, ZERO) + quantity
        left = line.quantity - line.shipped_quantity
        if wanted[line.pk] > left:
            errors.append(_("%(line)s: only %(left)s %(unit)s left to ship, not %(wanted)s.")
                          % {"line": name, "left": left.normalize(), "unit": line.unit,
                             "wanted": wanted[line.pk].normalize()})
    if errors:
        raise FieldErrors({"lines": errors})
    if not wanted:
        raise FieldErrors({"lines": [_("Say what is shipped: at least one line with a "
                                       "quantity.")]})
    return [(by_id[pk], quantity) for pk, quantity in wanted.items()]


def add_shipment(actor: User, order: SalesOrder, values: ShipmentInput,
                 lines: Sequence[ShipmentLineInput], version: int | None, *,
                 today: dt.date | None = None) -> Shipment:
    """Record goods leaving: shipped on (default today), carrier, tracking number, notes and
    the quantity per order line (more than 0, at most what is left)."""
    today = today or timezone.localdate()
    _require(actor, order)
    check_version(order, version)
    if order.status not in SHIPPABLE:
        raise DomainError(_("Only a confirmed order that is not fully shipped can ship."),
                          code="not_shippable")
    data = values.given()
    shipped_on = data.get("shipped_on") or today
    if shipped_on > today:
        raise FieldErrors({"shipped_on": [_("Record a shipment once it has left, not in "
                                            "advance.")]})
    if shipped_on < order.order_date:
        raise FieldErrors({"shipped_on": [_("A shipment cannot leave before the order "
                                            "date.")]})
    picked = _shipment_lines(order, lines)
    carrier = str(data.get("carrier") or "").strip()[:100]
    tracking = str(data.get("tracking_number") or "").strip()[:100]
    with transaction.atomic():
        for line, quantity in picked:
            updated = OrderLine.objects.filter(
                pk=line.pk, shipped_quantity__lte=line.quantity - quantity).update(
                shipped_quantity=F("shipped_quantity") + quantity)
            if not updated:
                raise DomainError(_("Someone shipped from this order meanwhile; reload and "
                                    "try again."), field="lines", code="stale_lines")
        everything = not order.lines.filter(shipped_quantity__lt=F("quantity")).exists()
        status = Status.SHIPPED if everything else Status.PARTIALLY_SHIPPED
        before = order.status
        save_versioned(order, version, {"status": status})
        shipment = Shipment.objects.create(
            order=order, number=next_number(SHIPMENT, on=shipped_on), shipped_on=shipped_on,
            carrier=carrier, tracking_number=tracking,
            notes=str(data.get("notes") or "").strip()[:300], created_by=actor)
        ShipmentLine.objects.bulk_create([
            ShipmentLine(shipment=shipment, order_line=line, quantity=quantity)
            for line, quantity in picked])
        audit.log(actor, "orders.shipment.created", shipment,
                  data={"order": order.pk, "carrier": carrier, "tracking_number": tracking,
                        "lines": {str(line.pk): quantity for line, quantity in picked}})
        if before != status:
            audit.log(actor, "orders.order.status_changed", order,
                      changes={"status": [before, status]})
        if order.owner_id and order.owner_id != actor.pk:
            notify(order.owner, gettext_noop("Order %(number)s shipped: %(carrier)s "
                                             "%(tracking)s"),
                   {"number": order.number, "carrier": carrier or "—", "tracking": tracking},
                   kind="orders.shipment", url=order_url(order), actor=actor)
    return shipment


def mark_delivered(actor: User, target: SalesOrder | Shipment,
                   delivered_on: dt.date | None = None, *,
                   version: int | None = None, today: dt.date | None = None) -> SalesOrder:
    """The customer received a shipment (or every shipment of an order). When everything is
    shipped and received the order is delivered, on the last delivery date."""
    today = today or timezone.localdate()
    order = target.order if isinstance(target, Shipment) else target
    _require(actor, order)
    check_version(order, version)
    when = delivered_on or today
    if when > today:
        raise DomainError(_("A delivery date cannot be in the future."), field="delivered_on")
    shipments = Shipment.objects.filter(order=order, delivered_on__isnull=True)
    if isinstance(target, Shipment):
        shipments = shipments.filter(pk=target.pk)
    pending = list(shipments)
    if not pending:
        raise DomainError(_("Nothing shipped is waiting for delivery."), code="nothing_shipped")
    if any(when < s.shipped_on for s in pending):
        raise DomainError(_("A delivery cannot come before its shipment left."),
                          field="delivered_on")
    with transaction.atomic():
        Shipment.objects.filter(pk__in=[s.pk for s in pending]).update(delivered_on=when)
        done = order.status == Status.SHIPPED and not Shipment.objects.filter(
            order=order, delivered_on__isnull=True).exists()
        before = order.status
        changes: dict[str, Any] = {}
        if done:
            last = max(d for d in Shipment.objects.filter(order=order)
                       .values_list("delivered_on", flat=True) if d is not None)
            changes = {"status": Status.DELIVERED, "actual_date": last}
        save_versioned(order, version, changes)
        audit.log(actor, "orders.shipment.delivered", order,
                  data={"shipments": [s.number for s in pending], "delivered_on": when})
        if done:
            audit.log(actor, "orders.order.status_changed", order,
                      changes={"status": [before, Status.DELIVERED]})
    return order


# --- Alerts --------------------------------------------------------------------------------

AT_RISK = gettext_noop("Delivery at risk: order %(number)s for %(account)s is promised for "
                       "%(date)s")
LATE = gettext_noop("Delivery late: order %(number)s for %(account)s was promised for "
                    "%(date)s and is not delivered")


def at_risk_q(today: dt.date) -> Q:
    """Promised within the alert window and planned later, or not yet shipped."""
    horizon = today + dt.timedelta(days=settings.GUANXI_DELIVERY_ALERT_DAYS)
    return (Q(status__in=UNDELIVERED, promised_date__gte=today, promised_date__lte=horizon)
            & (Q(planned_date__gt=F("promised_date")) | ~Q(status=Status.SHIPPED)))


def late_q(today: dt.date) -> Q:
    return Q(status__in=UNDELIVERED, promised_date__lt=today)


def _send(order: SalesOrder, message: str, kind: str) -> int:
    params = {"number": order.number, "account": order.account.name,
              "date": order.promised_date.isoformat() if order.promised_date else ""}
    people = {u.pk: u for u in (order.delivery_owner, order.owner)
              if u is not None and u.is_active}
    link = f"{settings.GUANXI_SITE_URL.rstrip('/')}{order_url(order)}"
    for user in people.values():
        notify(user, message, params, kind=kind, url=order_url(order))
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            title = _(message) % params
            body = "\n\n".join([title, link])
            try:
                mail.send_mail(f"[{_('Guanxi')}] {title}"[:200], body,
                               settings.DEFAULT_FROM_EMAIL, [user.email])
            except (OSError, smtplib.SMTPException):
                # The alert stays in the app; one unreachable mailbox does not stop the rest.
                log.warning("delivery alert e-mail to %s failed", user.pk, exc_info=True)
    return len(people)


def send_delivery_alerts(today: dt.date | None = None) -> dict[str, int]:
    """Alert the delivery owner and the rep of orders at risk or late, once per promised
    date: the order is marked first (a conditional update), so two runs never both send."""
    today = today or timezone.localdate()
    sent = {"at_risk": 0, "late": 0}
    base = SalesOrder.objects.select_related("account", "owner", "delivery_owner")
    for order in base.filter(late_q(today)).exclude(late_alert_for=F("promised_date")):
        if SalesOrder.objects.filter(pk=order.pk).filter(
                Q(late_alert_for__isnull=True) | ~Q(late_alert_for=order.promised_date)) \
                .update(late_alert_for=order.promised_date):
            _send(order, LATE, "orders.delivery.late")
            sent["late"] += 1
    risky = base.filter(at_risk_q(today)).filter(
        Q(due_alert_for__isnull=True) | ~Q(due_alert_for=F("promised_date")))
    for order in risky:
        if SalesOrder.objects.filter(pk=order.pk).filter(
                Q(due_alert_for__isnull=True) | ~Q(due_alert_for=order.promised_date)) \
                .update(due_alert_for=order.promised_date):
            _send(order, AT_RISK, "orders.delivery.at_risk")
            sent["at_risk"] += 1
    return sent
