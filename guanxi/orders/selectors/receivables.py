"""Reads of receivables, through the scoped querysets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.core.access import get_visible
from guanxi.core.filters import Param, choices, parse
from guanxi.customers.models import Account, Contact
from guanxi.orders.models import Allocation, DunningReminder, Invoice, Payment, SalesOrder
from guanxi.orders.permissions import can_see_all

ZERO = Decimal("0")
CENT = Decimal("0.01")
# Orders that commit the customer to pay (not rejected or cancelled).
LIVE_ORDER_STATUSES = (
    SalesOrder.Status.IN_REVIEW, SalesOrder.Status.RETURNED, SalesOrder.Status.CONFIRMED,
    SalesOrder.Status.IN_PRODUCTION, SalesOrder.Status.PARTIALLY_SHIPPED,
    SalesOrder.Status.SHIPPED, SalesOrder.Status.DELIVERED,
)


def credit_exposure(account: Account) -> Decimal:
    """What the customer owes or has ordered and not yet paid: unpaid totals of live orders
    plus open invoices that belong to no order, less money received and not yet allocated
    (an advance, 预付款, counts for the customer: a prepaid order needs no credit). A new
    order is refused when this plus its total exceeds the credit limit (unless finance
    overrides)."""
    money: DecimalField = DecimalField(max_digits=16, decimal_places=2)
    orders = SalesOrder.objects.filter(account=account, status__in=LIVE_ORDER_STATUSES) \
        .aggregate(v=Coalesce(Sum(F("total") - F("paid_amount"), output_field=money),
                              Value(ZERO), output_field=money))["v"]
    loose = Invoice.objects.filter(account=account, order__isnull=True, outstanding__gt=0) \
        .aggregate(v=Coalesce(Sum("outstanding"), Value(ZERO), output_field=money))["v"]
    advances = Payment.objects.filter(account=account, unallocated__gt=0) \
        .aggregate(v=Coalesce(Sum("unallocated"), Value(ZERO), output_field=money))["v"]
    return (orders + loose - advances).quantize(Decimal("0.01"))


# --- Aging (账龄) ----------------------------------------------------------------------------

BUCKETS = ("0_30", "31_60", "61_90", "90_plus")
BUCKET_LABELS = {"0_30": "0–30", "31_60": "31–60", "61_90": "61–90", "90_plus": "90+"}


@dataclass
class AgingRow:
    """Outstanding amounts of one customer (or of everyone, or of "others") per bucket."""

    account_id: int | None
    name: str
    buckets: dict[str, Decimal]
    overdue: Decimal
    total: Decimal
    count: int

    @property
    def bucket_list(self) -> list[tuple[str, Decimal]]:
        return [(BUCKET_LABELS[key], self.buckets[key]) for key in BUCKETS]


@dataclass
class AgingReport:
    as_of: dt.date
    totals: AgingRow
    customers: list[AgingRow] = field(default_factory=list)
    others: AgingRow | None = None

    @property
    def labels(self) -> list[str]:
        return [BUCKET_LABELS[key] for key in BUCKETS]


def _aging_sums(as_of: dt.date) -> dict[str, Any]:
    """``Sum(Case(When(...)))`` per bucket plus overdue, total and count, for one pass.

    Typed as plain numbers and made Decimal (to the fen) in ``_row``: typed as decimals,
    SQLite would CAST every row several times, which costs more than the summing itself over
    hundreds of thousands of rows. The values are the database's own sums either way."""
    number: FloatField = FloatField()

    def total_when(cond: Q | None) -> Sum:
        expr = F("outstanding") if cond is None else Case(
            When(cond, then=F("outstanding")), default=Value(0), output_field=number)
        return Sum(expr, output_field=number)

    d30, d60, d90 = (as_of - dt.timedelta(days=n) for n in (30, 60, 90))
    return {
        "b0_30": total_when(Q(issue_date__gte=d30)),
        "b31_60": total_when(Q(issue_date__lt=d30, issue_date__gte=d60)),
        "b61_90": total_when(Q(issue_date__lt=d60, issue_date__gte=d90)),
        "b90_plus": total_when(Q(issue_date__lt=d90)),
        "overdue": total_when(Q(due_date__lt=as_of)),
        "total": total_when(None),
        "count": Count("*"),  # not the id: the partial indexes then cover the pass
    }


