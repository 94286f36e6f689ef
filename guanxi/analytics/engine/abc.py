"""ABC / Pareto classes of customers by a value (revenue or profit).

Customers are ranked by value, largest first (ties keep input order). Shares are of the
total of the positive values, so loss-making customers (profit ≤ 0) add nothing and are
always class C. A customer is A while the cumulative share *before* them is below the A
threshold (the customer who crosses 80% is still A), B likewise up to the B threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ABCResult:
    classes: np.ndarray  # "A" / "B" / "C" per customer
    rank: np.ndarray  # 1 = largest value
    share: np.ndarray  # value / total of positive values
    cumulative_share: np.ndarray  # cumulative share down to and including this customer
    top20_share: float  # share of the total held by the top 20% of customers
    counts: dict[str, int]
    shares: dict[str, float]


def top_share(values: np.ndarray, fraction: float = 0.2) -> float:
    """Share of the positive total held by the top ``fraction`` of customers (the top
    ceil(fraction·n) customers); 0 when nothing is positive."""
    positive = np.maximum(np.asarray(values, dtype=np.float64), 0.0)
    total = positive.sum()
    if len(positive) == 0 or total <= 0:
        return 0.0
    k = max(1, math.ceil(fraction * len(positive)))
    return float(np.partition(positive, len(positive) - k)[-k:].sum() / total)


def abc_classes(values: np.ndarray, *, a: float = 0.8, b: float = 0.95) -> ABCResult:
    """A until ``a`` cumulative share, B until ``b``, C the rest."""
    if not 0 < a <= b <= 1:
        raise ValueError("thresholds must satisfy 0 < a <= b <= 1")
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    positive = np.maximum(values, 0.0)
    total = positive.sum()
    order = np.lexsort((np.arange(n), -values))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    share = positive / total if total > 0 else np.zeros(n)
    cumulative_sorted = np.cumsum(share[order])
    before = cumulative_sorted - share[order]
    eps = 1e-12  # cumulative sums of floats: 0.8 may come out as 0.7999…
    cls_sorted = np.where(before < a - eps, "A", np.where(before < b - eps, "B", "C"))
    cls_sorted[positive[order] <= 0] = "C"
    classes = np.empty(n, dtype="<U1")
    classes[order] = cls_sorted
    cumulative = np.empty(n)
    cumulative[order] = cumulative_sorted
    counts = {c: int((classes == c).sum()) for c in "ABC"}
    shares = {c: float(share[classes == c].sum()) for c in "ABC"}
    return ABCResult(classes, rank, share, cumulative, top_share(values), counts, shares)
