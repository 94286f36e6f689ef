"""``guanxi bench --only analytics``: the full customer analysis on every customer of the
database and a large transaction table, phase by phase.

Customers are topped up to ``--customers`` with bare rows if fewer. If the database holds
fewer transactions than asked for, the demo purchases are replaced by
simulated ones for every customer (``guanxi.demo.analytics.simulate``, its purchase rates
scaled to reach the number), loaded with the transaction indexes dropped and rebuilt once.
Then one analysis runs exactly as ``guanxi analytics run`` does, and its phases are printed:
read (transactions into numpy arrays), summary, fit (BG/NBD + Gamma-Gamma), other models
(predictions, RFM, ABC, lifecycle, value matrix, clustering, figures), write (metrics rows
and the run), total.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TextIO

import numpy as np
from django.db import connection, transaction

from guanxi.analytics.models import Transaction
from guanxi.analytics.services import runs
from guanxi.customers.models import Account
from guanxi.demo import analytics as demo
from guanxi.demo.bulk import (
    _fix_sequences,
    _indexes,
    _tuned_session,
    _write,
    analyze,
    next_number,
)

PILOT = 20_000
BULK = 50_000


def _intensity(target: int, n: int, until_day: int) -> float:
    """The rate multiplier that gives about ``target`` transactions for ``n`` customers."""
    want = target / n
    intensity = 1.0
    for _ in range(4):
        got = len(demo.simulate(PILOT, until_day, seed=7, intensity=intensity)) / PILOT
        # Repeat purchases grow about linearly with the rate; the first ones do not.
        intensity *= max(want - 1, 0.01) / max(got - 1, 0.01)
    return intensity


def ensure_customers(target: int, owners: list, say: Callable[[str], None]) -> int:
    """Top the customers up to ``target`` with bare rows (a name, an owner, the defaults):
    the analysis reads nothing else, and this takes seconds where the demo builder's full
    customers take minutes. Each batch one transaction, COPY / executemany."""
    have = Account.objects.count()
    if have >= target:
        return have
    started = time.perf_counter()
    now = demo.timezone.now()
    fields = [f for f in Account._meta.concrete_fields if f.column != "id"]
    template = {}
    for f in fields:
        value = f.get_default() if f.has_default() else (None if f.null else "")
        if isinstance(value, dict):
            value = json.dumps(value)
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, str):
            value = str(value)  # TextChoices members as their plain value
        template[f.column] = value
    template["created_at"] = template["updated_at"] = now.isoformat()
    columns = ["id"] + [f.column for f in fields]
    first = next_number() + 1
    for start in range(first, first + target - have, BULK):
        stop = min(start + BULK, first + target - have)
        batch = []
        for pk in range(start, stop):
            owner = owners[pk % len(owners)]
            row = dict(template, name=f"基准客户{pk}号", name_key=f"基准客户{pk}号",
                       owner_id=owner.pk, team_id=owner.team_id, created_by_id=owner.pk)
            batch.append(tuple([pk] + [row[c] for c in columns[1:]]))
        with transaction.atomic():
            _write(Account._meta.db_table, columns, batch)
    _fix_sequences()
    say(f"  {target - have:,} bare customers added in {time.perf_counter() - started:.0f} s")
    return target


def ensure_transactions(target: int, say: Callable[[str], None]) -> int:
    have = Transaction.objects.count()
    if have >= 0.95 * target:
        return have
    ids = np.fromiter(Account.objects.filter(is_active=True).order_by("pk")
                      .values_list("pk", flat=True).iterator(chunk_size=100_000),
                      dtype=np.int64)
    until_day = (demo.timezone.localdate() - demo.EPOCH).days
    started = time.perf_counter()
    sim = demo.simulate(len(ids), until_day, intensity=_intensity(target, len(ids), until_day))
    say(f"  simulated {len(sim):,} purchases of {len(ids):,} customers "
        f"in {time.perf_counter() - started:.0f} s; loading …")
    table = Transaction._meta.db_table
    indexes = _indexes(table)
    with _tuned_session():
        with connection.cursor() as cur:
            # Only simulated purchases make way; imported and real ones stay.
            cur.execute(f"DELETE FROM {table} WHERE source = %s",  # noqa: S608
                        [Transaction.Source.DEMO])
            for name, _sql in indexes:
                cur.execute(f'DROP INDEX "{name}"')
        try:
            demo.write(ids, sim, progress=lambda n: say(f"  {n:,} / {len(sim):,} purchases")
                       if n % 2_000_000 < demo.BATCH else None)
        finally:
            with connection.cursor() as cur:
                for _name, sql in indexes:
                    cur.execute(sql)
    analyze()
    say(f"  loaded in {time.perf_counter() - started:.0f} s")
    return len(sim)


def main(target: int, customers: int, owners: list, *, out: TextIO, err: TextIO,
         as_json: bool = False) -> dict:
    def say(message: str) -> None:
        err.write(message)

    ensure_customers(customers, owners, say)
    count = ensure_transactions(target, say)
    customers = Account.objects.filter(is_active=True).count()
    say(f"Analysing {count:,} transactions of {customers:,} customers …")
    timings: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()

    def stage(percent: int, name: str) -> None:
        say(f"  {percent:3d}%  {name:<8}{time.perf_counter() - started:7.1f} s")

    run = runs.run_now(None, timings=timings, say=stage)
    total = time.perf_counter() - started
    # CPU time of this process: on a machine shared with other work it tells how long the run
    # would take alone better than the wall clock (the database server's share not included
    # on PostgreSQL).
    cpu = time.process_time() - cpu
    phases = {
        "read": timings.get("read", 0.0),
        "summary": timings.get("summary", 0.0),
        "fit (BG/NBD + Gamma-Gamma)": timings.get("fit", 0.0),
        "other models": sum(timings.get(k, 0.0) for k in ("predict", "models", "figures")),
        "write": timings.get("write", 0.0),
        "total": total,
    }
    result = {"database": connection.vendor, "customers": run.customers,
              "transactions": run.transactions, "phases_s": {k: round(v, 2)
                                                             for k, v in phases.items()},
              "cpu_s": round(cpu, 2),
              "fitted": run.fitted.get("purchase"), "spend": run.fitted.get("spend")}
    if as_json:
        out.write(json.dumps(result, ensure_ascii=False, indent=2))
        return result
    out.write(f"{connection.vendor}: analysis of {run.customers:,} customers, "
              f"{run.transactions:,} transactions (run #{run.pk})")
    for name, seconds in phases.items():
        out.write(f"  {name:<28}{seconds:>8.2f} s")
    out.write(f"  {'CPU time of the process':<28}{cpu:>8.2f} s")
    return result
