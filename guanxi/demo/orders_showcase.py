"""The first rep's (``Ctx.star``) quote-to-cash story on the customers' timelines (quotes sent
and accepted, contracts signed, orders, shipments, invoices, payments), and a few records
entered through the quote-to-cash services themselves."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from guanxi.core.errors import DomainError
from guanxi.customers.models import Account, TimelineEvent
from guanxi.customers.services.common import event_fields
from guanxi.demo.orders_context import Ctx
from guanxi.demo.orders_deals import Plan
from guanxi.orders.models import Invoice, Payment, Quote, SalesOrder
from guanxi.orders.selectors.receivables import credit_exposure

Q = Quote.Status
S = SalesOrder.Status
CONFIRMED = (S.CONFIRMED, S.IN_PRODUCTION, S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED)


def timeline(ctx: Ctx, plan: Plan, orders: list[SalesOrder], invoices: list[Invoice],
             payments: list[Payment]) -> int:
    """Timeline entries for the first rep's documents; returns how many."""
    rep = ctx.star
    mine = {p.id for p in ctx.parties if p.owner_id == rep.pk}
    finance, delivery = ctx.user("finance"), ctx.user("delivery")
    events: list[TimelineEvent] = []

    def add(account_id: int, kind: str, title: str, at, actor, **params) -> None:
        events.append(TimelineEvent(account_id=account_id, kind=kind, at=at,
                                    actor=actor, **event_fields(title, params, {})))

    # The services' own messages, so these entries read like the ones they write.
    for quote, _p in plan.quotes:
        if quote.account_id not in mine:
            continue
        number = quote.display_number
        if quote.sent_at:
            add(quote.account_id, "orders.quote", gettext_noop("Quote %(number)s sent to %(to)s"),
                quote.sent_at, rep, number=number, to=quote.sent_to or "—")
        if quote.status == Q.ACCEPTED and quote.decided_at:
            add(quote.account_id, "orders.quote",
                gettext_noop("Quote %(number)s accepted (%(total)s %(currency)s)"),
                quote.decided_at, rep, number=number, total=quote.total,
                currency=quote.currency)
        elif quote.status == Q.DECLINED and quote.decided_at:
            add(quote.account_id, "orders.quote",
                gettext_noop("Quote %(number)s declined by the customer"), quote.decided_at,
                rep, number=number)
    for contract in plan.contracts:
        if contract.account_id in mine and contract.signed_on and contract.status == "signed":
            add(contract.account_id, "orders.contract",
                gettext_noop("Contract %(number)s signed (%(amount)s %(currency)s)"),
                ctx.at(contract.signed_on, 15.0), rep, number=contract.number,
                amount=contract.amount, currency=contract.currency)
    became: set[int] = set()
    for order in sorted(orders, key=lambda o: o.created_at):
        if order.account_id not in mine:
            continue
        if order.status in CONFIRMED and order.account_id not in became:
            became.add(order.account_id)
            add(order.account_id, "orders.order_customer",
                gettext_noop("Became a customer with order %(number)s"), order.created_at, rep,
                number=order.number)
        source = order.contract or order.quote
        add(order.account_id, "orders.order",
            gettext_noop("Order %(number)s placed (%(total)s %(currency)s) from %(source)s"),
            order.created_at, rep, number=order.number, total=order.total,
            currency=order.currency, source=str(source))
        for shipment in order._demo_shipments:
            add(order.account_id, "orders.shipment",
                gettext_noop("Shipment %(number)s of order %(order)s sent by %(carrier)s "
                             "%(tracking)s"), shipment.created_at, delivery,
                number=shipment.number, order=order.number, carrier=shipment.carrier,
                tracking=shipment.tracking_number)
        if order.status == S.DELIVERED and order.actual_date:
            add(order.account_id, "orders.shipment_delivered",
                gettext_noop("Order %(number)s delivered on %(date)s"),
                ctx.at(order.actual_date, 16.0), delivery, number=order.number,
                date=order.actual_date)
    for invoice in invoices:
        if invoice.account_id in mine:
            add(invoice.account_id, "orders.invoice",
                gettext_noop("Invoice %(number)s of %(amount)s issued"), invoice.created_at,
                finance, number=invoice.number, amount=_amount(invoice.total, invoice.currency))
    for payment in payments:
        if payment.account_id in mine:
            add(payment.account_id, "orders.payment",
                gettext_noop("Payment %(number)s of %(amount)s received"), payment.created_at,
                finance, number=payment.number,
                amount=_amount(payment.amount, payment.currency))
    TimelineEvent.objects.bulk_create(events)
    return len(events)


def _amount(value, currency: str) -> str:
    return f"{'¥' if currency == 'CNY' else currency + ' '}{value:,.2f}"


