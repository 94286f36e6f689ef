"""Churn risk: 1 − P(alive), and a supervised model where churn outcomes are known."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits


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
    return 1.0 - np.clip(np.asarray(p_alive, dtype=np.float64), 0.0, 1.0)


def _signed_log(values: np.ndarray) -> np.ndarray:
    return np.sign(values) * np.log1p(np.abs(values))


def fit_churn_model(
    features: np.ndarray,
    churned: np.ndarray,
    *,
    feature_names: tuple[str, ...] = (),
    method: Literal["logistic", "boosting"] = "logistic",
    test_size: float = 0.25,
    random_state: int = 0,
) -> ChurnModel:
    """Fit on a stratified split; report ROC AUC on the held-out part.

    ``features``: (n, k) behaviour features (recency, frequency, monetary, tenure, …);
    ``churned``: true where the customer was later seen to leave. Logistic regression runs
    on sign-preserving log-transformed, standardised features; boosting
    (``HistGradientBoostingClassifier``) on the raw ones. Raises ValueError when either
    outcome has fewer than 2 examples per part.
    """
    features = np.asarray(features, dtype=np.float64)
    y = np.asarray(churned).astype(bool)
    if features.ndim != 2 or len(features) != len(y):
        raise ValueError("features must be an (n, k) array with one outcome per row")
    if min(int(y.sum()), int((~y).sum())) < max(2, int(np.ceil(2 / test_size))):
        raise ValueError("need churned and retained customers to learn from")
    x_train, x_test, y_train, y_test = train_test_split(
        features, y, test_size=test_size, stratify=y, random_state=random_state
    )
    if method == "logistic":
        estimator = make_pipeline(
            FunctionTransformer(_signed_log), StandardScaler(), LogisticRegression(max_iter=1000)
        )
    elif method == "boosting":
        estimator = HistGradientBoostingClassifier(random_state=random_state)
    else:
        raise ValueError(f"unknown method {method!r}")
    # OpenMP threads spin-wait: on a busy small machine one thread is many times faster.
    with threadpool_limits(1):
        estimator.fit(x_train, y_train)
        auc = float(roc_auc_score(y_test, estimator.predict_proba(x_test)[:, 1]))
    names = tuple(feature_names) or tuple(f"f{i}" for i in range(features.shape[1]))
    return ChurnModel(estimator, method, auc, len(y_train), len(y_test), names)


def predict_churn(model: ChurnModel, features: np.ndarray) -> np.ndarray:
    """Probability of churn per row."""
    with threadpool_limits(1):
        return model.estimator.predict_proba(np.asarray(features, dtype=np.float64))[:, 1]


def valuable_at_risk(
    value: np.ndarray, risk: np.ndarray, *, min_risk: float = 0.5, top: int = 50
) -> np.ndarray:
    """Indices of the most valuable customers whose risk is at least ``min_risk``, by
    value × risk (the value expected to be lost) descending."""
    value = np.asarray(value, dtype=np.float64)
    risk = np.asarray(risk, dtype=np.float64)
    candidates = np.flatnonzero((risk >= min_risk) & (value > 0))
    at_stake = value[candidates] * risk[candidates]
    order = np.lexsort((candidates, -at_stake))[:top]
    return candidates[order]
