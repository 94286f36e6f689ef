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
    dates = np.asarray(dates)
    if np.issubdtype(dates.dtype, np.datetime64):
        return dates.astype("datetime64[D]").astype(np.int64)
    return dates.astype(np.int64)


def _index(customers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct ids and each transaction's position among them. Integer ids in a
    compact range (database keys) are indexed by counting instead of sorting."""
    if np.issubdtype(customers.dtype, np.integer) and len(customers):
        low, high = int(customers.min()), int(customers.max())
        if high - low <= 4 * len(customers):
            present = np.bincount(customers - low, minlength=high - low + 1) > 0
            position = np.cumsum(present) - 1
            return np.flatnonzero(present) + low, position[customers - low]
    ids, inverse = np.unique(customers, return_inverse=True)
    return ids, inverse.ravel()


def _until_day(until: np.datetime64 | str | int) -> int:
    if isinstance(until, (int, np.integer)):
        return int(until)
    return int(np.datetime64(until, "D").astype(np.int64))


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
    distinct purchase days, times in (fractional) weeks. With ``freq='W'`` periods are
    calendar weeks (Monday to Sunday) and t_x, T whole numbers of weeks, as in lifetimes.
    """
    unit = unit or freq
    if freq not in PERIOD_DAYS or unit not in PERIOD_DAYS:
        raise ValueError("freq and unit must be 'D' or 'W'")
    days = to_days(dates)
    amounts = np.asarray(amounts, dtype=np.float64)
    costs = np.zeros_like(amounts) if costs is None else np.asarray(costs, dtype=np.float64)
    until_day = _until_day(until)
    customers = np.asarray(customers)
    keep = days <= until_day
    if not keep.all():
        customers, days, amounts, costs = customers[keep], days[keep], amounts[keep], costs[keep]
    ids, cust = _index(customers)
    n = len(ids)
    if n == 0:
        empty, none = np.zeros(0), np.zeros(0, dtype="datetime64[D]")
        return Summary(ids, empty, empty, empty, empty, empty, empty, empty.astype(np.int64),
                       none, none, empty.astype(np.int64), np.datetime64(until_day, "D"),
                       freq, unit)
    # Period number: days for 'D'; Monday-based weeks for 'W' (1970-01-01 was a Thursday).
    period = days if freq == "D" else (days + 3) // 7
    until_period = until_day if freq == "D" else (until_day + 3) // 7

    # One sort on a combined (customer, day) key: several times faster than lexsort.
    first_day_all = int(days.min())
    order = np.argsort(cust * (int(days.max()) - first_day_all + 1) + (days - first_day_all))
    cust_s, days_s, period_s, amt_s = cust[order], days[order], period[order], amounts[order]
    first_idx = np.r_[0, np.flatnonzero(np.diff(cust_s)) + 1]
    first_day = days_s[first_idx]
    last_day = np.maximum.reduceat(days_s, first_idx)

    # One row per (customer, period) with the period's spend.
    new_group = np.r_[True, (np.diff(cust_s) != 0) | (np.diff(period_s) != 0)]
    g_start = np.flatnonzero(new_group)
    g_cust = cust_s[g_start]
    g_period = period_s[g_start]
    g_spend = np.add.reduceat(amt_s, g_start)
    is_first = np.r_[True, g_cust[1:] != g_cust[:-1]]
    n_periods = np.bincount(g_cust, minlength=n)
    frequency = (n_periods - 1).astype(np.float64)
    repeat_spend = np.bincount(g_cust[~is_first], weights=g_spend[~is_first], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, repeat_spend / np.maximum(frequency, 1), 0.0)

    first_period = g_period[is_first]
    last_period = np.maximum.reduceat(g_period, np.flatnonzero(is_first))
    if freq == unit:
        recency = (last_period - first_period).astype(np.float64)
        age = (until_period - first_period).astype(np.float64)
    else:  # finer counting than the unit of time: exact day differences in the unit
        scale = PERIOD_DAYS[unit] / PERIOD_DAYS[freq]
        recency = (last_day - first_day) / scale
        age = (until_day - first_day) / scale
    return Summary(
        customer_ids=ids,
        frequency=frequency,
        recency=np.asarray(recency, dtype=np.float64),
        T=np.asarray(age, dtype=np.float64),
        monetary_value=monetary,
        revenue=np.bincount(cust, weights=amounts, minlength=n),
        cost=np.bincount(cust, weights=costs, minlength=n),
        n_transactions=np.bincount(cust, minlength=n).astype(np.int64),
        first_purchase=first_day.astype("datetime64[D]"),
        last_purchase=last_day.astype("datetime64[D]"),
        days_since_last=(until_day - last_day).astype(np.int64),
        until=np.datetime64(until_day, "D"),
        freq=freq,
        unit=unit,
    )
