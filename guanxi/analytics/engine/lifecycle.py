"""Customer lifecycle stage (客户生命周期): exploration, development, stable, decline.

Rules, applied in this order (the first that holds decides; thresholds are parameters):

1. **decline** 退化期 — P(alive) below ``alive_threshold`` (0.5), or no purchase for
   ``dormant_days`` (365), or spend in the recent window fell below ``decline_ratio`` (0.5)
   of the window before it. A customer who bought once long ago is here too: their recent
   window is empty while the earlier one was not.
2. **exploration** 考察期 — still new: at most ``exploration_purchases`` (2) purchases and a
   tenure of at most ``exploration_days`` (180).
3. **development** 发展期 — tenure under ``development_days`` (365), or spend growing: the
   recent window above ``growth_ratio`` (1.25) times the window before.
4. **stable** 稳定期 — everyone else: an established customer buying at a steady rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanxi.analytics.engine.i18n import gettext_noop

EXPLORATION, DEVELOPMENT, STABLE, DECLINE = "exploration", "development", "stable", "decline"
STAGES = (EXPLORATION, DEVELOPMENT, STABLE, DECLINE)

STAGE_LABELS: dict[str, str] = {
    EXPLORATION: gettext_noop("Exploration"),
    DEVELOPMENT: gettext_noop("Development"),
    STABLE: gettext_noop("Stable"),
    DECLINE: gettext_noop("Declining"),
}

STAGE_STRATEGIES: dict[str, str] = {
    EXPLORATION: gettext_noop(
        "Answer enquiries fast and analyse how the customer responds to offers and "
        "campaigns; qualify them before investing more."
    ),
    DEVELOPMENT: gettext_noop(
        "Develop the relationship: widen the products and contacts, and repair any early "
        "dissatisfaction before it turns into churn."
    ),
    STABLE: gettext_noop(
        "Retain and cross-sell: keep service levels high, reward loyalty and offer related "
        "products."
    ),
    DECLINE: gettext_noop(
        "Find out why they are leaving: win back valuable customers with a tailored offer, "
        "let unprofitable ones go."
    ),
}


@dataclass(frozen=True)
class Trend:
    """Spend and purchase counts in the recent window vs. the equally long window before it."""

    recent_spend: np.ndarray
    earlier_spend: np.ndarray
    recent_count: np.ndarray
    earlier_count: np.ndarray

    @property
    def spend_ratio(self) -> np.ndarray:
        """recent / earlier spend: +inf when only the recent window has spend, NaN when
        neither has (no trend to speak of)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.recent_spend / self.earlier_spend


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
    days = np.asarray(days, dtype=np.int64)
    amounts = np.asarray(amounts, dtype=np.float64)
    age = until_day - days
    recent = (age >= 0) & (age < window_days)
    earlier = (age >= window_days) & (age < 2 * window_days)

    def per_customer(mask: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
        w = None if weights is None else weights[mask]
        return np.bincount(customer_index[mask], weights=w, minlength=n_customers)

    return Trend(
        recent_spend=per_customer(recent, amounts).astype(np.float64),
        earlier_spend=per_customer(earlier, amounts).astype(np.float64),
        recent_count=per_customer(recent, None),
        earlier_count=per_customer(earlier, None),
    )


def lifecycle_stages(
    tenure_days: np.ndarray,
    n_transactions: np.ndarray,
    days_since_last: np.ndarray,
    spend_ratio: np.ndarray,
    p_alive: np.ndarray,
    *,
    alive_threshold: float = 0.5,
    dormant_days: int = 365,
    decline_ratio: float = 0.5,
    exploration_purchases: int = 2,
    exploration_days: int = 180,
    development_days: int = 365,
    growth_ratio: float = 1.25,
) -> np.ndarray:
    """Stage key per customer (rules in the module docstring); NaN ratios count as no trend."""
    tenure = np.asarray(tenure_days)
    ratio = np.asarray(spend_ratio, dtype=np.float64)
    declining = (
        (np.asarray(p_alive) < alive_threshold)
        | (np.asarray(days_since_last) > dormant_days)
        | (ratio < decline_ratio)  # NaN compares False
    )
    new = (np.asarray(n_transactions) <= exploration_purchases) & (tenure <= exploration_days)
    growing = (tenure < development_days) | (ratio > growth_ratio)
    return np.select(
        [declining, new, growing], [DECLINE, EXPLORATION, DEVELOPMENT], default=STABLE
    )
