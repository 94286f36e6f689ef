"""Demo sales data: leads, opportunities, activities, tasks."""

from __future__ import annotations

from collections.abc import Callable

from guanxi.demo.org import DemoOrg


def add(org: DemoOrg, *, say: Callable[[str], None] = lambda _m: None) -> None:
    """Add the sales demo data once (does nothing if it is there already)."""
