"""Customer lifecycle stage (客户生命周期): exploration, development, stable, decline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXPLORATION, DEVELOPMENT, STABLE, DECLINE = "exploration", "development", "stable", "decline"


@dataclass(frozen=True)
class Trend:
    """Spend and purchase counts in the recent window vs. the equally long window before it."""

    recent_spend: np.ndarray
    earlier_spend: np.ndarray
    recent_count: np.ndarray
    earlier_count: np.ndarray

    @property
    def spend_ratio(self) -> np.ndarray:
        raise NotImplementedError


def trend(
    customer_index: np.ndarray,
    days: np.ndarray,
    amounts: np.ndarray,
    until_day: int,
    n_customers: int,
    *,
    window_days: int = 180,
) -> Trend:
    """Per customer (``customer_index`` 0..n_customers−1), spend and counts in the last
    ``window_days`` up to ``until_day`` and in the window before."""
    raise NotImplementedError


def lifecycle_stages(
    tenure_days: np.ndarray,
    n_transactions: np.ndarray,
    days_since_last: np.ndarray,
    spend_ratio: np.ndarray,
    p_alive: np.ndarray,
) -> np.ndarray:
    """Stage key per customer (rules in the module docstring)."""
    raise NotImplementedError
