"""Predictive customer lifetime value: expected purchases × expected spend × margin,
discounted month by month (the scheme of lifetimes' ``customer_lifetime_value``)."""

from __future__ import annotations

import numpy as np

from guanxi.analytics.engine.bgnbd import BGNBDParams
from guanxi.analytics.engine.collapse import collapse
from guanxi.analytics.engine.paretonbd import ParetoNBDParams

# Periods per month in each time unit (a month is 30 days, as lifetimes takes it).
PERIODS_PER_MONTH = {"D": 30.0, "W": 30.0 / 7.0}


def customer_lifetime_value(
    model: BGNBDParams | ParetoNBDParams,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    expected_spend: np.ndarray,
    *,
    months: int = 12,
    margin: float = 1.0,
    annual_discount_rate: float = 0.1,
    unit: str = "W",
) -> np.ndarray:
    """CLV over ``months``: Σ_i ΔE[purchases in month i] · spend · margin / (1 + d)^i.

    ``d`` is the monthly rate equivalent to ``annual_discount_rate``; ``unit`` is the time
    unit of t_x and T ('D' or 'W'). ΔE is the difference of the conditional expected
    cumulative purchases at the end and the start of month i, so each month is discounted
    on its own expected purchases.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    per_month = PERIODS_PER_MONTH[unit]
    monthly = (1.0 + annual_discount_rate) ** (1.0 / 12.0) - 1.0
    # E[purchases] = P(alive | x, t_x, T) · E[purchases | alive, x, T]: the second factor,
    # the expensive one, is computed once per distinct (x, T) and month.
    (ux, uT), _, inverse = collapse(x, T)
    value = np.zeros_like(ux)
    previous = np.zeros_like(ux)
    for month in range(1, months + 1):  # a loop over months, vectorised over customers
        cumulative = model.expected_purchases_if_alive(month * per_month, ux, uT)
        value += (cumulative - previous) / (1.0 + monthly) ** month
        previous = cumulative
    alive = model.probability_alive(x, t_x, T)
    return value[inverse] * alive * np.asarray(expected_spend, dtype=np.float64) * margin
