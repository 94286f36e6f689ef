"""Order execution: schedule and production by the delivery owner, shipments (partial, full,
over-shipping refused), delivery, and the alerts before and after a promised date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.models import AuditEntry, Notification
from guanxi.customers.models import TimelineEvent
from guanxi.orders.jobs.delivery import delivery_alerts
from guanxi.orders.models import OrderLine, SalesOrder, Shipment
from guanxi.orders.services import execution as ex
from guanxi.orders.services import orders as svc
from guanxi.orders.services import reviews
from guanxi.orders.services.execution import ScheduleInput, ShipmentInput, ShipmentLineInput
from guanxi.orders.services.orders import OrderInput
from guanxi.orders.tests import fulfilment_fixtures as fx
from guanxi.orders.tests.fulfilment_fixtures import TODAY, make_quote

shop = fx.shop
Status = SalesOrder.Status
Production = SalesOrder.Production


@pytest.fixture
def order(shop):
    """A confirmed stock order (lines: 10 and 5 units) delivered by ``delivery``."""
    return svc.order_from_quote(shop.org.rep, shop.quote, OrderInput.parse({
        "delivery_owner": shop.org.delivery.pk, "promised_date": "2026-06-20"}), today=TODAY)


@pytest.fixture
def custom(shop):
    quote = make_quote(shop.account, shop.org.rep, [(shop.custom, "2")])
    order = svc.order_from_quote(shop.org.rep, quote, OrderInput.parse({
        "delivery_owner": shop.org.delivery.pk, "promised_date": "2026-07-01"}), today=TODAY)
    for user in (shop.org.delivery, shop.org.manager):
        order.review.refresh_from_db()
        reviews.decide(user, order.review, "approve")
    order.refresh_from_db()
    assert order.status == Status.CONFIRMED
    return order


def _lines(order):
    return list(order.lines.order_by("position"))


# --- Schedule ------------------------------------------------------------------------------

def test_delivery_owner_plans_and_production_moves_the_order(shop, custom):
    org = shop.org
    ex.update_schedule(org.delivery, custom, ScheduleInput.parse({"planned_date": "2026-06-28",
                                              "production_status": "scheduled"}), custom.version)
    assert custom.status == Status.CONFIRMED and custom.planned_date == dt.date(2026, 6, 28)
    ex.update_schedule(org.delivery, custom,
                       ScheduleInput.parse({"production_status": "in_progress"}),
                       custom.version)
    custom.refresh_from_db()
    assert custom.status == Status.IN_PRODUCTION
    assert custom.production_status == Production.IN_PROGRESS
    assert AuditEntry.objects.filter(action="orders.order.status_changed",
                                     object_id=str(custom.pk),
                                     changes__status=["confirmed", "in_production"]).exists()
    with pytest.raises(DomainError) as exc:
        ex.update_schedule(org.delivery, custom,
                           ScheduleInput.parse({"production_status": "scheduled"}),
                           custom.version)
    assert exc.value.field == "production_status" and exc.value.code == "backwards"
    ex.update_schedule(org.delivery, custom, ScheduleInput.parse({"production_status": "delayed"}),
                       custom.version)
    ex.update_schedule(org.delivery, custom, ScheduleInput.parse({"production_status": "done"}),
                       custom.version)
    custom.refresh_from_db()
    assert custom.production_status == Production.DONE


def test_a_new_promised_date_needs_a_reason_and_is_on_the_timeline(shop, order):
    org = shop.org
    with pytest.raises(DomainError) as exc:
        ex.update_schedule(org.delivery, order,
                           ScheduleInput.parse({"promised_date": "2026-06-25"}), order.version)
    assert exc.value.field == "reason"
    order.refresh_from_db()
    assert order.promised_date == dt.date(2026, 6, 20)
    ex.update_schedule(org.delivery, order, ScheduleInput.parse({"promised_date": "2026-06-25",
                                             "reason": "原材料到货延迟"}), order.version)
    order.refresh_from_db()
    assert order.promised_date == dt.date(2026, 6, 25)
    entry = AuditEntry.objects.get(action="orders.order.schedule_changed",
                                   object_id=str(order.pk))
    assert entry.changes["promised_date"] == ["2026-06-20", "2026-06-25"]
    assert entry.data["reason"] == "原材料到货延迟"
    assert TimelineEvent.objects.filter(account=shop.account, kind="orders.order_schedule").exists()


def test_schedule_refusals(shop, order):
    org = shop.org
    with pytest.raises(DomainError) as exc:
        ex.update_schedule(org.delivery, order,
                           ScheduleInput.parse({"production_status": "in_progress"}),
                           order.version)
    assert exc.value.code == "stock_order"
    with pytest.raises(FieldErrors) as errors:
        ex.update_schedule(org.delivery, order,
                           ScheduleInput.parse({"planned_date": "next week", "colour": "red"}),
                           order.version)
    assert set(errors.value.errors) == {"planned_date", "colour"}
    with pytest.raises(Conflict):
        ex.update_schedule(org.delivery, order, ScheduleInput.parse({"planned_date": "2026-06-18"}),
                           order.version - 1)
    for outsider in (org.rep, org.teammate, org.finance, org.other_manager):
        with pytest.raises(Forbidden):
            ex.update_schedule(outsider, order,
                               ScheduleInput.parse({"planned_date": "2026-06-18"}), order.version)
    ex.update_schedule(org.manager, order, ScheduleInput.parse({"planned_date": "2026-06-18"}),
                       order.version)
    order.refresh_from_db()
    assert order.planned_date == dt.date(2026, 6, 18)


# --- Shipments -----------------------------------------------------------------------------

def test_over_shipping_names_the_line_and_saves_nothing(shop, order):
    first, second = _lines(order)
    with pytest.raises(FieldErrors) as exc:
        ex.add_shipment(shop.org.delivery, order, ShipmentInput.parse({"carrier": "顺丰"}),
                        ShipmentLineInput.rows([
            {"order_line": first.pk, "quantity": "4"},
            {"order_line": second.pk, "quantity": "6"}]), order.version, today=TODAY)
    [message] = exc.value.errors["lines"]
    assert message.startswith("2. ") and "only 5 台 left" in message
    assert not Shipment.objects.exists()
    assert OrderLine.objects.filter(shipped_quantity__gt=0).count() == 0
    order.refresh_from_db()
    assert order.status == Status.CONFIRMED


@pytest.mark.parametrize("lines", [[], [{"order_line": 0, "quantity": "1"}],
                                   [{"order_line": "first", "quantity": "0"}],
                                   [{"order_line": "first", "quantity": "abc"}]])
def test_shipment_lines_must_be_this_orders_with_a_quantity(shop, order, lines):
    first = _lines(order)[0]
    lines = [{**li, "order_line": first.pk if li["order_line"] == "first"
              else li["order_line"]} for li in lines]
    with pytest.raises(FieldErrors) as exc:
        ex.add_shipment(shop.org.delivery, order, ShipmentInput.parse({}),
                        ShipmentLineInput.rows(lines), order.version, today=TODAY)
    assert any(key.startswith("lines") for key in exc.value.errors)  # or lines[0].quantity
    assert not Shipment.objects.exists()


def test_partial_then_full_shipment_then_delivery(shop, order):
    org = shop.org
    first, second = _lines(order)
    shipment = ex.add_shipment(org.delivery, order, ShipmentInput.parse({
        "carrier": "顺丰", "tracking_number": "SF1234567890", "shipped_on": "2026-06-05"}),
        ShipmentLineInput.rows([
            {"order_line": first.pk, "quantity": "10"}, {"order_line": second.pk,
                                                      "quantity": "2"}]),
        order.version, today=dt.date(2026, 6, 6))
    assert shipment.number.startswith("SH2026-")
    order.refresh_from_db()
    assert order.status == Status.PARTIALLY_SHIPPED
    assert [li.shipped_quantity for li in _lines(order)] == [Decimal("10"), Decimal("2")]
    event = TimelineEvent.objects.get(account=shop.account, kind="orders.shipment")
    assert "SF1234567890" in event.display_title and "顺丰" in event.display_title
    assert Notification.objects.filter(recipient=org.rep, kind="orders.shipment").exists()
    with pytest.raises(DomainError) as exc:
        ex.mark_delivered(org.delivery, order, dt.date(2026, 6, 4), today=dt.date(2026, 6, 6))
    assert exc.value.field == "delivered_on"
    ex.mark_delivered(org.delivery, shipment, dt.date(2026, 6, 7), today=dt.date(2026, 6, 7))
    order.refresh_from_db()
    assert order.status == Status.PARTIALLY_SHIPPED and order.actual_date is None
    ex.add_shipment(org.delivery, order,
                    ShipmentInput.parse({"carrier": "德邦", "shipped_on": "2026-06-08"}),
                    ShipmentLineInput.rows([
                        {"order_line": second.pk, "quantity": "3"}]), order.version,
                    today=dt.date(2026, 6, 8))
    order.refresh_from_db()
    assert order.status == Status.SHIPPED
    with pytest.raises(DomainError):
        ex.add_shipment(org.delivery, order, ShipmentInput.parse({}),
                        ShipmentLineInput.rows([{"order_line": second.pk, "quantity": "1"}]),
                        order.version, today=dt.date(2026, 6, 8))
    ex.mark_delivered(org.delivery, order, dt.date(2026, 6, 10), version=order.version,
                      today=dt.date(2026, 6, 10))
    order.refresh_from_db()
    assert order.status == Status.DELIVERED and order.actual_date == dt.date(2026, 6, 10)
    assert AuditEntry.objects.filter(action="orders.shipment.created").count() == 2
    with pytest.raises(DomainError) as exc:
        ex.mark_delivered(org.delivery, order, today=dt.date(2026, 6, 10))
    assert exc.value.code == "nothing_shipped"


def test_shipping_refusals(shop, order, custom):
    org = shop.org
    line = _lines(order)[0]
    with pytest.raises(Forbidden):
        ex.add_shipment(org.rep, order, ShipmentInput.parse({}),
                        ShipmentLineInput.rows([{"order_line": line.pk, "quantity": "1"}]),
                        order.version, today=TODAY)
    with pytest.raises(FieldErrors) as exc:
        ex.add_shipment(org.delivery, order, ShipmentInput.parse({"shipped_on": "2026-06-09"}),
                        ShipmentLineInput.rows([
                            {"order_line": line.pk, "quantity": "1"}]), order.version, today=TODAY)
    assert "shipped_on" in exc.value.errors
    with pytest.raises(Conflict):
        ex.add_shipment(org.delivery, order, ShipmentInput.parse({}),
                        ShipmentLineInput.rows([{"order_line": line.pk, "quantity": "1"}]),
                        order.version - 1, today=TODAY)
    assert not Shipment.objects.exists()
    assert OrderLine.objects.get(pk=line.pk).shipped_quantity == 0


# --- Alerts --------------------------------------------------------------------------------

def test_at_risk_alert_goes_once_and_again_after_a_new_promised_date(shop, order):
    org = shop.org
    mail.outbox.clear()
    assert ex.send_delivery_alerts(dt.date(2026, 6, 10)) == {"at_risk": 0, "late": 0}
    assert ex.send_delivery_alerts(dt.date(2026, 6, 17)) == {"at_risk": 1, "late": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["delivery@example.com", "rep@example.com"]
    assert "at risk" in mail.outbox[0].subject and order.number in mail.outbox[0].subject
    notes = Notification.objects.filter(kind="orders.delivery.at_risk")
    assert {n.recipient for n in notes} == {org.delivery, org.rep}
    assert ex.send_delivery_alerts(dt.date(2026, 6, 18)) == {"at_risk": 0, "late": 0}
    assert len(mail.outbox) == 2
    order.refresh_from_db()
    ex.update_schedule(org.delivery, order, ScheduleInput.parse({"promised_date": "2026-06-19",
                                             "reason": "客户要求提前"}), order.version)
    assert ex.send_delivery_alerts(dt.date(2026, 6, 18)) == {"at_risk": 1, "late": 0}
    assert len(mail.outbox) == 4


def test_a_shipped_order_on_plan_is_not_at_risk(shop, order):
    lines = [{"order_line": li.pk, "quantity": str(li.quantity)} for li in _lines(order)]
    ex.add_shipment(shop.org.delivery, order, ShipmentInput.parse({}),
                    ShipmentLineInput.rows(lines), order.version, today=TODAY)
    assert ex.send_delivery_alerts(dt.date(2026, 6, 18)) == {"at_risk": 0, "late": 0}
    order.refresh_from_db()
    ex.update_schedule(shop.org.delivery, order,
                       ScheduleInput.parse({"planned_date": "2026-06-22"}), order.version)
    assert ex.send_delivery_alerts(dt.date(2026, 6, 18)) == {"at_risk": 1, "late": 0}


def test_late_alert_goes_once_and_stops_on_delivery(shop, order):
    mail.outbox.clear()
    assert ex.send_delivery_alerts(dt.date(2026, 6, 21))["late"] == 1
    assert ex.send_delivery_alerts(dt.date(2026, 6, 22))["late"] == 0
    assert len(mail.outbox) == 2 and "late" in mail.outbox[0].subject
    other = svc.order_from_quote(shop.org.rep, make_quote(shop.account, shop.org.rep, [
        (shop.stock, "1")]), OrderInput.parse({"delivery_owner": shop.org.delivery.pk,
                              "promised_date": "2026-06-20"}), today=TODAY)
    lines = [{"order_line": li.pk, "quantity": str(li.quantity)} for li in _lines(other)]
    ex.add_shipment(shop.org.delivery, other, ShipmentInput.parse({}),
                    ShipmentLineInput.rows(lines), other.version, today=TODAY)
    ex.mark_delivered(shop.org.delivery, other, TODAY, today=TODAY)
    assert ex.send_delivery_alerts(dt.date(2026, 6, 23))["late"] == 0


def test_alert_mail_is_in_the_readers_language(shop, order):
    org = shop.org
    org.delivery.language = "zh-hans"
    org.delivery.save(update_fields=["language"])
    mail.outbox.clear()
    ex.send_delivery_alerts(dt.date(2026, 6, 21))
    by = {m.to[0]: m for m in mail.outbox}
    assert by["delivery@example.com"].subject.startswith("[关系]")
    assert by["rep@example.com"].subject.startswith("[Guanxi]")
    assert order.number in by["delivery@example.com"].body


def test_the_periodic_job_sends_the_alerts(shop, order, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date(2026, 6, 21))
    mail.outbox.clear()
    delivery_alerts.call_local()
    assert len(mail.outbox) == 2