def _lines(*rows: tuple[Any, ...]) -> list[Any]:
    """Quote lines of (product, quantity[, discount percent])."""
    from guanxi.orders.services.quotes import QuoteLineInput

    return [QuoteLineInput(product=row[0], quantity=Decimal(row[1]),
                           discount_percent=Decimal(str(row[2])) if len(row) > 2 else None)
            for row in rows]


def through_services(ctx: Ctx, say: Callable[[str], None]) -> int:
    """A few of the first rep's records through the services, as users make them today: a
    quote whose discount waits at the sales manager, a quote accepted and turned into an
    order, a contract the sales manager has passed on to the technical review, a payment
    allocated to an open invoice. Returns how many service calls went through; a record a
    rule refuses is reported and skipped."""
    from guanxi.orders.services import contracts, orders, quotes, receivables, reviews

    users = ctx.org.users
    rep, finance = ctx.star, users["finance"]
    entered = 0

    def attempt(service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        nonlocal entered
        try:
            inspect.signature(service).bind(*args, **kwargs)
        except TypeError:
            say(f"  skipped: {service.__module__}.{service.__name__} takes other arguments")
            return None
        try:
            result = service(*args, **kwargs)
        except DomainError as exc:
            say(f"  skipped: {exc.message}")
            return None
        entered += 1
        return result

    mine = [p for p in ctx.parties if p.owner_id == rep.pk and not p.usd]
    if not mine:
        return 0
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=[p.id for p in mine])}
    products = ctx.catalog.products
    quoting = ctx.opps.get("quotation", [])
    first = mine[0]
    opp = next((oid for oid, account_id in quoting if account_id == first.id), None)

    # A discount beyond the customer's approved rate: waits at the sales manager.
    quote = attempt(quotes.create_quote, rep, accounts[first.id],
                    quotes.QuoteInput(title="开关柜改造（紧急报价）", opportunity=opp),
                    _lines((products["SG-KYN28"], "6", first.rate + 7),
                           (products["CB-VS1"], "6"), (products["SV-INSTALL"], "48")))
    if quote is not None:
        attempt(quotes.submit_quote, rep, quote, quote.version)

    # Accepted at list price, then ordered from stock by the customer with the most room
    # under the credit limit; over it, finance lets the order through.
    room = {a: a.credit_limit - credit_exposure(a) for a in accounts.values()}
    ordered = max(room, key=lambda a: (room[a], -a.pk))
    quote = attempt(quotes.create_quote, rep, ordered, quotes.QuoteInput(title="备品备件补货"),
                    _lines((products["CB-NM1-250"], "40"), (products["CB-DZ47-C32"], "200")))
    if quote is not None and attempt(quotes.submit_quote, rep, quote, quote.version):
        quote.refresh_from_db()
        if attempt(quotes.accept_quote, rep, quote, quote.version):
            owners = orders.OrderInput(delivery_owner=users["delivery"],
                                       collection_owner=users["collection"])
            if room[ordered] >= quote.total:
                attempt(orders.order_from_quote, rep, quote, owners)
            else:
                attempt(orders.order_from_quote, finance, quote,
                        owners.replace(credit_override_reason="老客户，回款记录良好"))

    # A contract from an accepted quote: the sales manager approves, technical review next.
    party = mine[1 % len(mine)]
    quote = attempt(quotes.create_quote, rep, accounts[party.id],
                    quotes.QuoteInput(title="配电室设备"),
                    _lines((products["TR-SCB10-630"], "2"), (products["SG-GCS"], "8")))
    if quote is not None and attempt(quotes.submit_quote, rep, quote, quote.version):
        quote.refresh_from_db()
        if attempt(quotes.accept_quote, rep, quote, quote.version):
            contract = attempt(contracts.create_contract, rep, None, contracts.ContractInput(
                payment_terms="30% 预付款，发货前付 60%，质保金 10%",
                delivery_terms="合同签订后 45 天内交货"), quote=quote.pk)
            if contract is not None and attempt(contracts.submit_contract, rep, contract,
                                                contract.version):
                contract.refresh_from_db()
                if contract.review is not None:
                    manager = ctx.managers.get(contract.team_id) or users["manager"]
                    attempt(reviews.decide, manager, contract.review, "approve", "同意",
                            contract.review.version)

    # A customer's transfer allocated to its oldest open invoice.
    invoice = Invoice.objects.filter(account_id__in=accounts, outstanding__gt=0,
                                     currency="CNY").order_by("issue_date").first()
    if invoice is not None:
        amount = min(invoice.outstanding, Decimal(50_000))
        attempt(receivables.record_payment, finance, invoice.account,
                receivables.PaymentInput(amount=amount, method="bank_transfer",
                                         reference=f"HX{ctx.today:%Y%m%d}000001",
                                         notes="部分回款"),
                [receivables.AllocationInput(invoice=invoice.pk, amount=amount)])
    return entered
