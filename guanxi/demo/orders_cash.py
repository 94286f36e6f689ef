"""Demo receivables: a VAT invoice for every shipped or delivered order (专票 mostly, 8-digit
numbers; 数电票 with 20 digits), payments by bank transfer or acceptance bill allocated to
them — most paid, some in part, some overdue in every aging bucket and reminded — a few
advances against orders not yet invoiced, receipts not yet matched. Every invoice's paid and
outstanding amounts, every order's invoiced and paid amounts and every payment's unallocated
rest are the sums of the allocation rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from guanxi.demo.orders_catalog import USD_RATE
from guanxi.demo.orders_context import Ctx, Party
from guanxi.orders.models import (
    Allocation,
    DunningReminder,
    Invoice,
    Payment,
    SalesOrder,
)
from guanxi.orders.money import cents
from guanxi.orders.numbers import PAYMENT
from guanxi.orders.services.dunning import dunning_days

S = SalesOrder.Status
I = Invoice.Status  # noqa: E741
M = Payment.Method
# Aging buckets (days past due or since the invoice date), and where an open invoice is
# put if none falls in one.
BUCKETS = ((1, 30, 15), (31, 60, 45), (61, 90, 76), (91, 10_000, 130))
ADVANCES = 8


@dataclass
class Receipt:
    party: Party
    day: dt.date
    method: str
    parts: list[tuple[Invoice | None, SalesOrder | None, Decimal]] = field(default_factory=list)
    extra: Decimal = Decimal(0)  # received but not allocated
    note: str = ""


def invoices(ctx: Ctx, orders: list[SalesOrder]) -> list[Invoice]:
    r = ctx.rng
    by_id = ctx.by_id
    finance = ctx.user("finance").pk
    existing = set(Invoice.objects.values_list("number", flat=True))
    made: list[Invoice] = []
    serial = 1000 + r.randrange(10_000)
    for order in orders:
        if order.status not in (S.SHIPPED, S.DELIVERED):
            continue
        party = by_id[order.account_id]
        shipped = max(s.shipped_on for s in order._demo_shipments)
        usd = order.currency == "USD"
        kind = Invoice.Kind.GENERAL if usd else r.choices(
            (Invoice.Kind.SPECIAL, Invoice.Kind.ELECTRONIC, Invoice.Kind.GENERAL), (80, 15, 5))[0]
        while True:
            serial += r.randint(1, 40)
            number = f"{shipped.year % 100:02d}312{serial:015d}" \
                if kind == Invoice.Kind.ELECTRONIC else f"{(serial * 7919) % 10**8:08d}"
            if number not in existing:
                existing.add(number)
                break
        made.append(Invoice(
            number=number, kind=kind, account_id=party.id, order=order,
            buyer_tax_id=party.tax_id, currency=order.currency, net_amount=order.net_amount,
            tax_amount=order.tax_amount, total=order.total, paid_amount=Decimal(0),
            outstanding=order.total, issue_date=shipped,
            due_date=shipped + dt.timedelta(days=party.terms), status=I.OPEN,
            collection_owner_id=order.collection_owner_id or ctx.user("collection").pk,
            owner_id=order.owner_id, team_id=order.team_id, created_by_id=finance,
            created_at=ctx.at(shipped)))
    return made


def receipts(ctx: Ctx, invoices: list[Invoice], orders: list[SalesOrder]) -> list[Receipt]:
    """Who paid what when: most invoices in full, some in part, some not at all; each aging
    bucket keeps money outstanding."""
    r, today = ctx.rng, ctx.today
    by_id = ctx.by_id
    plan: dict[int, str] = {}  # index → "paid" / "partial" / "open"
    for i, inv in enumerate(invoices):
        overdue = (today - inv.due_date).days
        weights = (25, 15, 60) if overdue <= 0 else (78, 12, 10)
        plan[i] = r.choices(("paid", "partial", "open"), weights)[0]
    for low, high, put in BUCKETS:
        def open_in(low=low, high=high) -> bool:
            return any(plan[i] != "paid" and low <= (today - inv.due_date).days <= high
                       for i, inv in enumerate(invoices))
        if open_in():
            continue
        inside = [i for i, inv in enumerate(invoices) if low <= (today - inv.due_date).days
                  <= high]
        movable = [i for i, inv in enumerate(invoices) if plan[i] == "paid"
                   and inv.issue_date <= today - dt.timedelta(days=put)]
        if inside:
            plan[inside[0]] = "open"
        elif movable:
            chosen = movable[len(movable) // 2]
            invoices[chosen].due_date = today - dt.timedelta(days=put)
            plan[chosen] = "open"
    for low, high, _put in ((0, 30, 0), *BUCKETS[1:]):  # aged by invoice date, too
        aged = [i for i, inv in enumerate(invoices)
                if low <= (today - inv.issue_date).days <= high]
        if aged and all(plan[i] == "paid" for i in aged):
            plan[aged[-1]] = "open"
    out: list[Receipt] = []
    last_of: dict[int, Receipt] = {}
    for i, inv in enumerate(invoices):
        if plan[i] == "open":
            continue
        party = by_id[inv.account_id]
        latest = min(today, inv.due_date + dt.timedelta(days=r.randint(-25, 12)))
        day = max(inv.issue_date + dt.timedelta(days=1), latest)
        day = min(day, today)
        amount = inv.total if plan[i] == "paid" else cents(
            inv.total * Decimal(r.uniform(0.3, 0.7)))
        method = M.LETTER_OF_CREDIT if inv.currency == "USD" else (
            M.ACCEPTANCE_BILL if r.random() < 0.25 else M.BANK_TRANSFER)
        last = last_of.get(party.id)
        if last and last.party.id == party.id and last.method == method \
                and abs((last.day - day).days) <= 20 and inv.currency == "CNY":
            last.parts.append((inv, None, amount))  # one transfer for two invoices
            last.day = max(last.day, day)
            continue
        out.append(Receipt(party, day, method, [(inv, None, amount)]))
        last_of[party.id] = out[-1]
    for receipt in out[3:40:12]:  # rounded up: the rest waits to be allocated
        paid = sum((a for _i, _o, a in receipt.parts), Decimal(0))
        receipt.extra = (paid / 1000).quantize(Decimal(1), rounding="ROUND_CEILING") * 1000 \
            - paid or Decimal(500)
        receipt.note = "客户多付，待下次货款冲抵"
    open_orders = [o for o in orders if o.status in (S.CONFIRMED, S.IN_PRODUCTION,
                                                     S.PARTIALLY_SHIPPED)
                   and o.currency == "CNY"]
    for order in sorted(open_orders, key=lambda o: (o.contract_id is None, o.order_date))[
            :ADVANCES]:
        day = min(today, order.order_date + dt.timedelta(days=r.randint(1, 7)))
        out.append(Receipt(by_id[order.account_id], day, M.BANK_TRANSFER,
                           [(None, order, cents(order.total * Decimal("0.3")))],
                           note="30% 预付款"))
    unmatched = [inv for i, inv in enumerate(invoices) if plan[i] == "open"][:2]
    for inv in unmatched:
        out.append(Receipt(by_id[inv.account_id], today - dt.timedelta(days=r.randint(0, 3)),
                           M.BANK_TRANSFER, [], extra=cents(inv.total / 2),
                           note="来款用途不明，待核对"))
    return out


def save(ctx: Ctx, orders: list[SalesOrder]) -> tuple[list[Invoice], list[Payment]]:
    """Write invoices, payments, allocations and reminders and keep every sum in step."""
    r = ctx.rng
    made = invoices(ctx, orders)
    Invoice.objects.bulk_create(made)
    planned = receipts(ctx, made, orders)
    finance = ctx.user("finance").pk
    payments: list[Payment] = []
    for receipt in sorted(planned, key=lambda p: p.day):
        allocated = sum((a for _i, _o, a in receipt.parts), Decimal(0))
        currency = "USD" if receipt.party.usd and receipt.method == M.LETTER_OF_CREDIT \
            else "CNY"
        stamp = receipt.day.strftime("%Y%m%d")
        reference = {
            M.ACCEPTANCE_BILL: f"1{r.randrange(10**11, 10**12)}{stamp}{r.randrange(10**9):09d}",
            M.LETTER_OF_CREDIT: f"LC{receipt.day.year}{r.randrange(10**5, 10**6)}",
        }.get(receipt.method, f"HX{stamp}{r.randrange(10**6):06d}")
        payment = Payment(
            number=ctx.numbers.take(PAYMENT, receipt.day), account_id=receipt.party.id,
            amount=allocated + receipt.extra, unallocated=receipt.extra, currency=currency,
            received_on=receipt.day, method=receipt.method, reference=reference,
            notes=receipt.note, team_id=receipt.party.team_id,
            owner_id=receipt.party.owner_id, created_by_id=finance,
            created_at=ctx.at(receipt.day))
        payment._demo_parts = receipt.parts
        payments.append(payment)
    Payment.objects.bulk_create(payments)
    allocations = []
    for payment in payments:
        for invoice, order, amount in payment._demo_parts:
            # As the receivables service does: an invoice's allocation names its order too.
            order = invoice.order if invoice is not None else order
            allocations.append(Allocation(payment=payment, invoice=invoice, order=order,
                                          amount=amount, created_by_id=finance,
                                          created_at=payment.created_at))
            if invoice is not None:
                invoice.paid_amount += amount
                invoice.outstanding = invoice.total - invoice.paid_amount
                invoice.status = I.PAID if not invoice.outstanding else I.PARTIAL
            order.paid_amount += amount
    Allocation.objects.bulk_create(allocations)
    for invoice in made:
        invoice.order.invoiced_amount += invoice.total
    reminders = _reminders(ctx, made)
    DunningReminder.objects.bulk_create(reminders)
    Invoice.objects.bulk_update(made, ["paid_amount", "outstanding", "status", "due_date",
                                       "dunning_level", "last_dunned_at"])
    SalesOrder.objects.bulk_update(orders, ["paid_amount", "invoiced_amount"])
    return made, payments


def _reminders(ctx: Ctx, invoices: list[Invoice]) -> list[DunningReminder]:
    """Reminders at the dunning days (7, 30 and 60 past due by default) for most overdue
    invoices; the daily job has yet to remind the rest."""
    by_id = ctx.by_id
    days = dunning_days() or [7]
    out = []
    for n, invoice in enumerate(invoices):
        overdue = (ctx.today - invoice.due_date).days
        if invoice.outstanding <= 0 or overdue < days[0] or n % 4 == 3:
            continue
        to = by_id[invoice.account_id].contact
        for level, after in enumerate(days, start=1):
            if overdue < after:
                break
            sent = ctx.at(invoice.due_date + dt.timedelta(days=after), 9.0)
            out.append(DunningReminder(
                invoice=invoice, level=level, days_overdue=after, sent_to=to if "@" in to
                else "", status=DunningReminder.Status.SENT if "@" in to
                else DunningReminder.Status.NO_ADDRESS, sent_at=sent))
            invoice.dunning_level, invoice.last_dunned_at = level, sent
    return out


def yuan(amount: Decimal, currency: str) -> Decimal:
    return cents(amount * USD_RATE) if currency == "USD" else amount
