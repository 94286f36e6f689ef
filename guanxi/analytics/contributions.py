"""Plug-in points for what other apps add to the analysis without analytics importing them,
filled from their ``AppConfig.ready()``:

* **KPIs over time** (``register_kpi``): shown beside customer equity (campaign ROI, say).
* **Customer costs** (``register_customer_cost``): what one customer cost (marketing spent on
  them), deducted on the customer's value card.
* **Cost sources** (``register_cost_source``): direct variable costs per customer beyond the
  cost of goods (service: warranty parts and labour). A run deducts them from the customers'
  profit (profitability, ABC by profit, the margin CLV uses).
* **Satisfaction sources** (``register_satisfaction_source``): CSAT and NPS by month, shown on
  the executive dashboard as a KPI over time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
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


#: ``(start, until) -> {account id: cost}`` for the period.
CostSource = Callable[[dt.date, dt.date], Mapping[int, Decimal | float]]
#: ``(start, until) -> [{"month": date, "csat": float, "nps": float | None, "answers": int}]``.
SatisfactionSource = Callable[[dt.date, dt.date], list[dict[str, Any]]]


@dataclass(frozen=True)
class Source:
    key: str
    label: Any
    read: Callable[..., Any]
    url: str | Callable[[], str] = ""

    def link(self) -> str:
        return self.url() if callable(self.url) else self.url


_costs: dict[str, Source] = {}
_satisfaction: dict[str, Source] = {}


def register_cost_source(key: str, label: Any, read: CostSource) -> None:
    _costs[key] = Source(key, label, read)


def register_satisfaction_source(key: str, label: Any, read: SatisfactionSource,
                                 url: str | Callable[[], str] = "") -> None:
    _satisfaction[key] = Source(key, label, read, url)


def unregister(key: str) -> None:
    _costs.pop(key, None)
    _satisfaction.pop(key, None)


def extra_costs(start: dt.date, until: dt.date) -> dict[int, float]:
    """Every registered source's cost per customer over the period, summed."""
    out: dict[int, float] = {}
    for source in _costs.values():
        for account_id, cost in source.read(start, until).items():
            out[int(account_id)] = out.get(int(account_id), 0.0) + float(cost)
    return out


def deduct(customers: np.ndarray, days: np.ndarray, amounts: np.ndarray, costs: np.ndarray,
           extra: Mapping[int, float], margin: float) -> np.ndarray:
    """``costs`` with each customer's extra cost added to their latest transaction, so the
    customer's profit carries it and nothing else (purchases, recency) changes. An unknown cost
    of goods there is first estimated from the default margin, as the analysis would."""
    if not extra or not len(customers):
        return costs
    costs = costs.copy()
    order = np.lexsort((days, customers))
    sorted_customers = customers[order]
    last = order[np.r_[sorted_customers[1:] != sorted_customers[:-1], True]]
    for row in last:
        add = extra.get(int(customers[row]))
        if add:
            base = costs[row]
            if np.isnan(base):
                base = amounts[row] * (1.0 - margin)
            costs[row] = base + add
    return costs


def satisfaction(start: dt.date, until: dt.date) -> dict[str, Any] | None:
    """The first registered source's months, with its label and link; None without one."""
    for source in _satisfaction.values():
        return {"label": source.label, "url": source.link(), "months": source.read(start,
                                                                                 until)}
    return None
