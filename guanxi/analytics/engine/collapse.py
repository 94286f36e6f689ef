"""Collapse identical rows so the likelihoods are evaluated once per distinct row, weighted,
and the shared fitting loop (L-BFGS-B over log-parameters)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import optimize
from threadpoolctl import threadpool_limits


def collapse(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of the parallel float columns, with their counts and the inverse map.

    Returns ``(unique_columns, weights, inverse)`` so that ``unique_columns[i][inverse]``
    rebuilds column ``i``. Customers summarised at daily or weekly resolution repeat the same
    (x, t_x, T) very often: a million customers typically collapse to a few tens of thousands.
    """
    arrays = [np.asarray(c, dtype=np.float64) for c in columns]
    # Each column's values numbered in order, the numbers combined into one integer per row:
    # sorting integers is several times faster than sorting the rows as opaque bytes.
    key = np.zeros(len(arrays[0]), dtype=np.int64)
    size = 1
    for column in arrays:
        values, codes = np.unique(column, return_inverse=True)
        size *= max(len(values), 1)
        if size >= 2**62:  # too many combinations for one integer: sort the rows as bytes
            return _collapse_rows(arrays)
        key = key * len(values) + codes.ravel()
    _, first, inverse, counts = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    return [column[first] for column in arrays], counts.astype(np.float64), inverse.ravel()


def _collapse_rows(arrays: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    stacked = np.column_stack(arrays)
    # Viewing each row as one opaque value makes np.unique sort a 1-D array: much faster
    # than axis=0 on large inputs.
    rows = np.ascontiguousarray(stacked).view(
        np.dtype((np.void, stacked.dtype.itemsize * stacked.shape[1]))
    ).ravel()
    _, first, inverse, counts = np.unique(
        rows, return_index=True, return_inverse=True, return_counts=True
    )
    unique = stacked[first]
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(np.float64), inverse


def maximize(
    loglik_and_grad: Callable[[np.ndarray], tuple[float, np.ndarray]],
    initial: np.ndarray,
    total_weight: float,
) -> tuple[np.ndarray, float, bool]:
    """Maximise a log-likelihood over positive parameters via their logarithms.

    ``loglik_and_grad(params)`` returns the total log-likelihood and its gradient with
    respect to the parameters; the objective is scaled per customer for conditioning.
    Returns ``(params, log_likelihood, converged)``.
    """

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        ll, grad = loglik_and_grad(params)
        if not np.isfinite(ll):
            return 1e10, np.zeros_like(log_params)
        return -ll / total_weight, -grad * params / total_weight

    # The likelihoods sum with dot products: BLAS threads spin-wait and, on a busy small
    # machine, make each one a hundred times slower than a single thread.
    with threadpool_limits(1):
        result = optimize.minimize(
            objective,
            np.log(initial),
            jac=True,
            method="L-BFGS-B",
            bounds=[(-12.0, 12.0)] * len(initial),
            options={"maxiter": 1000, "gtol": 1e-9, "ftol": 1e-14},
        )
    params = np.exp(result.x)
    return params, -float(result.fun) * total_weight, bool(result.success)


def weights_or_ones(weights: np.ndarray | None, n: int) -> np.ndarray:
    return np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
