"""Pareto/NBD model (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader & Hardie,
"A Note on Deriving the Pareto/NBD Model and Related Expressions", 2005).

Purchases while alive: Poisson(λ), λ ~ Gamma(r, α); lifetime exponential(μ), μ ~ Gamma(s, β).
The likelihood needs the Gaussian hypergeometric function 2F1; it is evaluated in the
numerically stable branch (α ≥ β and α < β handled by swapping roles) with
``scipy.special.hyp2f1`` on an argument in [0, 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ParetoNBDParams:
    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float = float("nan")
    n_customers: int = 0
    converged: bool = True

    def as_array(self) -> np.ndarray:
        return np.array([self.r, self.alpha, self.s, self.beta])

    def conditional_expected_purchases(
        self, t: float | np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        return conditional_expected_purchases(self, t, x, t_x, T)

    def probability_alive(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        return probability_alive(self, x, t_x, T)


def log_likelihood_terms(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-row log-likelihood for ``params = [r, alpha, s, beta]``."""
    raise NotImplementedError


def log_likelihood(
    params: np.ndarray | ParetoNBDParams,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
) -> float:
    """Total (weighted) log-likelihood."""
    raise NotImplementedError


def gradient(
    params: np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Gradient of the total log-likelihood w.r.t. ``[r, alpha, s, beta]``."""
    raise NotImplementedError


def fit(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    initial: np.ndarray | None = None,
) -> ParetoNBDParams:
    """Maximum-likelihood fit on collapsed identical (x, t_x, T) rows."""
    raise NotImplementedError


def probability_alive(
    params: ParetoNBDParams, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(alive | x, t_x, T)."""
    raise NotImplementedError


def conditional_expected_purchases(
    params: ParetoNBDParams, t: float | np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[X(T, T+t) | x, t_x, T] (Fader & Hardie 2005 note, eq. 41)."""
    raise NotImplementedError
