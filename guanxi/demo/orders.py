"""Quote-to-cash demo data: products, price lists, a year of quotes, tenders, contracts in
review, orders in every state, shipments, invoices, payments (some overdue), expenses.

The catalogue is looked up by code and name before it is created; the documents are added
once (nothing is added when quotes or orders exist already). Everything is planned in memory
from fixed random seeds and written in bulk, with the review rows the review engine would
have written and the numbering counters moved past every number used; a few records of the
first rep then go through the services and onto the customers' timelines."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.analytics.models import Transaction
from guanxi.customers.models import Account, Standing
from guanxi.demo import (
    orders_cash,
    orders_deals,
    orders_expenses,
    orders_fulfilment,
    orders_showcase,
)
from guanxi.demo.orders_catalog import ensure_catalog
from guanxi.demo.orders_context import Ctx, context, save_reviews
from guanxi.demo.org import DemoOrg
from guanxi.demo.sales import _dates_as_given
from guanxi.orders.defaults import ensure_review_rules
from guanxi.orders.models import (
    Allocation,
    Contract,
    DunningReminder,
    ExpenseClaim,
    Invoice,
    Payment,
    Quote,
    SalesOrder,
    Shipment,
    Tender,
)

RATES = (Decimal(3), Decimal(5), Decimal(8), Decimal(10))  # approved discount rates given
ZERO = Decimal(0)
STEP = Decimal(100_000)  # credit limits in steps of ¥100,000
CONFIRMED = (SalesOrder.Status.CONFIRMED, SalesOrder.Status.IN_PRODUCTION,
             SalesOrder.Status.PARTIALLY_SHIPPED, SalesOrder.Status.SHIPPED,
             SalesOrder.Status.DELIVERED)


def add(org: DemoOrg, say: Callable[[str], None] = lambda _m: None) -> None:
    """Add the quote-to-cash records once (looked up before created, like the rest)."""
    started = time.perf_counter()
    ensure_review_rules()
    today, now = timezone.localdate(), timezone.now()
    catalog = ensure_catalog(today)
    if Quote.objects.exists() or SalesOrder.objects.exists():
        return
    ctx = context(org, catalog, today, now)
    if not ctx.parties:
        return
    with transaction.atomic(), _dates_as_given(Quote, Tender, Contract, SalesOrder, Shipment,
                                               Invoice, Payment, Allocation, ExpenseClaim,
                                               DunningReminder):
        _terms(ctx)
        plan = orders_deals.plan(ctx)
        orders_deals.save(ctx, plan)
        orders = orders_fulfilment.build(ctx, plan.deals)
        invoices, payments = orders_cash.save(ctx, orders)
        claims = orders_expenses.build(ctx)
        save_reviews(ctx)
        ctx.numbers.save()
        _transactions(orders)
        _credit(orders, org.users["finance"])
        _standing(plan.quotes, orders)
        orders_showcase.timeline(ctx, plan, orders, invoices, payments)
    entered = orders_showcase.through_services(ctx, say)
    say(_("  %(products)s products, %(quotes)s quotes, %(tenders)s tenders, %(contracts)s "
          "contracts, %(orders)s orders, %(invoices)s invoices, %(payments)s payments, "
          "%(expenses)s expense claims (%(s).1f s)")
        % {"products": len(catalog.products), "quotes": len(plan.quotes),
           "tenders": len(plan.tenders), "contracts": len(plan.contracts),
           "orders": len(orders), "invoices": len(invoices), "payments": len(payments),
           "expenses": len(claims), "s": time.perf_counter() - started})
    if entered:
        say(_("  %(n)s quote-to-cash records entered through the services") % {"n": entered})


def _terms(ctx: Ctx) -> None:
    """Some customers have an approved discount rate, a few buy as distributors."""
    given: dict[Decimal, list[int]] = {}
    distributors = []
    for i, party in enumerate(ctx.parties):
        if party.usd:
            continue
        if party.rate == 0 and i % 3 == 1:
            party.rate = RATES[(i // 3) % len(RATES)]
            given.setdefault(party.rate, []).append(party.id)
        if i % 9 == 4:
            party.distributor = True
            distributors.append(party.id)
    for rate, ids in given.items():
        Account.objects.filter(pk__in=ids).update(discount_rate=rate)
    ctx.catalog.group.accounts.add(*distributors)


def _transactions(orders: list[SalesOrder]) -> None:
    """The sales the customer value analysis learns from, before tax and in yuan, as the
    order service records them when an order is confirmed."""
    Transaction.objects.bulk_create([
        Transaction(account_id=o.account_id, date=o.order_date,
                    amount=orders_cash.yuan(o.net_amount, o.currency),
                    cost=orders_cash.yuan(o.cost, o.currency),
                    source=Transaction.Source.ORDER, external_id=o.number)
        for o in orders if o.status in CONFIRMED], ignore_conflicts=True)


def _credit(orders: list[SalesOrder], finance: User) -> None:
    """Credit limits that leave room for the next order (a limit of 0 means no credit), a
    few tight ones so the credit check has something to say."""
    tight: list[int] = []
    exposure: dict[int, Decimal] = {}
    biggest: dict[int, Decimal] = {}
    for o in orders:
        if o.status not in (SalesOrder.Status.REJECTED, SalesOrder.Status.CANCELLED):
            rest = orders_cash.yuan(o.total - o.paid_amount, o.currency)
            exposure[o.account_id] = exposure.get(o.account_id, ZERO) + rest
        biggest[o.account_id] = max(biggest.get(o.account_id, ZERO),
                                    orders_cash.yuan(o.total, o.currency))
    for n, account in enumerate(Account.objects.filter(pk__in=biggest).order_by("pk")):
        need = exposure.get(account.pk, ZERO) + biggest[account.pk] * 2
        limit = (need / STEP).quantize(Decimal(1), rounding=ROUND_CEILING) * STEP
        if n % 7 == 3:  # owes about what the limit allows: the next order needs finance
            limit = max(STEP, (exposure.get(account.pk, ZERO) / STEP).quantize(
                Decimal(1), rounding=ROUND_CEILING) * STEP)
            tight.append(account.pk)
        if account.credit_limit < limit:
            Account.objects.filter(pk=account.pk).update(credit_limit=limit)
    # Their latest order went through on finance's word.
    latest: dict[int, SalesOrder] = {}
    for o in orders:
        if o.account_id in tight and o.status in CONFIRMED:
            latest[o.account_id] = max(latest.get(o.account_id, o), o,
                                       key=lambda x: (x.order_date, x.pk))
    for o in latest.values():
        o.credit_override_by = finance
        o.credit_override_reason = "老客户，回款记录良好，同意超信用额度发货"
    SalesOrder.objects.bulk_update(list(latest.values()),
                                   ["credit_override_by", "credit_override_reason"])


def _standing(quotes: list[tuple[Quote, object]], orders: list[SalesOrder]) -> None:
    """Customers with orders are customers; with an accepted quote only, lead customers."""
    ordered = {o.account_id for o in orders}
    accepted = {q.account_id for q, _p in quotes if q.status == Quote.Status.ACCEPTED}
    Account.objects.filter(pk__in=ordered).update(standing=Standing.CUSTOMER)
    Account.objects.filter(pk__in=accepted - ordered, standing=Standing.PROSPECT).update(
        standing=Standing.LEAD)