def _cents(value: Any) -> Decimal:
    # Raw sums: Decimal on PostgreSQL, int or float on SQLite (which stores decimals as
    # numbers; the ORM's own sums are no more exact there).
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value or 0).quantize(CENT)


def _row(values: dict[str, Any], account_id: int | None = None, name: str = "") -> AgingRow:
    return AgingRow(account_id=account_id, name=name,
                    buckets={key: _cents(values[f"b{key}"]) for key in BUCKETS},
                    overdue=_cents(values["overdue"]), total=_cents(values["total"]),
                    count=int(values["count"] or 0))


def open_invoices(user: User, *, as_of: dt.date, account: Account | int | None = None,
                  collection_owner: User | int | None = None, team: int | None = None,
                  ) -> QuerySet[Invoice]:
    """Open invoices issued by ``as_of`` that ``user`` may see. The condition is exactly
    ``outstanding > 0`` so the partial ``inv_open_*`` indexes apply (cancelled and paid
    invoices have nothing outstanding)."""
    qs = Invoice.objects.visible_to(user).filter(outstanding__gt=0, issue_date__lte=as_of)
    if account is not None:
        qs = qs.filter(account_id=getattr(account, "pk", account))
    if collection_owner is not None:
        qs = qs.filter(collection_owner_id=getattr(collection_owner, "pk", collection_owner))
    if team is not None:
        from guanxi.accounts.models import Team

        subtree = Team.objects.filter(pk=team).first()
        qs = qs.filter(team_id__in=subtree.subtree_ids() if subtree else [])
    return qs


def aging(user: User, *, as_of: dt.date, account: Account | int | None = None,
          collection_owner: User | int | None = None, team: int | None = None,
          top: int = 10) -> AgingReport:
    """Receivables aging (账龄) as of a date, through ``user``'s scope.

    The age of an invoice is the number of days from its **issue date** (the invoice date)
    to ``as_of`` — how Chinese finance teams read 账龄 — in the buckets 0–30, 31–60, 61–90
    and 90+ days (day 30 is still 0–30, day 31 is 31–60, day 91 is 90+). "Overdue" is a
    separate column: the part whose due date lies before ``as_of``. Amounts are what is
    outstanding now on invoices issued by ``as_of``.

    Over open invoices only, in SQL, never a loop over invoices, two ways:

    - Everything (finance, executives, administrators, no narrowing filter on a scope):
      one aggregate with ``Sum(Case(When(...)))`` per bucket gives the totals (a range scan
      of ``inv_open_date``), one grouped sum of what each customer owes, ordered and limited
      in SQL, picks the ``top`` customers, and their buckets come from the same aggregate
      over their invoices alone. Bucketing every customer in the grouped pass costs about
      four times as much (many sums per group).
    - Through a person's scope: the scope condition cannot use an index, so each pass
      reads every open invoice; one pass then does it all: the bucketed sums grouped per
      customer, a window ``SUM(...) OVER ()`` over those groups for the totals, ordered and
      limited in SQL.

    The rest is summed as "others".
    """
    qs = open_invoices(user, as_of=as_of, account=account, collection_owner=collection_owner,
                       team=team).order_by()
    sums = _aging_sums(as_of)
    if can_see_all(user):
        report = AgingReport(as_of=as_of, totals=_row(qs.aggregate(**sums)))
        if not report.totals.count:
            return report
        biggest = [r["account_id"] for r in qs.values("account_id")
                   .annotate(owed=Sum("outstanding", output_field=FloatField()))
                   .order_by("-owed", "account_id")[:top]]
        rows = {r["account_id"]: r for r in qs.filter(account_id__in=biggest)
                .values("account_id").annotate(**sums)}
    else:
        report, rows = _one_pass(qs, sums, as_of, top)
        if not report.totals.count:
            return report
        biggest = list(rows)
    names = dict(Account.objects.filter(pk__in=biggest).values_list("pk", "name"))
    report.customers = [_row(rows[pk], pk, names.get(pk, "")) for pk in biggest]
    totals = report.totals
    shown = {key: sum((r.buckets[key] for r in report.customers), ZERO) for key in BUCKETS}
    rest = AgingRow(
        account_id=None, name="",
        buckets={key: totals.buckets[key] - shown[key] for key in BUCKETS},
        overdue=totals.overdue - sum((r.overdue for r in report.customers), ZERO),
        total=totals.total - sum((r.total for r in report.customers), ZERO),
        count=totals.count - sum(r.count for r in report.customers))
    report.others = rest if rest.count else None
    return report


