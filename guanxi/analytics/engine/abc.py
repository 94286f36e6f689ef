"""ABC / Pareto classes of customers by a value (revenue or profit)."""

from __future__ import annotations

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
    """Share of the positive total held by the top ``fraction`` of customers."""
    raise NotImplementedError


def abc_classes(values: np.ndarray, *, a: float = 0.8, b: float = 0.95) -> ABCResult:
    """A until ``a`` cumulative share, B until ``b``, C the rest."""
    raise NotImplementedError
