"""Writing many rows fast inside the caller's transaction: ids taken from the table's own
sequence, then ``executemany`` on SQLite and ``COPY`` on PostgreSQL (as the demo loader does).
Values are prepared by each model field (``get_db_prep_save``), so they are stored exactly as
the ORM would store them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import (
    AutoField,
    BooleanField,
    CharField,
    DecimalField,
    ForeignKey,
    IntegerField,
    JSONField,
    Model,
    TextField,
)


class Table:
    """Column list, prepared defaults and a fast preparer per column of one model."""

    def __init__(self, model: type[Model], with_id: bool = True) -> None:
        self.model = model
        self.name = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields
                       if with_id or not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self._defaults: dict[str, Any] | None = None
        self._preparers: dict[str, Callable[[Any], Any]] | None = None

    def _preparer(self, field) -> Callable[[Any], Any]:
        """What ``get_db_prep_save`` does, without its per-call overhead for the plain types
        (text, numbers, keys pass through; datetimes become what the backend stores)."""
        if isinstance(field, JSONField):
            return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
        if isinstance(field, CharField | TextField | IntegerField | BooleanField
                      | ForeignKey | AutoField | DecimalField):
            if isinstance(field, DecimalField) and connection.vendor == "sqlite":
                return lambda v: None if v is None else str(v)
            return lambda v: v
        last: list[Any] = [object(), None]  # a batch shares one timestamp: convert it once

        def prep(v: Any) -> Any:
            if v is not last[0]:
                last[:] = [v, field.get_db_prep_save(v, connection)]
            return last[1]
        return prep

    def defaults(self) -> dict[str, Any]:
        if self._defaults is None:
            self._defaults = {f.attname: self._prep(f.attname, f.get_default())
                              for f in self.fields}
        return self._defaults

    def _prep(self, attname: str, value: Any) -> Any:
        if self._preparers is None:
            self._preparers = {f.attname: self._preparer(f) for f in self.fields}
        return self._preparers[attname](value)

    def insert(self, rows: list[dict[str, Any]]) -> None:
        """Insert rows given as ``{attname: python value}``; missing attributes take the
        field default."""
        if not rows:
            return
        base = self.defaults()
        prep = self._preparers
        assert prep is not None  # defaults() built them
        names = [f.attname for f in self.fields]
        out = [tuple(prep[n](row[n]) if n in row else base[n] for n in names) for row in rows]
        write(self.name, self.columns, out)


def write(table: str, columns: list[str], rows: list[tuple]) -> None:
    connection.ensure_connection()
    names = ", ".join(f'"{c}"' for c in columns)
    if connection.vendor == "postgresql":
        with connection.connection.cursor() as cur, \
                cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        connection.connection.executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)  # noqa: S608


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``. PostgreSQL draws them from the sequence (safe
    beside other writers); SQLite has one writer at a time and this runs inside its write
    transaction, so the next ids after the highest used are free."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "  # noqa: S608
                        "FROM generate_series(1, %s)", [count])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f'SELECT MAX(id) FROM "{table}"')  # noqa: S608
        top = cur.fetchone()[0] or 0
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cur.fetchone()
        start = max(top, seq[0] if seq else 0) + 1
    return list(range(start, start + count))


TOKEN_COLUMNS = ["token", "field", "pos", "account_id", "contact_id"]


def write_tokens(rows: list[tuple], job_id: int | None = None) -> None:
    """Search token rows ``(token, field, pos, account_id, contact_id)``: into the search index,
    or, with ``job_id``, aside until the import publishes them (``publish_tokens``)."""
    from guanxi.customers.models import SearchToken
    from guanxi.integrations.models import ImportToken

    if job_id is None:
        write(SearchToken._meta.db_table, TOKEN_COLUMNS, rows)
    else:
        write(ImportToken._meta.db_table, ["job_id", *TOKEN_COLUMNS],
              [(job_id, *row) for row in rows])


def publish_tokens(job_id: int) -> int:
    """Move the tokens a job set aside into the search index, sorted (one pass along the
    index instead of millions of scattered inserts), in the caller's transaction. Returns how
    many moved."""
    from guanxi.customers.models import SearchToken
    from guanxi.integrations.models import ImportToken

    names = ", ".join(TOKEN_COLUMNS)
    aside = ImportToken._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {SearchToken._meta.db_table} ({names}) "  # noqa: S608
                    f"SELECT {names} FROM {aside} WHERE job_id = %s ORDER BY token", [job_id])
        moved = cur.rowcount
        cur.execute(f"DELETE FROM {aside} WHERE job_id = %s", [job_id])  # noqa: S608
    return moved
