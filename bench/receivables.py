"""``guanxi bench --only receivables``: receivables aging over many invoices.

Invoices are topped up to ``--invoices`` (default 1,000,000) with bulk rows spread over the
existing customers (COPY on PostgreSQL, executemany on SQLite, 10,000 per transaction): about
70% paid (nothing outstanding), the rest open or partly paid, issued over the last 18 months
(open ones leaning recent), due after the customer's 30 days, a third of the open ones with
the collection owner. Then each scenario runs ``repeat`` times: aging for finance and for an
administrator (everything), for a rep (their customers), for one customer; the collection
owner's overdue list; the receivables page and the aging API for finance.
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.scenarios import Result, Scenario, after_bulk_load, database_label, run, write_report
from guanxi.accounts.models import User
from guanxi.customers.models import Account
from guanxi.demo.bulk import _tuned_session, _write
from guanxi.orders.models import Invoice
from guanxi.orders.selectors import receivables as sel

CHUNK = 10_000
SPAN_DAYS = 548  # 18 months
PAID_SHARE = 0.7


def grow(org, target: int, say: Callable[[str], None]) -> int:
    """Add bulk invoices until there are ``target``; returns how many there are."""
    have = Invoice.objects.count()
    if have >= target:
        return have
    accounts = list(Account.objects.filter(is_active=True)
                    .values_list("pk", "owner_id", "team_id", "registration_id"))
    if not accounts:
        raise SystemExit("No customers to invoice: grow the database first (--scale).")
    collector = org.users.get("collection")
    finance = org.users.get("finance")
    today = timezone.localdate()
    now = timezone.now().isoformat()
    rng = random.Random(20260630 + have)
    start = (Invoice.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    columns = [f.column for f in Invoice._meta.concrete_fields]
    missing = target - have
    say(f"Loading {missing:,} invoices over {len(accounts):,} customers …")
    started = time.perf_counter()
    with _tuned_session():
        for offset in range(0, missing, CHUNK):
            rows = []
            for pk in range(start + offset, start + min(offset + CHUNK, missing)):
                account_id, owner_id, team_id, tax_id = accounts[rng.randrange(len(accounts))]
                total = Decimal(rng.randrange(100_000, 20_000_000)) / 100
                net = (total / Decimal("1.13")).quantize(Decimal("0.01"))
                if rng.random() < PAID_SHARE:
                    issued = today - dt.timedelta(days=rng.randrange(SPAN_DAYS))
                    paid, status = total, Invoice.Status.PAID
                else:
                    issued = today - dt.timedelta(days=int(SPAN_DAYS * rng.random() ** 2))
                    paid = (total * Decimal(rng.choice((0, 0, 0, 0.3, 0.5)))).quantize(
                        Decimal("0.01"))
                    status = Invoice.Status.PARTIAL if paid else Invoice.Status.OPEN
                row = {
                    "id": pk, "number": f"9{pk:011d}", "kind": "special",
                    "account_id": account_id, "order_id": None,
                    "buyer_tax_id": tax_id or "", "currency": "CNY",
                    "net_amount": str(net), "tax_amount": str(total - net),
                    "total": str(total), "paid_amount": str(paid),
                    "outstanding": str(total - paid), "issue_date": issued.isoformat(),
                    "due_date": (issued + dt.timedelta(days=30)).isoformat(),
                    "status": str(status),
                    "collection_owner_id": collector.pk if collector and status != "paid"
                    and rng.random() < 1 / 3 else owner_id,
                    "owner_id": owner_id, "team_id": team_id, "dunning_level": 0,
                    "last_dunned_at": None, "created_by_id": finance.pk if finance else None,
                    "created_at": now, "version": 1,
                }
                rows.append(tuple(row[c] for c in columns))
            with transaction.atomic():
                _write(Invoice._meta.db_table, columns, rows)
            done = offset + len(rows)
            if done % 100_000 < CHUNK or done == missing:
                say(f"  {done:,} / {missing:,} ({time.perf_counter() - started:.0f} s)")
    after_bulk_load(Invoice)
    return Invoice.objects.count()


def _get(client: Client, path: str, params: dict | None = None) -> Callable[[], object]:
    def call() -> object:
        response = client.get(path, params or {})
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return response
    return call


def scenarios(org) -> list[Scenario]:
    users: dict[str, User] = org.users
    finance, admin, rep = users["finance"], users["admin"], users["rep"]
    collector = users.get("collection") or finance
    today = timezone.localdate()
    # Customers with much outstanding, spread over the id range (not all in the cache).
    busiest = [r.account_id for r in sel.aging(finance, as_of=today, top=5).customers]
    client = Client()
    client.force_login(finance)
    return [
        Scenario("aging (finance, everything)",
                 [lambda: sel.aging(finance, as_of=today)], "totals + top 10 customers"),
        Scenario("aging (admin, everything)", [lambda: sel.aging(admin, as_of=today)]),
        Scenario("aging (rep, their customers)", [lambda: sel.aging(rep, as_of=today)]),
        Scenario("aging (one customer)",
                 [lambda pk=pk: sel.aging(finance, as_of=today, account=pk) for pk in busiest],
                 f"{len(busiest)} customers in turn"),
        Scenario("aging (finance, one collection owner)",
                 [lambda: sel.aging(finance, as_of=today, collection_owner=collector)]),
        Scenario("overdue list (collection owner)",
                 [lambda: sel.overdue_for_collector(collector, today)], "oldest 200"),
        Scenario("receivables page (finance)", [_get(client, reverse("orders:receivables"))]),
        Scenario("aging API (finance)", [_get(client, "/api/receivables/aging")]),
    ]


def main(org, invoices: int, repeat: int, *, out: TextIO, err: TextIO, as_json: bool) -> None:
    count = grow(org, invoices, say=err.write)
    open_count = Invoice.objects.filter(outstanding__gt=0).count()
    results: list[Result] = []
    for scenario in scenarios(org):
        results.append(run(scenario, repeat))
        if not as_json:
            err.write(f"  {scenario.name}: p95 {results[-1].pct(95):.1f} ms")
    meta = {"database": database_label(), "customers": Account.objects.count(),
            "invoices": count, "open_invoices": open_count, "repeat": repeat,
            "python": platform.python_version(), "machine": platform.machine()}
    write_report(out, meta, results,
                 f"{meta['database']}: {meta['customers']:,} customers, {count:,} invoices "
                 f"({open_count:,} open), {repeat} runs each",
                 as_json)
