"""Customer value matrix (客户价值组合矩阵): value in time (past, present, future) × kind
(functional, economic, psychological) → nine types, scored from attitude answers and
behaviour.

Scoring rules (our design). Every input is first put on [0, 1]:

- behaviour as percentile ranks among the customers scored together (ties averaged):
  R = recency (most recent purchase → 1), F = frequency, M = monetary value,
  G = growth (recent / earlier spend ratio; no trend → 0.5);
- attitude answers 1–5 as (answer − 1) / 4: risk (appetite for new things), products
  (opinion of our products), service (of our service), rebuy (likelihood to buy again),
  recommend (likelihood to recommend). Missing answers (NaN) are left out of the means.

Time of value (mean of the available terms):
  past    = mean(1 − R, 1 − G, 1 − rebuy)           lapsed, shrinking, not coming back
  present = mean(R, F)                               buying now and often
  future  = mean(G, rebuy, recommend, risk)          growing, intends to stay, open to new

Kind of value:
  functional    = mean(products, F)                  buys for what the product does
  economic      = mean(1 − M, 1 − risk)              spends little, avoids risk: price-led
  psychological = mean(M, service, recommend)        pays for the relationship and status

The type is the cell of the highest time score × the highest kind score; ties go to the
earlier of past/present/future and functional/economic/psychological.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from guanxi.analytics.engine.i18n import gettext_noop

TIMES = ("past", "present", "future")
KINDS = ("functional", "economic", "psychological")
ANSWERS = ("risk", "products", "service", "rebuy", "recommend")

# TYPE_GRID[time][kind]
TYPE_GRID = (
    ("laggard", "calculating", "nostalgic"),
    ("practical", "value_seeking", "status_seeking"),
    ("avant_garde", "visionary", "perfectionist"),
)

TYPE_LABELS: dict[str, str] = {
    "laggard": gettext_noop("Laggard"),
    "calculating": gettext_noop("Calculating"),
    "nostalgic": gettext_noop("Nostalgic"),
    "practical": gettext_noop("Practical"),
    "value_seeking": gettext_noop("Value-seeking"),
    "status_seeking": gettext_noop("Status-seeking"),
    "avant_garde": gettext_noop("Avant-garde"),
    "visionary": gettext_noop("Visionary"),
    "perfectionist": gettext_noop("Perfectionist"),
}

TYPE_APPROACHES: dict[str, str] = {
    "laggard": gettext_noop(
        "Serve them efficiently at low cost with the proven products they know; do not "
        "push new ones."
    ),
    "calculating": gettext_noop(
        "Keep prices and terms clear and competitive; offer volume or loyalty discounts "
        "and keep the cost to serve low."
    ),
    "nostalgic": gettext_noop(
        "Build on the shared history: personal contact, anniversaries and the people they "
        "know."
    ),
    "practical": gettext_noop(
        "Make buying easy and reliable: availability, on-time delivery and quick support."
    ),
    "value_seeking": gettext_noop(
        "Show value for money: bundles, promotions and the total cost of ownership."
    ),
    "status_seeking": gettext_noop(
        "Give recognition: premium service, VIP programmes and exclusive events."
    ),
    "avant_garde": gettext_noop(
        "Invite them to try new products first and ask for their feedback."
    ),
    "visionary": gettext_noop(
        "Build a long-term partnership: multi-year agreements, joint plans and investment."
    ),
    "perfectionist": gettext_noop(
        "Exceed expectations on quality and service; involve them in improving the offer "
        "and turn them into advocates."
    ),
}


@dataclass(frozen=True)
class ValueMatrixResult:
    types: np.ndarray  # type key per customer
    time: np.ndarray  # "past" / "present" / "future"
    kind: np.ndarray  # "functional" / "economic" / "psychological"
    time_scores: np.ndarray  # (n, 3) in [0, 1]
    kind_scores: np.ndarray  # (n, 3) in [0, 1]


def _percentile(values: np.ndarray) -> np.ndarray:
    """Rank on [0, 1] with ties averaged; NaN stays NaN."""
    from scipy.stats import rankdata  # scipy.stats takes seconds to import
    values = np.asarray(values, dtype=np.float64)
    out = np.full(len(values), np.nan)
    ok = ~np.isnan(values)
    n = int(ok.sum())
    if n == 1:
        out[ok] = 0.5
    elif n > 1:
        out[ok] = (rankdata(values[ok], method="average") - 1.0) / (n - 1.0)
    return out


def _mean(*columns: np.ndarray) -> np.ndarray:
    stacked = np.column_stack(columns)
    counts = (~np.isnan(stacked)).sum(axis=1)
    return np.nansum(stacked, axis=1) / np.maximum(counts, 1)


def value_matrix(
    *,
    recency_days: np.ndarray,
    frequency: np.ndarray,
    monetary: np.ndarray,
    spend_ratio: np.ndarray,
    answers: Mapping[str, np.ndarray] | None = None,
) -> ValueMatrixResult:
    """Type per customer. ``answers`` keys: risk, products, service, rebuy, recommend —
    1–5 scores with NaN where unanswered (a key may be absent)."""
    n = len(recency_days)
    r = _percentile(-np.asarray(recency_days, dtype=np.float64))
    f = _percentile(frequency)
    m = _percentile(monetary)
    ratio = np.asarray(spend_ratio, dtype=np.float64)
    g = _percentile(np.where(np.isposinf(ratio), np.finfo(np.float64).max, ratio))
    g = np.where(np.isnan(g), 0.5, g)
    answers = answers or {}
    a = {
        key: (np.asarray(answers[key], dtype=np.float64) - 1.0) / 4.0
        if key in answers else np.full(n, np.nan)
        for key in ANSWERS
    }
    time_scores = np.column_stack([
        _mean(1.0 - r, 1.0 - g, 1.0 - a["rebuy"]),
        _mean(r, f),
        _mean(g, a["rebuy"], a["recommend"], a["risk"]),
    ])
    kind_scores = np.column_stack([
        _mean(a["products"], f),
        _mean(1.0 - m, 1.0 - a["risk"]),
        _mean(m, a["service"], a["recommend"]),
    ])
    time = time_scores.argmax(axis=1)
    kind = kind_scores.argmax(axis=1)
    grid = np.array(TYPE_GRID)
    return ValueMatrixResult(
        types=grid[time, kind],
        time=np.array(TIMES)[time],
        kind=np.array(KINDS)[kind],
        time_scores=time_scores,
        kind_scores=kind_scores,
    )
