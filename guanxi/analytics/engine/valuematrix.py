"""Customer value matrix (客户价值组合矩阵): value in time (past, present, future) × kind
(functional, economic, psychological) → nine types, scored from attitude answers and
behaviour."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ValueMatrixResult:
    types: np.ndarray  # type key per customer
    time: np.ndarray  # "past" / "present" / "future"
    kind: np.ndarray  # "functional" / "economic" / "psychological"
    time_scores: np.ndarray  # (n, 3) in [0, 1]
    kind_scores: np.ndarray  # (n, 3) in [0, 1]


def value_matrix(
    *,
    recency_days: np.ndarray,
    frequency: np.ndarray,
    monetary: np.ndarray,
    spend_ratio: np.ndarray,
    answers: Mapping[str, np.ndarray] | None = None,
) -> ValueMatrixResult:
    """Type per customer. ``answers`` keys: risk, products, service, rebuy, recommend —
    1–5 scores with NaN where unanswered."""
    raise NotImplementedError