def _one_pass(qs: QuerySet[Invoice], sums: dict[str, Any], as_of: dt.date, top: int,
              ) -> tuple[AgingReport, dict[int, dict[str, Any]]]:
    """The ``top`` customers' bucketed sums and, by a window over all customers' groups, the
    totals, in one statement (ordered by what is owed, biggest first)."""
    cols = list(sums)
    try:
        inner, params = qs.values("account_id").annotate(**sums).query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing (a team that does not exist)
        return AgingReport(as_of=as_of, totals=_row(dict.fromkeys(cols))), {}
    q = connection.ops.quote_name
    window = ", ".join(f"SUM({q(c)}) OVER ()" for c in cols)
    # Only fixed column names are spliced in; the inner statement is Django's, with params.
    sql = (f"SELECT account_id, {', '.join(q(c) for c in cols)}, {window} "  # noqa: S608
           f"FROM ({inner}) g ORDER BY {q('total')} DESC, account_id LIMIT %s")
    with connection.cursor() as cur:
        cur.execute(sql, [*params, top])
        found = cur.fetchall()
    n = len(cols)
    totals = dict(zip(cols, found[0][1 + n:], strict=True)) if found else dict.fromkeys(cols)
    rows = {r[0]: dict(zip(cols, r[1:1 + n], strict=True)) for r in found}
    return AgingReport(as_of=as_of, totals=_row(totals)), rows


# --- The collection owner's list -------------------------------------------------------------

@dataclass
class OverdueItem:
    invoice: Invoice
    days_overdue: int
    phone: str
    contact: str
    reminders: int


# What the list shows: fewer columns make a long list noticeably cheaper to build.
OVERDUE_FIELDS = ("number", "kind", "status", "currency", "total", "paid_amount",
                  "outstanding", "issue_date", "due_date", "dunning_level", "last_dunned_at",
                  "collection_owner_id", "account_id", "account__name", "account__phone")


def overdue_for_collector(user: User, as_of: dt.date, limit: int = 200) -> list[OverdueItem]:
    """Overdue invoices ``user`` collects (due before ``as_of``, something outstanding),
    oldest due date first, with days overdue, a phone to call and reminders sent.

    Read along the partial index ``inv_open_collector`` (collection owner, due date) and
    limited before anything else is looked up: reminders and phones for that page only."""
    invoices = list(
        Invoice.objects.filter(collection_owner=user, outstanding__gt=0, due_date__lt=as_of)
        .select_related("account").only(*OVERDUE_FIELDS).order_by("due_date", "id")[:limit])
    sent = dict(DunningReminder.objects.filter(invoice__in=[i.pk for i in invoices])
                .order_by().values("invoice_id").annotate(n=Count("id"))
                .values_list("invoice_id", "n"))
    for invoice in invoices:
        invoice.reminders_sent = sent.get(invoice.pk, 0)
    contacts: dict[int, Contact] = {}
    for contact in Contact.objects.filter(
            account_id__in={i.account_id for i in invoices}, is_active=True) \
            .exclude(mobile="", phone="").only("account_id", "name", "mobile", "phone") \
            .order_by("-is_primary", "id"):
        if contact.account_id not in contacts and (contact.mobile or contact.phone):
            contacts[contact.account_id] = contact
    items = []
    for invoice in invoices:
        contact = contacts.get(invoice.account_id)
        items.append(OverdueItem(
            invoice=invoice, days_overdue=(as_of - invoice.due_date).days,
            phone=(contact.mobile or contact.phone) if contact else invoice.account.phone,
            contact=contact.name if contact else "", reminders=invoice.reminders_sent))
    return items


# --- Lists and single records ----------------------------------------------------------------

INVOICE_FILTERS = (
    Param("status", "choice", choices("open", Invoice.Status)), Param("overdue", "bool"),
    Param("account", "int", aliases=("account_id",)), Param("order", "int", aliases=("order_id",)),
    Param("collection_owner", "int", aliases=("collection_owner_id",)), Param("q"),
)
PAYMENT_FILTERS = (
    Param("account", "int", aliases=("account_id",)), Param("unallocated", "bool"),
    Param("q"),
)


