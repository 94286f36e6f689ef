"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

Purchases while alive: Poisson(λ), λ ~ Gamma(r, α); after each purchase the customer drops
out with probability p, p ~ Beta(a, b). Fitted by maximum likelihood with an analytic gradient
(L-BFGS-B over log-parameters) on collapsed identical (x, t_x, T) rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, digamma, gammaln, hyp2f1

from guanxi.analytics.engine.collapse import collapse, maximize, weights_or_ones


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


def _parts(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray):
    """The likelihood is exp(A1 + A2) · (exp(A3) + δ(x>0) · exp(A4)), FHL 2005 eq. 6."""
    r, alpha, a, b = params
    repeat = x > 0
    bx1 = np.where(repeat, b + x - 1.0, 1.0)
    log_at = np.log(alpha + T)
    log_atx = np.log(alpha + t_x)
    a12 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * log_at
    a4 = np.where(repeat, np.log(a) - np.log(bx1) - (r + x) * log_atx, -np.inf)
    tail = np.logaddexp(a3, a4)
    return a12 + tail, a3, a4, tail, bx1, log_at, log_atx, repeat


def log_likelihood_terms(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-row log-likelihood for ``params = [r, alpha, a, b]``."""
    return _parts(np.asarray(params, dtype=np.float64), x, t_x, T)[0]


def log_likelihood(
    params: np.ndarray | BGNBDParams,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
) -> float:
    """Total (weighted) log-likelihood."""
    if isinstance(params, BGNBDParams):
        params = params.as_array()
    terms = log_likelihood_terms(params, x, t_x, T)
    return float(np.dot(weights_or_ones(weights, len(terms)), terms))


def _value_and_gradient(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray]:
    r, alpha, a, b = params
    ll, a3, a4, tail, bx1, log_at, log_atx, repeat = _parts(params, x, t_x, T)
    w3 = np.exp(a3 - tail)  # share of the "still alive" branch
    w4 = np.exp(a4 - tail)  # share of the "dropped out after the last purchase" branch
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w3 * log_at - w4 * log_atx
    d_alpha = r / alpha - (r + x) * (w3 / (alpha + T) + w4 / (alpha + t_x))
    dg_ab, dg_abx = digamma(a + b), digamma(a + b + x)
    d_a = dg_ab - dg_abx + w4 / a
    d_b = dg_ab - dg_abx + digamma(b + x) - digamma(b) - np.where(repeat, w4 / bx1, 0.0)
    grad = np.array([w @ d_r, w @ d_alpha, w @ d_a, w @ d_b])
    return float(w @ ll), grad


def gradient(
    params: np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Analytic gradient of the total log-likelihood w.r.t. ``[r, alpha, a, b]``."""
    params = np.asarray(params, dtype=np.float64)
    return _value_and_gradient(params, x, t_x, T, weights_or_ones(weights, len(x)))[1]


def fit(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    initial: np.ndarray | None = None,
) -> BGNBDParams:
    """Maximum-likelihood fit; identical (x, t_x, T) rows are collapsed first.

    Starting values: r = 1, α from the mean purchase rate, a = b = 1 — close enough for
    L-BFGS-B to converge in a few dozen evaluations on the collapsed rows.
    """
    (ux, utx, uT), counts, inverse = collapse(x, t_x, T)
    w = counts if weights is None else np.bincount(inverse, weights=weights)
    total = float(w.sum())
    if initial is None:
        rate = float(w @ ux) / max(float(w @ uT), 1e-9)
        initial = np.array([1.0, 1.0 / max(rate, 1e-3), 1.0, 1.0])
    params, ll, ok = maximize(lambda p: _value_and_gradient(p, ux, utx, uT, w), initial, total)
    return BGNBDParams(*map(float, params), log_likelihood=ll, n_customers=int(total),
                       converged=ok)


def probability_alive(
    params: BGNBDParams, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(alive | x, t_x, T); 1 for customers without repeat purchases (they cannot have left)."""
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    repeat = x > 0
    log_odds = np.where(
        repeat,
        np.log(params.a)
        - np.log(np.where(repeat, params.b + x - 1.0, 1.0))
        + (params.r + x) * (np.log(params.alpha + T) - np.log(params.alpha + t_x)),
        -np.inf,
    )
    return np.exp(-np.logaddexp(0.0, log_odds))


def conditional_expected_purchases(
    params: BGNBDParams, t: float | np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[X(T, T+t) | x, t_x, T]: expected purchases in the next ``t`` periods (FHL 2005 eq. 10)."""
    r, alpha, a, b = params.as_array()
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    t = np.asarray(t, dtype=np.float64)
    z = t / (alpha + T + t)
    head = (a + b + x - 1.0) / (a - 1.0)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1.0, z)
    body = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
    return head * body * probability_alive(params, x, t_x, T)


def expected_purchases(params: BGNBDParams, t: float | np.ndarray) -> np.ndarray:
    """E[X(t)] for a randomly chosen new customer (FHL 2005 eq. 7)."""
    r, alpha, a, b = params.as_array()
    t = np.asarray(t, dtype=np.float64)
    return (a + b - 1.0) / (a - 1.0) * (
        1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1.0, t / (alpha + t))
    )
