"""Figures other apps contribute to the analysis, which analytics may not import: KPIs shown
over time beside customer equity (campaign ROI, say), and costs a customer caused that its
profitability deducts (marketing spent on them). Apps register from ``AppConfig.ready()``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise


@dataclass(frozen=True)
class Kpi:
    key: str
    label: Promise | str
    # (since, until) → the figure for the period ending ``until`` (a ratio), None for none.
    value: Callable[[dt.date | None, dt.date], float | None]


@dataclass(frozen=True)
class CustomerCost:
    key: str
    label: Promise | str
    # account id → what the customer cost up to the date (None: all time).
    value: Callable[[int, dt.date | None], Decimal]


_KPIS: dict[str, Kpi] = {}
_COSTS: dict[str, CustomerCost] = {}


def register_kpi(kpi: Kpi) -> None:
    _KPIS[kpi.key] = kpi


def register_customer_cost(cost: CustomerCost) -> None:
    _COSTS[cost.key] = cost


def kpis() -> list[Kpi]:
    return list(_KPIS.values())


def customer_costs(account_id: int, until: dt.date | None = None) -> list[tuple[str, Decimal]]:
    """Each contributed cost of the customer, labelled, leaving out the zero ones."""
    out = []
    for cost in _COSTS.values():
        amount = cost.value(account_id, until)
        if amount:
            out.append((str(cost.label), amount))
    return out
