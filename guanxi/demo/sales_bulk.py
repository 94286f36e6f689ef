"""Loading many demo opportunities fast, with their stage changes: worker processes make the
rows, the main process writes them in batches (executemany on SQLite, COPY on PostgreSQL),
each batch one transaction. For a large load the two tables' secondary indexes are dropped
first and built once at the end, then the planner's statistics are refreshed."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from guanxi.customers.models import Account
from guanxi.demo.bulk import _indexes, _tuned_session, _write
from guanxi.demo.org import DemoOrg
from guanxi.demo.sales_rows import (
    CHANGE_COLUMNS,
    CHANGE_TABLE,
    OPP_COLUMNS,
    OPP_TABLE,
    SalesContext,
    StageInfo,
    make_batch,
)
from guanxi.sales.models import Opportunity, Pipeline, Stage

BATCH = 20_000
BIG = 100_000  # from this many new opportunities on, rebuild the indexes instead
ACCOUNTS = 50_000  # opportunities are spread over at most this many customers


def context(org: DemoOrg, *, span_days: int = 365) -> SalesContext:
    """Where new opportunities go: the default pipeline, customers owned by the demo reps
    (so each rep sees the deals on their own customers), the helpers of the selling team."""
    pipeline = Pipeline.objects.get(is_default=True)
    stages = list(pipeline.stages.filter(kind=Stage.Kind.OPEN).order_by("position"))
    stages += [pipeline.stages.filter(kind=kind).order_by("position")[0]
               for kind in (Stage.Kind.WON, Stage.Kind.LOST)]
    rep_ids = [u.pk for u in org.reps]
    accounts = tuple(Account.objects.filter(is_active=True, owner_id__in=rep_ids)
                     .order_by("-id").values_list("id", "owner_id", "team_id")[:ACCOUNTS])
    users = org.users
    helpers = tuple(users[k].pk for k in ("finder", "delivery", "collection", "assistant")
                    if k in users)
    return SalesContext(
        vendor=connection.vendor, now=timezone.now(), pipeline_id=pipeline.pk,
        stages=tuple(StageInfo(s.pk, s.key, s.probability, s.kind) for s in stages),
        accounts=accounts, helpers=helpers, span_days=span_days,
        id_base=(Opportunity.objects.aggregate(m=Max("id"))["m"] or 0) + 1)


def load(ctx: SalesContext, count: int, *, workers: int | None = None,
         progress: Callable[[int], None] | None = None) -> int:
    """Add ``count`` opportunities (numbered from 0 on top of ``ctx.id_base``)."""
    if count <= 0 or not ctx.accounts:
        return 0
    ranges = [(s, min(s + BATCH, count)) for s in range(0, count, BATCH)]
    workers = (os.cpu_count() or 1) if workers is None else workers
    done = 0
    with _tuned_session(), _indexes_dropped(count >= BIG):
        for tables in _batches(ctx, ranges, workers):
            with transaction.atomic():
                _write(OPP_TABLE, OPP_COLUMNS, tables[OPP_TABLE])
                _write(CHANGE_TABLE, CHANGE_COLUMNS, tables[CHANGE_TABLE])
            done += len(tables[OPP_TABLE])
            if progress:
                progress(done)
    _fix_sequence()
    return done


def _batches(ctx: SalesContext, ranges: list[tuple[int, int]], workers: int,
             ) -> Iterator[dict[str, list[tuple]]]:
    make = partial(_make, ctx)
    if workers <= 1 or len(ranges) < 2:
        yield from map(make, ranges)
        return
    connection.close()  # no connection may be shared with the forked workers
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(make, ranges)


def _make(ctx: SalesContext, bounds: tuple[int, int]) -> dict[str, list[tuple]]:
    return make_batch(ctx, *bounds)


@contextmanager
def _indexes_dropped(drop: bool) -> Iterator[None]:
    indexes = [i for table in (OPP_TABLE, CHANGE_TABLE) for i in _indexes(table)] if drop \
        else []
    with connection.cursor() as cur:
        for name, _sql in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cur:
            for _name, sql in indexes:
                cur.execute(sql)


def _fix_sequence() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{OPP_TABLE}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {OPP_TABLE}))")


def analyze() -> None:
    """Refresh the planner's statistics of the two tables (and PostgreSQL's visibility map,
    so index-only scans need not visit rows written by COPY)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table in (OPP_TABLE, CHANGE_TABLE):
                cur.execute(f"VACUUM (ANALYZE) {table}" if not connection.in_atomic_block
                            else f"ANALYZE {table}")
        else:
            cur.execute("PRAGMA analysis_limit = 2000")
            cur.execute(f"ANALYZE {OPP_TABLE}")
            cur.execute(f"ANALYZE {CHANGE_TABLE}")
