"""Writing many rows fast inside the caller's transaction: ids taken from the table's own
sequence, then ``executemany`` on SQLite and ``COPY`` on PostgreSQL (as the demo loader does).
Values are prepared by each model field (``get_db_prep_save``), so they are stored exactly as
the ORM would store them."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.db.models import JSONField, Model


class Table:
    """Column list and prepared defaults of one model, computed once."""

    def __init__(self, model: type[Model], with_id: bool = True) -> None:
        self.model = model
        self.name = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields
                       if with_id or not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self._defaults: dict[str, Any] | None = None

    def _prep(self, field, value: Any) -> Any:
        value = field.get_db_prep_save(value, connection)
        if isinstance(field, JSONField) and value is not None and not isinstance(value, str):
            return json.dumps(getattr(value, "obj", value), ensure_ascii=False)
        return value

    def defaults(self) -> dict[str, Any]:
        if self._defaults is None:
            self._defaults = {f.attname: self._prep(f, f.get_default()) for f in self.fields}
        return self._defaults

    def insert(self, rows: list[dict[str, Any]]) -> None:
        """Insert rows given as ``{attname: python value}``; missing attributes take the
        field default."""
        if not rows:
            return
        base = self.defaults()
        out = []
        for row in rows:
            out.append(tuple(self._prep(f, row[f.attname]) if f.attname in row
                             else base[f.attname] for f in self.fields))
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
