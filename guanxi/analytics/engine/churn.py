"""Churn risk: 1 − P(alive), and a supervised model where churn outcomes are known."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np


@dataclass(frozen=True)
class ChurnModel:
    estimator: Any  # fitted scikit-learn pipeline
    method: str
    roc_auc: float  # on the held-out part
    n_train: int
    n_test: int
    feature_names: tuple[str, ...]


def risk_from_p_alive(p_alive: np.ndarray) -> np.ndarray:
    """Churn risk = 1 − P(alive)."""
    raise NotImplementedError


def fit_churn_model(
    features: np.ndarray,
    churned: np.ndarray,
    *,
    feature_names: tuple[str, ...] = (),
    method: Literal["logistic", "boosting"] = "logistic",
    test_size: float = 0.25,
    random_state: int = 0,
) -> ChurnModel:
    """Fit on a stratified split; report ROC AUC on the held-out part."""
    raise NotImplementedError


def predict_churn(model: ChurnModel, features: np.ndarray) -> np.ndarray:
    """Probability of churn per row."""
    raise NotImplementedError


def valuable_at_risk(
    value: np.ndarray, risk: np.ndarray, *, min_risk: float = 0.5, top: int = 50
) -> np.ndarray:
    """Indices of the most valuable customers whose risk is at least ``min_risk``, by
    value × risk descending."""
    raise NotImplementedError
