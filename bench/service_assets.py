"""``guanxi bench --only assets``: the installed base at scale.

Assets are topped up to ``--assets`` (default 200,000) with bulk rows (COPY on PostgreSQL,
executemany on SQLite, 10,000 per transaction) spread over the existing customers: half
vehicles with valid VINs, half serial-numbered units. Then: Ctrl-K finding an asset by its
VIN's last eight characters and by a serial number (the search API), the asset list searched
by VIN, an asset page with its coverages and service history, and the 360° page with the
assets and service records cards.
"""

from __future__ import annotations

import platform
import random
import time
from collections.abc import Callable
from typing import TextIO

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.scenarios import (
    Result,
    Scenario,
    after_bulk_load,
    database_label,
    run,
    sql_value,
    write_report,
)
from guanxi.customers.models import Account
from guanxi.demo.bulk import _tuned_session, _write
from guanxi.orders.models import Product
from guanxi.service.models import Asset
from guanxi.service.vin import with_check_digit

CHUNK = 10_000


def _vin(n: int) -> str:
    return with_check_digit(f"LSGBENCH0{n % 10}{n:07d}")


def grow(target: int, say: Callable[[str], object]) -> int:
    have = Asset.objects.count()
    if have >= target:
        return have
    accounts = list(Account.objects.filter(is_active=True).values_list("pk", flat=True))
    if not accounts:
        raise SystemExit("No customers: grow the database first (--scale).")
    product, _made = Product.objects.get_or_create(
        code="BENCH-VEHICLE", defaults={"name_zh": "压测车型", "name_en": "Bench vehicle"})
    rng = random.Random(200_000 + have)
    start = (Asset.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    columns = [f.column for f in Asset._meta.concrete_fields]
    now = timezone.now()
    today = timezone.localdate()
    missing = target - have
    say(f"Loading {missing:,} assets over {len(accounts):,} customers …")
    started = time.perf_counter()
    with _tuned_session():
        for offset in range(0, missing, CHUNK):
            rows = []
            for pk in range(start + offset, start + min(offset + CHUNK, missing)):
                vehicle = pk % 2 == 0
                vin = _vin(pk) if vehicle else ""
                row = {
                    "id": pk, "version": 1,
                    "account_id": accounts[rng.randrange(len(accounts))], "contact_id": None,
                    "product_id": product.pk,
                    "serial_number": "" if vehicle else f"SN{pk:09d}", "vin": vin,
                    "vin_tail": vin[-8:], "engine_number": f"E{pk:08d}" if vehicle else "",
                    "plate": "", "mileage": rng.randrange(200_000) if vehicle else None,
                    "quantity": 1, "purchase_date": today, "selling_dealer_id": None,
                    "status": "in_use", "notes": "", "order_line_id": None,
                    "shipment_line_id": None, "unit_index": None, "created_by_id": None,
                    "created_at": now, "updated_at": now,
                }
                rows.append(tuple(sql_value(row[c]) for c in columns))
            with transaction.atomic():
                _write(Asset._meta.db_table, columns, rows)
            done = offset + len(rows)
            if done % 100_000 < CHUNK or done == missing:
                say(f"  {done:,} / {missing:,} ({time.perf_counter() - started:.0f} s)")
    after_bulk_load(Asset)
    return Asset.objects.count()


def _get(client: Client, path: str, **params: str) -> Callable[[], object]:
    def call() -> object:
        response = client.get(path, params)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return response
    return call


def scenarios(org) -> list[Scenario]:
    client = Client()
    client.force_login(org.users["service"])
    top = Asset.objects.order_by("-id").values_list("id", flat=True).first() or 0
    picks: list[Asset] = []
    for step in range(1, 11):
        asset = Asset.objects.filter(id__lte=top * step // 10).exclude(vin="").order_by(
            "-id").first()
        if asset and asset not in picks:
            picks.append(asset)
    serials = list(Asset.objects.exclude(serial_number="").order_by("-id")
                   .values_list("serial_number", flat=True)[:10])
    return [
        Scenario("Ctrl-K: asset by VIN's last 8 (search API)",
                 [_get(client, "/api/search", q=a.vin[-8:]) for a in picks],
                 f"{len(picks)} VINs in turn"),
        Scenario("Ctrl-K: asset by serial number (search API)",
                 [_get(client, "/api/search", q=s) for s in serials],
                 f"{len(serials)} serials in turn"),
        Scenario("asset list searched by full VIN",
                 [_get(client, reverse("service:assets"), q=a.vin) for a in picks]),
        Scenario("asset page (coverages, history)",
                 [_get(client, reverse("service:asset", args=[a.pk])) for a in picks]),
        Scenario("360° page with asset cards",
                 [_get(client, reverse("customers:detail", args=[a.account_id]))
                  for a in picks]),
    ]


def main(org, assets: int, repeat: int, *, out: TextIO, err: TextIO, as_json: bool) -> None:
    count = grow(assets, say=err.write)
    results: list[Result] = []
    for scenario in scenarios(org):
        results.append(run(scenario, repeat))
        if not as_json:
            err.write(f"  {scenario.name}: p95 {results[-1].pct(95):.1f} ms")
    meta = {"database": database_label(), "customers": Account.objects.count(),
            "assets": count, "repeat": repeat, "python": platform.python_version(),
            "machine": platform.machine()}
    write_report(out, meta, results,
                 f"{meta['database']}: {meta['customers']:,} customers, {count:,} assets, "
                 f"{repeat} runs each",
                 as_json)
