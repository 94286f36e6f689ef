"""Per-customer RFM/CLV summary of a transaction log, in the form the BG/NBD, Pareto/NBD and
Gamma-Gamma models take (frequency x, recency t_x, age T, mean repeat spend)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Freq = Literal["D", "W"]
PERIOD_DAYS = {"D": 1, "W": 7}


@dataclass(frozen=True)
class Summary:
    """One row per customer (same order as ``customer_ids``, sorted ascending).

    Times are in units of ``unit`` ('D' days or 'W' weeks): ``recency`` (t_x) runs from the
    first to the last repeat purchase period, ``T`` from the first purchase to ``until``.
    ``frequency`` (x) is the number of purchase periods after the first one: several
    transactions within one period count once (as lifetimes does). ``monetary_value`` is the
    mean value of the repeat periods (the first period's spend excluded, as the Gamma-Gamma
    model of Fader & Hardie uses it), 0 for customers without repeats.
    """

    customer_ids: np.ndarray
    frequency: np.ndarray  # float64
    recency: np.ndarray  # float64, in `unit`
    T: np.ndarray  # float64, in `unit`
    monetary_value: np.ndarray  # float64
    revenue: np.ndarray  # float64, all transactions up to `until`
    cost: np.ndarray  # float64
    n_transactions: np.ndarray  # int64
    first_purchase: np.ndarray  # datetime64[D]
    last_purchase: np.ndarray  # datetime64[D]
    days_since_last: np.ndarray  # int64, to `until`
    until: np.datetime64
    freq: str
    unit: str

    @property
    def profit(self) -> np.ndarray:
        return self.revenue - self.cost

    @property
    def tenure_days(self) -> np.ndarray:
        return (self.until - self.first_purchase).astype(np.int64)

    def __len__(self) -> int:
        return len(self.customer_ids)


def to_days(dates: np.ndarray) -> np.ndarray:
    """Dates (datetime64 of any unit, or integer day numbers since 1970-01-01) → int64 days."""
    raise NotImplementedError


def summarize(
    customers: np.ndarray,
    dates: np.ndarray,
    amounts: np.ndarray,
    until: np.datetime64 | str | int,
    *,
    costs: np.ndarray | None = None,
    freq: Freq = "W",
    unit: Freq | None = None,
) -> Summary:
    """Summarise transactions (parallel arrays, any order) up to and including ``until``.

    ``customers``: customer id per transaction (ints or strings); ``dates``: datetime64 or
    integer day numbers; ``amounts``/``costs``: float64. Transactions after ``until`` are
    ignored; customers with none up to ``until`` do not appear. ``freq`` is the period within
    which repeat transactions collapse into one purchase; ``unit`` the unit of t_x and T
    (defaults to ``freq``). ``freq='D', unit='W'`` is how Fader, Hardie & Lee measure CDNOW:
    distinct purchase days, times in (fractional) weeks.
    """
    raise NotImplementedError