def filter_invoices(user: User, data: Mapping[str, Any], *,
                    today: dt.date | None = None) -> QuerySet[Invoice]:
    """Invoices ``user`` sees: ``status`` (a status, or ``open``: anything outstanding),
    ``overdue``, ``account``, ``order``, ``collection_owner`` (ids), ``q`` (number or
    customer name)."""
    data = parse(data, INVOICE_FILTERS)
    today = today or timezone.localdate()
    qs = Invoice.objects.visible_to(user)
    status = data.get("status")
    if status in Invoice.Status.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(outstanding__gt=0)
    if data.get("overdue"):
        qs = qs.filter(outstanding__gt=0, due_date__lt=today)
    if data.get("account"):
        qs = qs.filter(account_id=data["account"])
    if data.get("order"):
        qs = qs.filter(order_id=data["order"])
    if data.get("collection_owner"):
        qs = qs.filter(collection_owner_id=data["collection_owner"])
    if data.get("q"):
        q = str(data["q"]).strip()
        qs = qs.filter(Q(number__icontains=q) | Q(account__name__icontains=q))
    return qs


def filter_payments(user: User, data: Mapping[str, Any]) -> QuerySet[Payment]:
    """Payments ``user`` sees: ``account``, ``unallocated``, ``q`` (number, reference or
    customer name)."""
    data = parse(data, PAYMENT_FILTERS)
    qs = Payment.objects.visible_to(user)
    if data.get("account"):
        qs = qs.filter(account_id=data["account"])
    if data.get("unallocated"):
        qs = qs.filter(unallocated__gt=0)
    if data.get("q"):
        q = str(data["q"]).strip()
        qs = qs.filter(Q(number__icontains=q) | Q(reference__icontains=q)
                       | Q(account__name__icontains=q))
    return qs


def get_invoice(user: User, pk: Any) -> Invoice:
    return get_visible(Invoice.objects.visible_to(user).select_related(
        "account", "order", "collection_owner", "owner", "created_by"), pk=pk)


def get_payment(user: User, pk: Any) -> Payment:
    return get_visible(Payment.objects.visible_to(user).select_related(
        "account", "created_by"), pk=pk)


def allocations_of_invoice(invoice: Invoice) -> QuerySet[Allocation]:
    return invoice.allocations.select_related("payment").order_by("created_at", "id")


def allocations_of_payment(payment: Payment) -> QuerySet[Allocation]:
    return payment.allocations.select_related("invoice", "order").order_by("created_at", "id")


def open_items(account: Account) -> dict[str, list]:
    """What a payment of ``account`` can be allocated to: open invoices (oldest first) and
    live orders with something left to pay."""
    invoices = list(Invoice.objects.filter(account=account, outstanding__gt=0)
                    .exclude(status=Invoice.Status.CANCELLED)
                    .select_related("order").order_by("issue_date", "id")[:200])
    orders = list(SalesOrder.objects.filter(account=account, status__in=LIVE_ORDER_STATUSES,
                                            paid_amount__lt=F("total"))
                  .order_by("order_date", "id")[:200])
    return {"invoices": invoices, "orders": orders}


def account_aging(user: User, account: Account, as_of: dt.date) -> tuple[AgingRow, int]:
    """One customer's outstanding by bucket (as in ``aging``) and how many of its invoices
    are overdue: one aggregate, for the customer page."""
    sums = _aging_sums(as_of) | {"overdue_count": Count("id", filter=Q(due_date__lt=as_of))}
    values = open_invoices(user, as_of=as_of, account=account).order_by().aggregate(**sums)
    return _row(values, account.pk, account.name), int(values["overdue_count"] or 0)


def overdue_amount(account: Account, as_of: dt.date) -> tuple[Decimal, int]:
    """What ``account`` owes past the due date, and on how many invoices."""
    money: DecimalField = DecimalField(max_digits=16, decimal_places=2)
    row = Invoice.objects.filter(account=account, outstanding__gt=0, due_date__lt=as_of) \
        .aggregate(v=Coalesce(Sum("outstanding"), Value(ZERO), output_field=money),
                   n=Count("id"))
    return row["v"], row["n"]
