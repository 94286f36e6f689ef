"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

Purchases while alive: Poisson(λ), λ ~ Gamma(r, α); after each purchase the customer drops
out with probability p, p ~ Beta(a, b). Fitted by maximum likelihood with an analytic gradient
(L-BFGS-B over log-parameters) on collapsed identical (x, t_x, T) rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BGNBDParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")  # total over the customers fitted
    n_customers: int = 0
    converged: bool = True

    def as_array(self) -> np.ndarray:
        return np.array([self.r, self.alpha, self.a, self.b])

    def conditional_expected_purchases(
        self, t: float | np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        return conditional_expected_purchases(self, t, x, t_x, T)

    def probability_alive(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        return probability_alive(self, x, t_x, T)


def log_likelihood_terms(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-row log-likelihood for ``params = [r, alpha, a, b]``."""
    raise NotImplementedError


def log_likelihood(
    params: np.ndarray | BGNBDParams,
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
    """Analytic gradient of the total log-likelihood w.r.t. ``[r, alpha, a, b]``."""
    raise NotImplementedError


def fit(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    initial: np.ndarray | None = None,
) -> BGNBDParams:
    """Maximum-likelihood fit; identical (x, t_x, T) rows are collapsed first."""
    raise NotImplementedError


def conditional_expected_purchases(
    params: BGNBDParams, t: float | np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[X(T, T+t) | x, t_x, T]: expected purchases in the next ``t`` periods (FHL 2005 eq. 10)."""
    raise NotImplementedError


def probability_alive(
    params: BGNBDParams, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(alive | x, t_x, T); 1 for customers without repeat purchases (they cannot have left)."""
    raise NotImplementedError


def expected_purchases(params: BGNBDParams, t: float | np.ndarray) -> np.ndarray:
    """E[X(t)] for a randomly chosen new customer (FHL 2005 eq. 7)."""
    raise NotImplementedError
