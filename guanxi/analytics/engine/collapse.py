"""Collapse identical rows so the likelihoods are evaluated once per distinct row, weighted."""

from __future__ import annotations

import numpy as np


def collapse(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of the parallel float columns, with their counts and the inverse map.

    Returns ``(unique_columns, weights, inverse)`` so that ``unique_columns[i][inverse]``
    rebuilds column ``i``. Customers summarised at daily or weekly resolution repeat the same
    (x, t_x, T) very often: a million customers typically collapse to a few tens of thousands.
    """
    raise NotImplementedError
