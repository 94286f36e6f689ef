"""API: sales orders made from accepted quotes and signed contracts, their schedule,
shipments, delivery and the live order status.

Reads go through the scoped selector (404 for missing and not visible alike); writes call one
service each and take the ``version`` the caller read (409 when stale). Converting the same
quote or contract again answers 200 with the order made the first time (201 then)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from guanxi.accounts.schemas import UserRef
from guanxi.core.access import get_visible
from guanxi.core.schemas import Id, Version
from guanxi.core.selectors import keyset_page
from guanxi.orders.models import Contract, Quote, SalesOrder
from guanxi.orders.selectors import orders as sel
from guanxi.orders.services import execution
from guanxi.orders.services import orders as svc

router = Router(tags=["Orders"])
shipments_router = Router(tags=["Shipments"])
router.add_router("", shipments_router)


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class AccountRef(Schema):
    id: int
    name: str


class OrderLineOut(Schema):
    id: int
    position: int
    product_id: int
    product_code: str = Field(alias="product.code")
    description: str
    unit: str
    quantity: Decimal
    shipped_quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    total: Decimal


class ShipmentLineOut(Schema):
    order_line_id: int
    quantity: Decimal


class ShipmentOut(Schema):
    id: int
    number: str
    order_id: int
    shipped_on: dt.date
    carrier: str
    tracking_number: str
    delivered_on: dt.date | None
    notes: str
    lines: list[ShipmentLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


class OrderListItem(Schema):
    id: int
    number: str
    kind: str
    status: str
    account: AccountRef
    owner: UserRef | None
    delivery_owner: UserRef | None
    collection_owner: UserRef | None
    currency: str
    total: Decimal
    order_date: dt.date
    promised_date: dt.date | None
    planned_date: dt.date | None
    actual_date: dt.date | None
    version: int


class OrderOut(OrderListItem):
    quote_id: int | None
    contract_id: int | None
    opportunity_id: int | None
    contact_id: int | None
    net_amount: Decimal
    tax_amount: Decimal
    invoiced_amount: Decimal
    paid_amount: Decimal
    production_status: str
    special_requirements: str
    delivery_address: str
    review_id: int | None
    credit_override_by: UserRef | None
    credit_override_reason: str
    alert: str = Field(description="`late`, `at_risk` or empty")
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut]

    @staticmethod
    def resolve_alert(obj) -> str:
        return sel.alert_of(obj)

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())

    @staticmethod
    def resolve_shipments(obj) -> list:
        return list(obj.shipments.all())


class OrderPage(Schema):
    items: list[OrderListItem]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class OrderStepOut(Schema):
    key: str
    label: str
    done: bool
    date: dt.date | None


class StatusShipmentOut(Schema):
    number: str
    shipped_on: dt.date
    carrier: str
    tracking_number: str
    delivered_on: dt.date | None


class StatusOut(Schema):
    number: str
    status: str
    status_label: str
    kind: str
    closed: bool
    steps: list[OrderStepOut]
    current: str
    production_status: str
    production_label: str
    order_date: dt.date
    promised_date: dt.date | None
    planned_date: dt.date | None
    actual_date: dt.date | None
    alert: str
    shipped_lines: int
    line_count: int
    shipments: list[StatusShipmentOut]
    currency: str
    total: Decimal
    invoiced_amount: Decimal
    paid_amount: Decimal
    outstanding: Decimal
    updated_at: dt.datetime


class ContractLineIn(In):
    product: Id = Field(description="Product id (an active product)")
    quantity: Decimal = Field(description="More than zero")
    unit_price: Decimal | None = Field(None, description="Default: the list price")
    discount_percent: Decimal | None = Field(None, description="0–100")


class OrderFromDealIn(In):
    promised_date: dt.date | None = None
    delivery_address: str | None = None
    special_requirements: str | None = Field(
        None, description="Anything here makes a custom order (order review)")
    kind: Literal["stock", "custom"] | None = Field(
        None, description="Default: custom when a product is made to order or there are "
                          "special requirements")
    delivery_owner_id: Id | None = Field(None, description="Default: the opportunity's")
    collection_owner_id: Id | None = Field(None, description="Default: the opportunity's")
    credit_override_reason: str | None = Field(
        None, description="Finance only: lets an order beyond the credit limit through")
    lines: list[ContractLineIn] | None = Field(
        None, description="Only for a contract without a quote")


class SchedulePatch(In):
    version: Version
    promised_date: dt.date | None = None
    planned_date: dt.date | None = None
    production_status: Literal["not_started", "scheduled", "in_progress", "quality_check",
                               "done", "delayed"] | None = None
    reason: str | None = Field(None, description="Required when the promised date changes")


class ShipmentLineIn(In):
    order_line: Id = Field(description="Id of a line of this order")
    quantity: Decimal = Field(description="More than zero, at most what is left to ship")


class ShipmentIn(In):
    version: Version
    shipped_on: dt.date | None = Field(None, description="Default: today")
    carrier: str = ""
    tracking_number: str = ""
    notes: str = ""
    lines: list[ShipmentLineIn]


class DeliverIn(In):
    version: Version | None = None
    delivered_on: dt.date | None = Field(None, description="Default: today")
    shipment_id: Id | None = Field(None, description="Only this shipment; default: all")


class QuantityIn(In):
    id: Id = Field(description="Id of a line of this order")
    quantity: Decimal = Field(description="More than zero")


class ResubmitIn(In):
    version: Version
    promised_date: dt.date | None = None
    delivery_address: str | None = None
    special_requirements: str | None = None
    lines: list[QuantityIn] | None = Field(None, description="New quantities of lines")


class OrderCancelIn(In):
    version: Version
    reason: str


class OrderFilters(Schema):
    status: str | None = Field(None, description="A status or `open` (not delivered yet)")
    kind: Literal["stock", "custom"] | None = None
    alert: Literal["late", "at_risk"] | None = None
    delivery_owner: Id | None = None
    mine: Literal["owner", "delivery", "collection"] | None = None
    account: Id | None = None
    q: str | None = Field(None, description="Order number or customer name")
    sort: Literal["order_date", "-order_date", "promised_date", "-promised_date", "total",
                  "-total"] = "-order_date"
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _order(request: HttpRequest, order_id: int) -> SalesOrder:
    return sel.get_order(request.auth, order_id)


def _convert_values(payload: OrderFromDealIn) -> svc.OrderInput:
    data = payload.model_dump(exclude_unset=True, exclude={"lines"})
    for key in ("delivery_owner_id", "collection_owner_id"):
        if key in data:
            data[key[:-3]] = data.pop(key)
    return svc.OrderInput(**{k: v for k, v in data.items() if v is not None})


def _contract_lines(payload: OrderFromDealIn) -> list[svc.OrderLineInput]:
    return [svc.OrderLineInput(**li.model_dump()) for li in payload.lines or []]


@router.get("/orders", response=OrderPage)
def list_orders(request: HttpRequest, filters: Query[OrderFilters]):
    """Orders you may see, filtered; keyset pages: follow `next` until it is null."""
    qs = sel.filter_orders(request.auth, request.GET)
    page = keyset_page(qs, filters.sort, filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/quotes/{quote_id}/order", response={200: OrderOut, 201: OrderOut})
def order_from_quote(request: HttpRequest, quote_id: Id, payload: OrderFromDealIn):
    """The order of an accepted quote: 201 when made now, 200 with the same order when it
    was made before. Refused (400, field `credit`) beyond the credit limit unless finance
    gives `credit_override_reason`."""
    quote = get_visible(Quote.objects.visible_to(request.auth).select_related("account"),
                        pk=quote_id)
    order = svc.order_from_quote(request.auth, quote, _convert_values(payload))
    return Status(201 if order.created else 200, _order(request, order.pk))


@router.post("/contracts/{contract_id}/order", response={200: OrderOut, 201: OrderOut})
def order_from_contract(request: HttpRequest, contract_id: Id, payload: OrderFromDealIn):
    """The order of a signed contract (lines from its quote, or `lines` when it has none):
    201 when made now, 200 with the same order when it was made before."""
    contract = get_visible(Contract.objects.visible_to(request.auth)
                           .select_related("account", "quote"), pk=contract_id)
    order = svc.order_from_contract(request.auth, contract, _convert_values(payload),
                                    _contract_lines(payload))
    return Status(201 if order.created else 200, _order(request, order.pk))


@router.get("/orders/{order_id}", response=OrderOut)
def get_order(request: HttpRequest, order_id: Id):
    """One order with its lines (shipped quantities), shipments and delivery alert."""
    return _order(request, order_id)


@router.get("/orders/{order_id}/status", response=StatusOut)
def order_status(request: HttpRequest, order_id: Id):
    """Where the order stands: ordered → reviewed → in production → shipped → delivered,
    the dates, shipments with tracking numbers, invoiced and paid."""
    return sel.order_status(_order(request, order_id))


@router.patch("/orders/{order_id}/schedule", response=OrderOut)
def update_schedule(request: HttpRequest, order_id: Id, payload: SchedulePatch):
    """Promised date (a change needs `reason`), planned date, production status: the
    delivery owner, managers over the team, administrators."""
    order = _order(request, order_id)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    execution.update_schedule(request.auth, order, execution.ScheduleInput(**data),
                              payload.version)
    return _order(request, order_id)


@router.post("/orders/{order_id}/deliver", response=OrderOut)
def deliver(request: HttpRequest, order_id: Id, payload: DeliverIn):
    """The customer received every open shipment (or `shipment_id`); the order is delivered
    once everything shipped has arrived."""
    order = _order(request, order_id)
    target: Any = order
    if payload.shipment_id is not None:
        target = get_visible(order.shipments.all(), pk=payload.shipment_id)
    execution.mark_delivered(request.auth, target, payload.delivered_on,
                             version=payload.version)
    return _order(request, order_id)


@router.post("/orders/{order_id}/cancel", response=OrderOut)
def cancel(request: HttpRequest, order_id: Id, payload: OrderCancelIn):
    """Cancel an order nothing of which was shipped or invoiced (with a reason)."""
    svc.cancel_order(request.auth, _order(request, order_id), payload.reason, payload.version)
    return _order(request, order_id)


@router.post("/orders/{order_id}/resubmit", response=OrderOut)
def resubmit(request: HttpRequest, order_id: Id, payload: ResubmitIn):
    """Change an order returned by the order review and send it to the review again."""
    data = payload.model_dump(exclude_unset=True, exclude={"version", "lines"})
    lines = [svc.LineQuantityInput(**li.model_dump()) for li in payload.lines or []]
    svc.resubmit_order(request.auth, _order(request, order_id), svc.OrderInput(**data),
                       payload.version, lines)
    return _order(request, order_id)


class ShipmentFilters(Schema):
    order: Id | None = Field(None, description="An order id")
    account: Id | None = Field(None, description="A customer id")
    delivered: bool | None = Field(None, description="true: delivery confirmed; false: on "
                                                     "its way")
    shipped_from: dt.date | None = None
    shipped_to: dt.date | None = None
    q: str | None = Field(None, description="Shipment, order or tracking number, or customer")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class ShipmentPage(Schema):
    items: list[ShipmentOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


@shipments_router.get("/shipments", response=ShipmentPage)
def list_all_shipments(request: HttpRequest, filters: Query[ShipmentFilters]):
    """Shipments of the orders you may see, newest first; keyset pages: follow `next`."""
    qs = sel.filter_shipments(request.auth, request.GET).prefetch_related("lines")
    page = keyset_page(qs, "-shipped_on", filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@shipments_router.get("/orders/{order_id}/shipments", response=list[ShipmentOut])
def list_shipments(request: HttpRequest, order_id: Id):
    """The order's shipments with carrier, tracking number and quantities per line."""
    return list(_order(request, order_id).shipments.all())


@shipments_router.post("/orders/{order_id}/shipments", response={201: ShipmentOut})
def create_shipment(request: HttpRequest, order_id: Id, payload: ShipmentIn):
    """Record goods leaving: quantities per order line (over-shipping is refused naming the
    line, nothing saved)."""
    order = _order(request, order_id)
    data = payload.model_dump(exclude={"version", "lines"})
    lines = [execution.ShipmentLineInput(**li.model_dump()) for li in payload.lines]
    shipment = execution.add_shipment(request.auth, order, execution.ShipmentInput(**data),
                                      lines, payload.version)
    return Status(201, shipment)
