"""Gamma-Gamma model of monetary value (Fader, Hardie & Lee 2005 "RFM and CLV: Using
Iso-value Curves for Customer Base Analysis"; Fader & Hardie, "The Gamma-Gamma Model of
Monetary Value", 2013).

A customer's transaction values are Gamma(p, ν); ν ~ Gamma(q, γ). Fitted on repeat
customers (x > 0) from their number of repeat transactions x and mean repeat spend m.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betainc, digamma, gammaln

from guanxi.analytics.engine.collapse import maximize, weights_or_ones


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float
    log_likelihood: float = float("nan")
    n_customers: int = 0
    converged: bool = True

    def as_array(self) -> np.ndarray:
        return np.array([self.p, self.q, self.gamma])

    def conditional_expected_spend(self, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        return conditional_expected_spend(self, x, m)


@dataclass(frozen=True)
class SpendFrequencyCheck:
    """The Gamma-Gamma model assumes spend independent of purchase frequency."""

    pearson: float
    pearson_p: float
    spearman: float
    spearman_p: float
    n_customers: int
    threshold: float
    flagged: bool  # |pearson| or |spearman| above the threshold


def _repeat_rows(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    return (np.asarray(x) > 0) & (np.asarray(m) > 0)


class _Prepared:
    """Repeat customers' rows with everything that does not depend on the parameters
    precomputed; the special functions depend on x alone and are evaluated once per
    distinct x with the summed weights."""

    def __init__(self, x: np.ndarray, m: np.ndarray, w: np.ndarray):
        self.x, self.m, self.w = x, m, w
        self.ux, xi = np.unique(x, return_inverse=True)
        self.wx = np.bincount(xi, weights=w)
        log_m = np.log(m)
        self.sum_wx_log_m = float((w * x) @ log_m)  # Σ w·x·ln m̄
        self.sum_w_log_m = float(w @ log_m)
        self.x_log_x = float(self.wx @ (self.ux * np.log(self.ux)))  # Σ w·x·ln x
        self.total = float(w.sum())

    def value_and_gradient(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, g = params
        ux, wx = self.ux, self.wx
        pux = p * ux
        gl = gammaln(pux + q) - gammaln(pux)
        dg, dg_px = digamma(pux + q), digamma(pux)
        gmx = g + self.m * self.x
        wlog = self.w * np.log(gmx)
        sum_x_log = float(self.x @ wlog)  # Σ w·x·ln(γ + m̄x)
        sum_log = float(wlog.sum())
        ll = (
            wx @ gl + self.total * (q * np.log(g) - gammaln(q))
            + p * (self.sum_wx_log_m + self.x_log_x) - self.sum_w_log_m
            - p * sum_x_log - q * sum_log
        )
        d_p = (wx * ux) @ (dg - dg_px) + self.sum_wx_log_m + self.x_log_x - sum_x_log
        d_q = wx @ dg - self.total * (digamma(q) - np.log(g)) - sum_log
        d_g = self.total * q / g - float(self.w @ ((p * self.x + q) / gmx))
        return float(ll), np.array([d_p, d_q, d_g])


def _prepared(x: np.ndarray, m: np.ndarray, weights: np.ndarray | None) -> _Prepared:
    x, m = np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64)
    keep = _repeat_rows(x, m)
    return _Prepared(x[keep], m[keep], weights_or_ones(weights, len(x))[keep])


def log_likelihood(
    params: np.ndarray | GammaGammaParams,
    x: np.ndarray,
    m: np.ndarray,
    weights: np.ndarray | None = None,
) -> float:
    """Total log-likelihood of the mean spends ``m`` (x > 0 rows only), params ``[p, q, γ]``.

    This is the density of the mean m̄ (Fader & Hardie 2013 eq. 3), the form whose CDNOW
    value the note publishes:
    Γ(px+q)/(Γ(px)Γ(q)) · γ^q · m̄^(px−1) · x^(px) / (γ + m̄x)^(px+q).
    """
    if isinstance(params, GammaGammaParams):
        params = params.as_array()
    data = _prepared(x, m, weights)
    return data.value_and_gradient(np.asarray(params, dtype=np.float64))[0]


def gradient(
    params: np.ndarray, x: np.ndarray, m: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Analytic gradient of the total log-likelihood w.r.t. ``[p, q, γ]``."""
    data = _prepared(x, m, weights)
    return data.value_and_gradient(np.asarray(params, dtype=np.float64))[1]


def fit(
    x: np.ndarray,
    m: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    initial: np.ndarray | None = None,
) -> GammaGammaParams:
    """Maximum-likelihood fit on the customers with x > 0 and m > 0 (others are ignored).

    Starting values: p = 2, q = 3 and γ so that the population mean p·γ/(q−1) is the
    customers' mean spend.
    """
    data = _prepared(x, m, weights)
    if data.total == 0:
        raise ValueError("no customer with repeat purchases and positive spend")
    if initial is None:
        mean = float(data.w @ data.m) / data.total
        initial = np.array([2.0, 3.0, mean])
    params, ll, ok = maximize(data.value_and_gradient, initial, data.total)
    return GammaGammaParams(*map(float, params), log_likelihood=ll,
                            n_customers=int(data.total), converged=ok)


def conditional_expected_spend(
    params: GammaGammaParams, x: np.ndarray, m: np.ndarray
) -> np.ndarray:
    """E[M | x, m̄] = (pγ + p·x·m̄) / (p·x + q − 1): a weighted mean of the population mean
    pγ/(q−1) and the customer's own mean.

    Customers without repeat purchases (x = 0) get the population mean.
    """
    p, q, g = params.p, params.q, params.gamma
    x, m = np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64)
    x = np.where(m > 0, x, 0.0)
    return (p * g + p * x * np.where(x > 0, m, 0.0)) / (p * x + q - 1.0)


def check_independence(
    x: np.ndarray, m: np.ndarray, *, threshold: float = 0.3
) -> SpendFrequencyCheck:
    """Pearson and Spearman correlation of x and m over repeat customers (x > 0).

    Flagged when either |r| exceeds ``threshold``: the Gamma-Gamma spend predictions are then
    biased (frequent buyers spend systematically more or less per purchase).
    """
    x, m = np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64)
    keep = _repeat_rows(x, m)
    n = int(keep.sum())
    if n < 3 or np.ptp(x[keep]) == 0 or np.ptp(m[keep]) == 0:
        nan = float("nan")
        return SpendFrequencyCheck(nan, nan, nan, nan, n, threshold, False)
    pearson = _correlation(x[keep], m[keep])
    spearman = _correlation(_ranks(x[keep]), _ranks(m[keep]))
    flagged = max(abs(pearson), abs(spearman)) > threshold
    return SpendFrequencyCheck(
        pearson, _p_value(pearson, n), spearman, _p_value(spearman, n), n, threshold,
        bool(flagged),
    )


# Pearson's and Spearman's coefficients and their two-sided p-values, as scipy.stats gives
# them; computed here because importing scipy.stats takes longer than a whole fit.
def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float(np.clip((a @ b) / np.sqrt((a @ a) * (b @ b)), -1.0, 1.0))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their average rank."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + 1 + ends) / 2.0)[inverse.ravel()]


def _p_value(r: float, n: int) -> float:
    """P(|R| ≥ |r|) without correlation: Student's t with n − 2 degrees of freedom, whose
    two-sided tail is the regularised incomplete beta I_{1−r²}((n − 2)/2, 1/2)."""
    if abs(r) >= 1.0:
        return 0.0
    return float(betainc((n - 2.0) / 2.0, 0.5, 1.0 - r * r))
