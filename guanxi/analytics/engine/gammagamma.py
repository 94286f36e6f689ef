"""Gamma-Gamma model of monetary value (Fader, Hardie & Lee 2005 "RFM and CLV: Using
Iso-value Curves for Customer Base Analysis"; Fader & Hardie, "The Gamma-Gamma Model of
Monetary Value", 2013).

A customer's transaction values are Gamma(p, ν); ν ~ Gamma(q, γ). Fitted on repeat
customers (x > 0) from their number of repeat transactions x and mean repeat spend m.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.special import digamma, gammaln

from guanxi.analytics.engine.collapse import collapse, maximize, weights_or_ones


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


def _terms(params: np.ndarray, x: np.ndarray, m: np.ndarray, grad: bool):
    p, q, g = params
    px = p * x
    log_gmx = np.log(g + m * x)
    ll = (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g)
        + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * log_gmx
    )
    if not grad:
        return ll, None
    dg = digamma(px + q)
    d_p = x * (dg - digamma(px) + np.log(m) + np.log(x) - log_gmx)
    d_q = dg - digamma(q) + np.log(g) - log_gmx
    d_g = q / g - (px + q) / (g + m * x)
    return ll, np.vstack([d_p, d_q, d_g])


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
    x, m = np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64)
    keep = _repeat_rows(x, m)
    w = weights_or_ones(weights, len(x))[keep]
    return float(w @ _terms(np.asarray(params, dtype=np.float64), x[keep], m[keep], False)[0])


def gradient(
    params: np.ndarray, x: np.ndarray, m: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Analytic gradient of the total log-likelihood w.r.t. ``[p, q, γ]``."""
    x, m = np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64)
    keep = _repeat_rows(x, m)
    w = weights_or_ones(weights, len(x))[keep]
    return _terms(np.asarray(params, dtype=np.float64), x[keep], m[keep], True)[1] @ w


def fit(
    x: np.ndarray,
    m: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    initial: np.ndarray | None = None,
) -> GammaGammaParams:
    """Maximum-likelihood fit on the customers with x > 0 and m > 0 (others are ignored).

    Identical (x, m̄) rows are collapsed. Starting values by the method of moments on the
    customers' mean spends: p·γ/(q−1) matches the mean.
    """
    x, m = np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64)
    keep = _repeat_rows(x, m)
    if not keep.any():
        raise ValueError("no customer with repeat purchases and positive spend")
    w_all = weights_or_ones(weights, len(x))[keep]
    (ux, um), counts, inverse = collapse(x[keep], m[keep])
    w = np.bincount(inverse, weights=w_all) if weights is not None else counts
    total = float(w.sum())
    if initial is None:
        mean = float(w @ um) / total
        initial = np.array([2.0, 3.0, mean])  # mean p·γ/(q−1) = mean

    def value_and_grad(params: np.ndarray) -> tuple[float, np.ndarray]:
        ll, d = _terms(params, ux, um, True)
        return float(w @ ll), d @ w

    params, ll, ok = maximize(value_and_grad, initial, total)
    return GammaGammaParams(*map(float, params), log_likelihood=ll, n_customers=int(total),
                            converged=ok)


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
    pearson = stats.pearsonr(x[keep], m[keep])
    spearman = stats.spearmanr(x[keep], m[keep])
    flagged = max(abs(pearson.statistic), abs(spearman.statistic)) > threshold
    return SpendFrequencyCheck(
        float(pearson.statistic), float(pearson.pvalue),
        float(spearman.statistic), float(spearman.pvalue), n, threshold, bool(flagged),
    )
