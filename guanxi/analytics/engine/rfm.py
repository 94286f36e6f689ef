"""RFM scores (quintiles 1–5), RFM codes such as "545" and named segments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


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
    """Scores 1..bins by rank."""
    raise NotImplementedError


def segment_grid(segment_map: Mapping[str, str]) -> np.ndarray:
    """5×5 array of segment keys indexed [R−1, F−1] from a map of key → regex over "RF"."""
    raise NotImplementedError


def rfm_scores(
    recency_days: np.ndarray,
    frequency: np.ndarray,
    monetary: np.ndarray,
    *,
    segment_map: Mapping[str, str] | None = None,
) -> RFMResult:
    """R from days since last purchase (fewer days = higher), F, M quintile scores, codes
    and segments."""
    raise NotImplementedError
