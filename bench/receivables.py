"""``guanxi bench --only receivables``: receivables aging over many invoices."""

from __future__ import annotations


def main(org, invoices: int, repeat: int, *, out, err, as_json: bool) -> None:
    raise SystemExit("not built yet")
