"""Reads of the monthly sales targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.sales.models import SalesTarget


def targets_between(first: dt.date, last: dt.date) -> dict[str, Decimal]:
    """``"YYYY-MM"`` → target of each month between ``first`` and ``last`` that has one."""
    return {t.month.strftime("%Y-%m"): t.amount for t in
            SalesTarget.objects.filter(month__gte=first.replace(day=1), month__lte=last)}


def year_targets(year: int) -> dict[int, SalesTarget]:
    return {t.month.month: t for t in SalesTarget.objects.filter(month__year=year)}
