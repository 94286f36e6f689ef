"""``guanxi bench --only quotes``: a quote with many lines priced and saved.

Bench products (``BQ-00001`` …) are bulk-created up to ``--quote-lines`` (default 200), half of
them with a price in a general price list, so prices come both from the list and from the
product. Each scenario runs ``repeat`` times as the demo rep on a customer they own:

* pricing the lines alone (the catalogue's ``prices_for`` and ``money.price_lines``);
* ``create_quote``: checks, prices, numbers and saves the quote with its lines, audit and
  timeline, rolled back after each call so the database does not grow;
* submitting it for discount approval (``reviews.start_review``).

The note gives the number of queries of one save: it does not grow with the lines (one
bulk insert per 500 lines)."""

from __future__ import annotations

import platform
from decimal import Decimal
from typing import TextIO

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.scenarios import Result, Scenario, database_label, run, write_report
from guanxi.customers.models import Account
from guanxi.orders.models import PriceList, PriceListItem, Product
from guanxi.orders.services import quotes as svc

PREFIX = "BQ-"


def products(count: int) -> list[Product]:
    """``count`` active bench products, created in bulk when missing; every second one has a
    price in the general bench price list."""
    have = {p.code: p for p in Product.objects.filter(code__startswith=PREFIX)}
    wanted = [f"{PREFIX}{i:05d}" for i in range(1, count + 1)]
    missing = [code for code in wanted if code not in have]
    if missing:
        Product.objects.bulk_create([
            Product(code=code, name_zh=f"测试产品{code[3:]}", name_en=f"Bench product {code[3:]}",
                    list_price=Decimal(100 + int(code[3:]) % 900) + Decimal("0.99"),
                    cost=Decimal(60 + int(code[3:]) % 500), tax_rate=Decimal("13.00"),
                    unit="件")
            for code in missing], batch_size=500)
        have = {p.code: p for p in Product.objects.filter(code__startswith=PREFIX)}
        Product.objects.filter(code__in=wanted).update(active=True)
    price_list, _created = PriceList.objects.get_or_create(name="Bench", group=None,
                                                           currency="CNY")
    priced = set(PriceListItem.objects.filter(price_list=price_list)
                 .values_list("product_id", flat=True))
    PriceListItem.objects.bulk_create([
        PriceListItem(price_list=price_list, product=have[code],
                      unit_price=have[code].list_price * Decimal("0.95"))
        for i, code in enumerate(wanted) if i % 2 == 0 and have[code].pk not in priced],
        batch_size=500)
    return [have[code] for code in wanted]


def _lines(items: list[Product]) -> list[dict]:
    return [{"product": p.pk, "quantity": str(1 + i % 7),
             "discount_percent": "5" if i % 3 == 0 else "0"} for i, p in enumerate(items)]


def scenarios(org, count: int) -> tuple[list[Scenario], int]:
    rep = org.users["rep"]
    account = Account.objects.filter(owner=rep, is_active=True).order_by("id").first()
    if account is None:
        raise SystemExit("The demo rep owns no customer: grow the database first (--scale).")
    items = products(count)
    lines = svc.QuoteLineInput.rows(_lines(items))
    header = svc.QuoteInput.parse({"discount_percent": "2"})
    today = timezone.localdate()

    def price() -> None:
        svc.price_quote_lines(account, lines, "CNY", today, Decimal("2"))

    def create() -> None:
        with transaction.atomic():
            svc.create_quote(rep, account, header, lines)
            transaction.set_rollback(True)

    def submit() -> None:
        with transaction.atomic():
            quote = svc.create_quote(rep, account, header, lines[:20])
            svc.submit_quote(rep, quote, quote.version)
            transaction.set_rollback(True)

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        svc.create_quote(rep, account, header, lines)
        transaction.set_rollback(True)
    return [
        Scenario(f"quote: price {count} lines", [price]),
        Scenario(f"quote: create with {count} lines", [create],
                 note=f"{len(queries)} queries per save"),
        Scenario("quote: create 20 lines and submit", [submit]),
    ], len(queries)


def main(org, lines: int, repeat: int, *, out: TextIO, err: TextIO, as_json: bool) -> None:
    found, queries = scenarios(org, lines)
    results: list[Result] = []
    for scenario in found:
        results.append(run(scenario, repeat))
        if not as_json:
            err.write(f"  {scenario.name}: p95 {results[-1].pct(95):.1f} ms")
    meta = {"database": database_label(), "lines": lines, "queries_per_save": queries,
            "repeat": repeat, "python": platform.python_version(),
            "machine": platform.machine()}
    write_report(out, meta, results,
                 f"{meta['database']}: quotes of {lines} lines, {repeat} runs each",
                 as_json)
