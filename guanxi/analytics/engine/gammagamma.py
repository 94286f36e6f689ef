"""Gamma-Gamma model of monetary value (Fader, Hardie & Lee 2005 "RFM and CLV: Using
Iso-value Curves for Customer Base Analysis"; Fader & Hardie, "The Gamma-Gamma Model of
Monetary Value", 2013).

A customer's transaction values are Gamma(p, ν); ν ~ Gamma(q, γ). Fitted on repeat
customers (x > 0) from their number of repeat transactions x and mean repeat spend m.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


def log_likelihood(
    params: np.ndarray | GammaGammaParams,
    x: np.ndarray,
    m: np.ndarray,
    weights: np.ndarray | None = None,
) -> float:
    """Total log-likelihood of the mean spends ``m`` (x > 0 rows only), params ``[p, q, γ]``.

    This is the density of the mean m̄ (Fader & Hardie 2013 eq. 3), the form whose CDNOW
    value the note publishes.
    """
    raise NotImplementedError


def gradient(
    params: np.ndarray, x: np.ndarray, m: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Analytic gradient of the total log-likelihood w.r.t. ``[p, q, γ]``."""
    raise NotImplementedError


def fit(
    x: np.ndarray,
    m: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    initial: np.ndarray | None = None,
) -> GammaGammaParams:
    """Maximum-likelihood fit on the customers with x > 0 and m > 0 (others are ignored)."""
    raise NotImplementedError


def conditional_expected_spend(
    params: GammaGammaParams, x: np.ndarray, m: np.ndarray
) -> np.ndarray:
    """E[M | x, m̄]: a weighted mean of the population mean and the customer's own mean.

    Customers without repeat purchases get the population mean p·γ/(q − 1).
    """
    raise NotImplementedError


def check_independence(
    x: np.ndarray, m: np.ndarray, *, threshold: float = 0.3
) -> SpendFrequencyCheck:
    """Pearson and Spearman correlation of x and m over repeat customers (x > 0)."""
    raise NotImplementedError
