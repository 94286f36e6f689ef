"""Quote-to-cash demo data: products, price lists, a year of quotes, tenders, contracts in
review, orders in every state, shipments, invoices, payments (some overdue), expenses."""

from __future__ import annotations

from collections.abc import Callable

from guanxi.demo.org import DemoOrg


def add(org: DemoOrg, say: Callable[[str], None] = lambda _m: None) -> None:
    """Add the quote-to-cash records once (looked up before created, like the rest)."""
