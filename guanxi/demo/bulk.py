"""Loading many demo customers fast: worker processes make the rows, the main process writes
them in batches (executemany on SQLite, COPY on PostgreSQL), each batch one transaction.

For a large load the search token indexes are dropped first and built again at the end: one
sort is much faster than millions of random B-tree inserts. ANALYZE runs last so the query
planner knows how big the tables are now.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from guanxi.customers.models import Account, Contact, SearchToken, Tag
from guanxi.demo.generate import TAGS
from guanxi.demo.org import DemoOrg
from guanxi.demo.rows import TABLES, Context, make_batch

BATCH = 20_000
BIG = 50_000  # from this many new customers on, rebuild the token indexes instead


def _context(org: DemoOrg, start: int) -> Context:
    tag_ids = {name: Tag.objects.get_or_create(name=name)[0].pk for name in TAGS}
    max_contact = Contact.objects.aggregate(m=Max("id"))["m"] or 0
    assistant = org.users["assistant"]
    return Context(
        vendor=connection.vendor, now=timezone.now(),
        owners=tuple((u.pk, u.team_id) for u in org.reps),
        assistant=(assistant.pk, assistant.team_id), tag_ids=tag_ids,
        contact_base=max_contact + 1 - 4 * start)


def next_number() -> int:
    """Sequence number of the next demo customer: customer ``n`` gets id ``n + 1``, and ids
    are never reused, so numbers never repeat."""
    return Account.objects.aggregate(m=Max("id"))["m"] or 0


def load(org: DemoOrg, count: int, *, workers: int | None = None,
         progress: Callable[[int], None] | None = None) -> int:
    """Add ``count`` demo customers; returns how many were added."""
    if count <= 0:
        return 0
    start = next_number()
    ctx = _context(org, start)
    ranges = [(s, min(s + BATCH, start + count)) for s in range(start, start + count, BATCH)]
    workers = (os.cpu_count() or 1) if workers is None else workers
    done = 0
    with _tuned_session(), _token_indexes_dropped(count >= BIG):
        for tables in _batches(ctx, ranges, workers):
            with transaction.atomic():
                for table, rows in tables.items():
                    _write(table, TABLES[table], rows)
            done += len(tables[Account._meta.db_table])
            if progress:
                progress(done)
    _fix_sequences()
    return done


def _batches(ctx: Context, ranges: list[tuple[int, int]], workers: int,
             ) -> Iterator[dict[str, list[tuple]]]:
    make = partial(_make, ctx)
    if workers <= 1 or len(ranges) < 2:
        yield from map(make, ranges)
        return
    # The workers never touch the database; close ours so no connection is shared by fork.
    connection.close()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(make, ranges)


def _make(ctx: Context, bounds: tuple[int, int]) -> dict[str, list[tuple]]:
    return make_batch(ctx, *bounds)


def _write(table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    connection.ensure_connection()
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with connection.connection.cursor() as cur, \
                cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        connection.connection.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


@contextmanager
def _tuned_session() -> Iterator[None]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET synchronous_commit = off")
            cur.execute("SET maintenance_work_mem = '1GB'")
        else:
            cur.execute("PRAGMA cache_size = -1000000")
    yield


def _indexes(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND "
                        "indexname NOT IN (SELECT conname FROM pg_constraint)", [table])
        else:
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                        "tbl_name = %s AND sql IS NOT NULL", [table])
        return list(cur.fetchall())


@contextmanager
def _token_indexes_dropped(drop: bool) -> Iterator[None]:
    table = SearchToken._meta.db_table
    indexes = _indexes(table) if drop else []
    with connection.cursor() as cur:
        for name, _sql in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cur:
            for _name, sql in indexes:
                cur.execute(sql)


def _fix_sequences() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows explicit ids by itself
    with connection.cursor() as cur:
        for model in (Account, Contact):
            table = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")


def analyze() -> float:
    """Refresh the planner's statistics (and PostgreSQL's visibility map); returns the seconds
    it took."""
    started = time.perf_counter()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # VACUUM too: rows written by COPY are not yet marked all-visible, so index-only
            # scans (counts of pending customers, search tokens) would visit the table.
            # VACUUM cannot run inside a transaction (tests run in one): ANALYZE alone then.
            if not connection.in_atomic_block:
                for table in TABLES:
                    cur.execute(f"VACUUM (ANALYZE) {table}")
            cur.execute("ANALYZE")
        else:
            cur.execute("PRAGMA analysis_limit = 2000")
            cur.execute("ANALYZE")
    return time.perf_counter() - started
