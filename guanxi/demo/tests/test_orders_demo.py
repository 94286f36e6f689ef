"""The quote-to-cash demo: every state a user clicks through exists, every document adds up,
and running the demo again adds nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from guanxi.analytics.models import Transaction
from guanxi.core.models import AuditEntry
from guanxi.customers.models import Account, Standing, TimelineEvent
from guanxi.demo import orders as orders_demo
from guanxi.demo.build import build
from guanxi.demo.org import ensure_org
from guanxi.orders import numbers
from guanxi.orders import permissions as perms
from guanxi.orders.models import (
    Allocation,
    Contract,
    DunningReminder,
    ExpenseClaim,
    Invoice,
    OrderLine,
    Payment,
    PriceList,
    Product,
    Quote,
    QuoteLine,
    Review,
    ReviewStep,
    SalesOrder,
    Shipment,
    ShipmentLine,
    Tender,
)
from guanxi.orders.selectors import receivables
from guanxi.orders.services import reviews
from guanxi.orders.services.reviews import is_overdue

pytestmark = pytest.mark.django_db
ZERO = Decimal(0)
MODELS = (Quote, QuoteLine, Tender, Contract, SalesOrder, OrderLine, Shipment, ShipmentLine,
          Invoice, Payment, Allocation, DunningReminder, ExpenseClaim, Review, ReviewStep,
          Product, PriceList, Transaction)


def _sum(rows, attr: str) -> Decimal:
    return sum((getattr(r, attr) for r in rows), ZERO)


def _states(model, field: str = "status") -> set[str]:
    return set(model.objects.values_list(field, flat=True))


def _waiting(flow: str) -> list[ReviewStep]:
    return list(ReviewStep.objects.filter(review__flow=flow, status=ReviewStep.Status.WAITING,
                                          review__status=Review.Status.PENDING))


def test_the_demo_has_every_state_adds_up_and_is_added_once():
    said: list[str] = []
    build(12, say=said.append)
    today, now = timezone.localdate(), timezone.now()

    # Catalogue and price lists
    products = list(Product.objects.all())
    assert len(products) >= 30
    assert all(p.name_zh and p.name_en for p in products)
    assert {"台", "套", "件", "米", "吨", "小时"} <= {p.unit for p in products}
    assert {Decimal(13), Decimal(6), Decimal(9)} == {p.tax_rate for p in products}
    assert {"stock", "made_to_order"} == {p.kind for p in products}
    assert all(Decimal("0.5") <= p.cost / p.list_price <= Decimal("0.8") for p in products)
    lists = list(PriceList.objects.all())
    assert {"CNY", "USD"} <= {pl.currency for pl in lists}
    assert any(pl.group and pl.valid_from <= today <= pl.valid_until for pl in lists)
    assert any(pl.valid_until and pl.valid_until < today for pl in lists)

    # Quotes: every state, totals are the sums of their lines
    assert {"draft", "in_approval", "approved", "rejected", "sent", "accepted", "declined",
            "superseded"} <= _states(Quote)
    assert Quote.objects.count() >= 150
    lines = defaultdict(list)
    for line in QuoteLine.objects.all():
        lines[line.quote_id].append(line)
    for quote in Quote.objects.all():
        mine = lines[quote.pk]
        assert 1 <= len(mine) <= 8
        assert quote.net_amount == _sum(mine, "net_amount")
        assert quote.tax_amount == _sum(mine, "tax_amount")
        assert quote.total == _sum(mine, "total") == quote.net_amount + quote.tax_amount
        assert quote.subtotal == sum(((li.quantity * li.list_price).quantize(Decimal("0.01"))
                                      for li in mine), ZERO)
        assert quote.discount_amount == quote.subtotal - quote.net_amount
    for old in Quote.objects.filter(status="superseded"):
        assert old.next_revision.number == old.number and old.next_revision.revision == 2
    waiting = Quote.objects.filter(status="in_approval").select_related("account", "review")
    assert waiting and all(q.max_discount > q.account.discount_rate for q in waiting)
    assert all(q.review.status == Review.Status.PENDING for q in waiting)
    quote_steps = _waiting("quote")
    assert {s.name_en for s in quote_steps} == {"Sales manager", "General manager"}
    assert any(is_overdue(s, now) for s in quote_steps)
    assert any(not is_overdue(s, now) for s in quote_steps)
    assert any(q.opportunity_id for q in Quote.objects.all())

    # Tenders
    tenders = list(Tender.objects.all())
    assert len(tenders) >= 12
    assert sum(1 for t in tenders if t.result == "pending"
               and now < t.deadline <= now + dt.timedelta(days=7)) >= 2
    assert {"pending", "won", "lost", "cancelled"} <= {t.result for t in tenders}
    assert {"to_pay", "paid", "returned", "not_required"} <= {t.bond_status for t in tenders}

    # Contracts: waiting at every step, some overdue; signed ones became orders
    assert {"in_review", "returned", "rejected", "approved", "signed"} <= _states(Contract)
    contract_steps = _waiting("contract")
    assert {s.position for s in contract_steps} == {1, 2, 3, 4}
    assert {s.approver_role for s in contract_steps} == {"manager", "delivery", "finance",
                                                         "admin"}
    assert any(is_overdue(s, now) for s in contract_steps)
    for contract in Contract.objects.filter(status="signed"):
        assert contract.order.total == contract.amount
    assert Contract.objects.filter(tender__result="won").exists()

    # Orders in every state, adding up, shipped as their shipments say
    assert set(SalesOrder.Status.values) == _states(SalesOrder)
    assert SalesOrder.objects.count() >= 110
    order_lines = defaultdict(list)
    for line in OrderLine.objects.all():
        order_lines[line.order_id].append(line)
    shipped = dict(ShipmentLine.objects.values("order_line").annotate(q=Sum("quantity"))
                   .values_list("order_line", "q"))
    orders = list(SalesOrder.objects.all())
    for order in orders:
        mine = order_lines[order.pk]
        assert order.total == _sum(mine, "total") == order.net_amount + order.tax_amount
        assert order.net_amount == _sum(mine, "net_amount")
        for line in mine:
            assert line.shipped_quantity == shipped.get(line.pk, ZERO)
        complete = all(li.shipped_quantity == li.quantity for li in mine)
        if order.status in ("shipped", "delivered"):
            assert complete and order.shipments.exists()
        elif order.status == "partially_shipped":
            assert not complete and order.shipments.exists()
        else:
            assert not order.shipments.exists()
        if order.status == "delivered":
            assert order.actual_date and order.actual_date <= today
        if order.status in ("in_review", "returned", "rejected", "in_production"):
            assert order.kind == "custom"
    assert set(Shipment.objects.values_list("carrier", flat=True)) == {
        "顺丰速运", "德邦物流", "中国邮政EMS"}
    assert all(s.tracking_number for s in Shipment.objects.all())
    producing = [o for o in orders if o.status == "in_production"]
    assert any(o.planned_date > o.promised_date >= today for o in producing)  # at risk
    assert any(o.promised_date < today for o in producing)  # late
    assert _waiting("order")  # custom orders in order review
    delivery = ensure_org().users["delivery"]
    assert Counter(o.delivery_owner_id for o in orders).most_common(1)[0][0] == delivery.pk

    # Receivables: every figure is the sum of the allocations
    allocations = list(Allocation.objects.select_related("invoice"))
    to_invoice, to_order, of_payment = (defaultdict(lambda: ZERO) for _i in range(3))
    for a in allocations:
        of_payment[a.payment_id] += a.amount
        if a.invoice_id:
            to_invoice[a.invoice_id] += a.amount
            assert a.order_id == a.invoice.order_id
        to_order[a.order_id] += a.amount
    invoices = list(Invoice.objects.all())
    invoiced = defaultdict(lambda: ZERO)
    for inv in invoices:
        assert inv.total == inv.net_amount + inv.tax_amount == inv.order.total
        assert inv.paid_amount == to_invoice[inv.pk]
        assert inv.outstanding == inv.total - inv.paid_amount >= ZERO
        assert inv.status == ("paid" if not inv.outstanding else "partial" if inv.paid_amount
                              else "open")
        assert inv.order.status in ("shipped", "delivered")
        assert len(inv.number) == (20 if inv.kind == "electronic" else 8)
        assert inv.number.isdigit()
        invoiced[inv.order_id] += inv.total
    assert Counter(i.kind for i in invoices).most_common(1)[0][0] == "special"
    assert {"open", "partial", "paid"} == {i.status for i in invoices}
    for order in orders:
        assert order.invoiced_amount == invoiced[order.pk]
        assert order.paid_amount == to_order[order.pk]
    payments = list(Payment.objects.all())
    for payment in payments:
        assert payment.unallocated == payment.amount - of_payment[payment.pk] >= ZERO
    assert {"bank_transfer", "acceptance_bill"} <= {p.method for p in payments}
    assert any(p.unallocated for p in payments)
    assert any(a.order_id and not a.invoice_id for a in allocations)  # advance on an order
    aging = defaultdict(lambda: ZERO)
    for inv in invoices:
        late = (today - inv.due_date).days
        if inv.outstanding and late > 0:
            aging[0 if late <= 30 else 1 if late <= 60 else 2 if late <= 90 else 3] += \
                inv.outstanding
    assert all(aging[b] > 0 for b in range(4)), dict(aging)  # by days past due
    report = receivables.aging(ensure_org().users["finance"], as_of=today)  # by invoice date
    assert all(amount > 0 for _label, amount in report.totals.bucket_list), report.totals
    assert report.totals.overdue > 0
    reminders = list(DunningReminder.objects.select_related("invoice"))
    assert reminders
    for r in reminders:
        assert r.invoice.dunning_level >= r.level and r.invoice.due_date < today
    # Numbers handed out later continue after the demo's.
    for prefix, model in ((numbers.QUOTE, Quote), (numbers.CONTRACT, Contract),
                          (numbers.ORDER, SalesOrder), (numbers.SHIPMENT, Shipment),
                          (numbers.PAYMENT, Payment)):
        assert not model.objects.filter(number=numbers.next_number(prefix)).exists()

    # Expenses
    claims = list(ExpenseClaim.objects.all())
    assert len(claims) >= 50
    assert {"approved", "submitted", "returned", "rejected", "draft"} == {c.status
                                                                         for c in claims}
    assert Counter(c.status for c in claims).most_common(1)[0][0] == "approved"
    assert {s.name_en for s in _waiting("expense")} == {"Sales manager", "Finance"}

    # Reviews wait at more than one step, some overdue
    pending = list(ReviewStep.objects.filter(status="waiting"))
    assert len({(s.name_en, s.position) for s in pending}) > 3
    assert any(is_overdue(s, now) for s in pending)
    for review in Review.objects.exclude(status="pending").prefetch_related("steps"):
        assert not any(s.status in ("waiting", "queued") for s in review.steps.all())

    # Analytics and standing
    confirmed = {o.number for o in orders if o.status in (
        "confirmed", "in_production", "partially_shipped", "shipped", "delivered")}
    assert set(Transaction.objects.filter(source="order")
               .values_list("external_id", flat=True)) == confirmed
    with_orders = set(SalesOrder.objects.values_list("account_id", flat=True))
    assert set(Account.objects.filter(pk__in=with_orders)
               .values_list("standing", flat=True)) == {Standing.CUSTOMER}
    assert not Account.objects.filter(pk__in=with_orders, credit_limit__lte=0).exists()
    assert any(o.credit_override_by_id and o.credit_override_reason for o in orders)
    leads = Account.objects.filter(standing=Standing.LEAD)
    assert leads.exists()
    for account in leads:
        assert account.quotes.filter(status="accepted").exists()
        assert not account.orders.exists()
    assert TimelineEvent.objects.filter(kind="orders.quote").exists()
    assert TimelineEvent.objects.filter(kind="orders.payment").exists()

    # A few records of the first rep went through the services themselves.
    assert not [m for m in said if "skipped" in m], said
    done = set(AuditEntry.objects.filter(action__startswith="orders.")
               .values_list("action", flat=True))
    assert {"orders.quote.created", "orders.quote.submitted", "orders.quote.accepted",
            "orders.order.created", "orders.contract.submitted", "orders.review.approve",
            "orders.payment.received"} <= done
    assert TimelineEvent.objects.filter(kind="orders.quote", at__date=today).exists()

    # The pending reviews are the engine's own: their deciders can decide them.
    for flow, model, approved in (("quote", Quote, "approved"), ("contract", Contract, "approved"),
                                  ("order", SalesOrder, "confirmed"),
                                  ("expense", ExpenseClaim, "approved")):
        step = ReviewStep.objects.filter(
            review__flow=flow, review__status="pending", status="waiting").select_related(
            "review").order_by("-position").first()
        review = step.review
        subject = model.objects.get(pk=review.subject_id)
        assert subject.review_id == review.pk
        decider = next(u for u in perms.deciders(step, review)
                       if u.pk != review.submitted_by_id)
        reviews.decide(decider, review, "approve", "", review.version)
        subject.refresh_from_db()
        following = review.steps.filter(position=step.position + 1).first()
        if following is None:
            assert subject.status == approved, (flow, subject.status)
        else:
            following.refresh_from_db()
            assert following.status == "waiting" and following.started_at

    # Running the demo again adds no quote-to-cash records
    def counts() -> dict:
        return {**{m: m.objects.count() for m in MODELS},
                "timeline": TimelineEvent.objects.filter(kind__startswith="orders.").count()}

    before = counts()
    build(12)
    assert counts() == before


def test_without_customers_the_demo_adds_the_catalogue_only():
    org = ensure_org()
    orders_demo.add(org)
    orders_demo.add(org)
    assert Product.objects.count() >= 30 and PriceList.objects.count() == 4
    assert not Quote.objects.exists() and not SalesOrder.objects.exists()
