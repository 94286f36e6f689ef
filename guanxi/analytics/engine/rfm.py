"""RFM scores (quintiles 1–5), RFM codes such as "545" and named segments.

Scores come from ranks: ``scipy.stats.rankdata(method="average")`` then
score = ceil(rank · bins / n). Tied customers share one score (all customers with a single
purchase get the same F score), and a column where everyone ties scores the middle bin.
Recency is days since the last purchase: fewer days = more recent = higher R.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from guanxi.analytics.engine.i18n import gettext_noop

# Key → regex over the two-character "RF" string; the first matching entry wins.
DEFAULT_SEGMENT_MAP: dict[str, str] = {
    "lost": r"11",
    "hibernating": r"[1-2][1-2]",
    "at_risk": r"[1-2][3-4]",
    "cant_lose": r"[1-2]5",
    "about_to_sleep": r"3[1-2]",
    "need_attention": r"33",
    "loyal": r"[3-4][4-5]",
    "promising": r"41",
    "new_customers": r"51",
    "potential_loyalist": r"[4-5][2-3]",
    "champions": r"5[4-5]",
}

SEGMENT_LABELS: dict[str, str] = {
    "champions": gettext_noop("Champions"),
    "loyal": gettext_noop("Loyal customers"),
    "potential_loyalist": gettext_noop("Potential loyalists"),
    "new_customers": gettext_noop("New customers"),
    "promising": gettext_noop("Promising"),
    "need_attention": gettext_noop("Need attention"),
    "about_to_sleep": gettext_noop("About to sleep"),
    "at_risk": gettext_noop("At risk"),
    "cant_lose": gettext_noop("Can't lose them"),
    "hibernating": gettext_noop("Hibernating"),
    "lost": gettext_noop("Lost customers"),
}

UNSEGMENTED = "other"


@dataclass(frozen=True)
class RFMResult:
    r: np.ndarray  # int8 1–5, 5 = most recent
    f: np.ndarray  # int8 1–5, 5 = most frequent
    m: np.ndarray  # int8 1–5, 5 = highest spend
    codes: np.ndarray  # str "545"
    segments: np.ndarray  # segment key per customer


def quintile_scores(
    values: np.ndarray, *, higher_is_better: bool = True, bins: int = 5
) -> np.ndarray:
    """Scores 1..bins by average rank (ties share a score); see the module docstring."""
    from scipy.stats import rankdata  # scipy.stats takes seconds to import
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    ranks = rankdata(values if higher_is_better else -values, method="average")
    return np.clip(np.ceil(ranks * bins / n), 1, bins).astype(np.int8)


def segment_grid(segment_map: Mapping[str, str]) -> np.ndarray:
    """5×5 array of segment keys indexed [R−1, F−1] from a map of key → regex over "RF";
    the first matching key wins, cells no pattern matches are ``"other"``."""
    width = max([len(k) for k in segment_map] + [len(UNSEGMENTED)])
    grid = np.full((5, 5), UNSEGMENTED, dtype=f"<U{width}")
    compiled = [(key, re.compile(pattern)) for key, pattern in segment_map.items()]
    for r in range(1, 6):
        for f in range(1, 6):
            for key, pattern in compiled:
                if pattern.fullmatch(f"{r}{f}"):
                    grid[r - 1, f - 1] = key
                    break
    return grid


def rfm_scores(
    recency_days: np.ndarray,
    frequency: np.ndarray,
    monetary: np.ndarray,
    *,
    segment_map: Mapping[str, str] | None = None,
) -> RFMResult:
    """R from days since last purchase (fewer days = higher), F, M quintile scores, codes
    and segments (``DEFAULT_SEGMENT_MAP`` unless another map is given)."""
    r = quintile_scores(recency_days, higher_is_better=False)
    f = quintile_scores(frequency)
    m = quintile_scores(monetary)
    codes = (r.astype(np.int16) * 100 + f * 10 + m).astype("<U3")
    grid = segment_grid(DEFAULT_SEGMENT_MAP if segment_map is None else segment_map)
    return RFMResult(r=r, f=f, m=m, codes=codes, segments=grid[r - 1, f - 1])
