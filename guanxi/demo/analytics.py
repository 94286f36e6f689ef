"""Demo analytics data: a history of transactions and a first analytics run."""

from __future__ import annotations

from collections.abc import Callable

from guanxi.demo.org import DemoOrg


def add(org: DemoOrg, *, say: Callable[[str], None] = lambda _m: None) -> None:
    """Add the analytics demo data once (does nothing if it is there already)."""
