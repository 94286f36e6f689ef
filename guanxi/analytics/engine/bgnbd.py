"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

Purchases while alive: Poisson(λ), λ ~ Gamma(r, α); after each purchase the customer drops
out with probability p, p ~ Beta(a, b). Fitted by maximum likelihood with an analytic gradient
(L-BFGS-B over log-parameters) on collapsed identical (x, t_x, T) rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from guanxi.analytics.engine.collapse import collapse, maximize, weights_or_ones

WARM_START_ROWS = 20_000


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

    def expected_purchases_if_alive(
        self, t: float | np.ndarray, x: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        return expected_purchases_if_alive(self, t, x, T)


def log_likelihood_terms(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-row log-likelihood for ``params = [r, alpha, a, b]``: FHL 2005 eq. 6,
    exp(A1 + A2) · (exp(A3) + δ(x>0) · exp(A4)), in logs."""
    r, alpha, a, b = np.asarray(params, dtype=np.float64)
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    repeat = x > 0
    a12 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    bx1 = b + np.maximum(x, 1.0) - 1.0
    a4 = np.where(repeat, np.log(a) - np.log(bx1) - (r + x) * np.log(alpha + t_x), -np.inf)
    return a12 + np.logaddexp(a3, a4)


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


class _Prepared:
    """Collapsed rows plus, for the terms that depend on x alone (all the special
    functions), the distinct x values with their total weights: those terms are summed once
    per distinct x, not once per row."""

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray):
        self.x, self.t_x, self.T, self.w = x, t_x, T, w
        self.ux, self.xi = np.unique(x, return_inverse=True)
        self.wx = np.bincount(self.xi, weights=w)
        self.repeat_x = self.ux > 0

    def value_and_gradient(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = params
        ux, wx, w = self.ux, self.wx, self.w
        # Per distinct x.
        a12 = gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + betaln(a, b + ux) - betaln(a, b)
        inv_bx1 = np.where(self.repeat_x, 1.0 / (b + np.maximum(ux, 1.0) - 1.0), 0.0)
        with np.errstate(divide="ignore"):
            log_a_bx1 = np.log(a * inv_bx1)  # −inf where x = 0: no drop-out branch
        dg_ab, dg_abx = digamma(a + b), digamma(a + b + ux)
        # Per row.
        rx = r + self.x
        log_at = np.log(alpha + self.T)
        log_atx = np.log(alpha + self.t_x)
        a3 = -rx * log_at
        a4 = log_a_bx1[self.xi] - rx * log_atx
        tail = np.logaddexp(a3, a4)
        w4 = expit(a4 - a3)  # share of the "dropped out after the last purchase" branch
        w3 = 1.0 - w4  # share of the "still alive" branch
        ll = wx @ a12 + w @ tail
        ww4 = w * w4
        d_r = wx @ (digamma(r + ux) - digamma(r) + np.log(alpha)) - (
            (w - ww4) @ log_at + ww4 @ log_atx
        )
        d_alpha = wx.sum() * r / alpha - (w * rx) @ (
            w3 / (alpha + self.T) + w4 / (alpha + self.t_x)
        )
        d_a = wx @ (dg_ab - dg_abx) + ww4.sum() / a
        d_b = wx @ (dg_ab - dg_abx + digamma(b + ux) - digamma(b)) - ww4 @ inv_bx1[self.xi]
        return float(ll), np.array([d_r, d_alpha, d_a, d_b])


def gradient(
    params: np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Analytic gradient of the total log-likelihood w.r.t. ``[r, alpha, a, b]``."""
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    data = _Prepared(x, t_x, T, weights_or_ones(weights, len(x)))
    return data.value_and_gradient(np.asarray(params, dtype=np.float64))[1]


def fit(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    initial: np.ndarray | None = None,
) -> BGNBDParams:
    """Maximum-likelihood fit; identical (x, t_x, T) rows are collapsed first.

    Starting values: r = 1, α from the mean purchase rate, a = b = 1; on large inputs a fit
    on a random 20,000-row sample of the collapsed rows gives the starting values, so the
    full data is evaluated only for the last few iterations.
    """
    (ux, utx, uT), counts, inverse = collapse(x, t_x, T)
    w = counts if weights is None else np.bincount(inverse, weights=weights)
    total = float(w.sum())
    if initial is None:
        rate = float(w @ ux) / max(float(w @ uT), 1e-9)
        initial = np.array([1.0, 1.0 / max(rate, 1e-3), 1.0, 1.0])
        if len(ux) > 2 * WARM_START_ROWS:
            pick = np.random.default_rng(0).choice(len(ux), WARM_START_ROWS, replace=False)
            sample = _Prepared(ux[pick], utx[pick], uT[pick], w[pick])
            initial, _, _ = maximize(sample.value_and_gradient, initial, float(w[pick].sum()))
    data = _Prepared(ux, utx, uT, w)
    params, ll, ok = maximize(data.value_and_gradient, initial, total)
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


def expected_purchases_if_alive(
    params: BGNBDParams, t: float | np.ndarray, x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[X(T, T+t) | alive at T, x, T]: FHL 2005 eq. 10 without its P(alive) factor.
    Depends on x and T only, so callers can evaluate it once per distinct (x, T)."""
    r, alpha, a, b = params.as_array()
    x, T = np.asarray(x, dtype=np.float64), np.asarray(T, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    z = t / (alpha + T + t)
    head = (a + b + x - 1.0) / (a - 1.0)
    hyp = hyp2f1(r + x, b + x, a + b + x - 1.0, z)
    return head * (1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)


def conditional_expected_purchases(
    params: BGNBDParams, t: float | np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[X(T, T+t) | x, t_x, T]: expected purchases in the next ``t`` periods (FHL 2005 eq. 10)."""
    return expected_purchases_if_alive(params, t, x, T) * probability_alive(params, x, t_x, T)


def expected_purchases(params: BGNBDParams, t: float | np.ndarray) -> np.ndarray:
    """E[X(t)] for a randomly chosen new customer (FHL 2005 eq. 7)."""
    r, alpha, a, b = params.as_array()
    t = np.asarray(t, dtype=np.float64)
    return (a + b - 1.0) / (a - 1.0) * (
        1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1.0, t / (alpha + t))
    )
