"""Behaviour segmentation: k-means on log1p-transformed, standardised features, k chosen by
silhouette, each cluster described in words from its centroid.

k is chosen on a random sample (``sample_size`` customers): k-means with each k in
``k_range`` and the silhouette score on that sample; the best k is then fitted on all
customers, started from the sample's centres. A cluster's words come from its centroid in
standardised units (0 = the overall mean of the log-transformed feature): above +0.5 is
high, below −0.5 low. High recency (days since the last purchase) reads "lapsed", low
"active"; frequency "frequent"/"occasional"; monetary "big spenders"/"small buyers".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from guanxi.analytics.engine.i18n import gettext_noop

HIGH = 0.5
SILHOUETTE_SAMPLE = 4000  # silhouette is quadratic in the rows it scores

CLUSTER_LABELS: dict[str, str] = {
    "active-frequent-big": gettext_noop("Active frequent big spenders"),
    "active-frequent-small": gettext_noop("Active frequent small buyers"),
    "active-frequent-average": gettext_noop("Active frequent buyers"),
    "active-occasional-big": gettext_noop("Active occasional big spenders"),
    "active-occasional-small": gettext_noop("Active occasional small buyers"),
    "active-occasional-average": gettext_noop("Active occasional buyers"),
    "active-regular-big": gettext_noop("Active big spenders"),
    "active-regular-small": gettext_noop("Active small buyers"),
    "active-regular-average": gettext_noop("Active average customers"),
    "lapsed-frequent-big": gettext_noop("Lapsed frequent big spenders"),
    "lapsed-frequent-small": gettext_noop("Lapsed frequent small buyers"),
    "lapsed-frequent-average": gettext_noop("Lapsed frequent buyers"),
    "lapsed-occasional-big": gettext_noop("Lapsed occasional big spenders"),
    "lapsed-occasional-small": gettext_noop("Lapsed occasional small buyers"),
    "lapsed-occasional-average": gettext_noop("Lapsed occasional buyers"),
    "lapsed-regular-big": gettext_noop("Lapsed big spenders"),
    "lapsed-regular-small": gettext_noop("Lapsed small buyers"),
    "lapsed-regular-average": gettext_noop("Lapsed average customers"),
    "steady-frequent-big": gettext_noop("Frequent big spenders"),
    "steady-frequent-small": gettext_noop("Frequent small buyers"),
    "steady-frequent-average": gettext_noop("Frequent buyers"),
    "steady-occasional-big": gettext_noop("Occasional big spenders"),
    "steady-occasional-small": gettext_noop("Occasional small buyers"),
    "steady-occasional-average": gettext_noop("Occasional buyers"),
    "steady-regular-big": gettext_noop("Big spenders"),
    "steady-regular-small": gettext_noop("Small buyers"),
    "steady-regular-average": gettext_noop("Average customers"),
}


@dataclass(frozen=True)
class ClusterDescription:
    key: str  # stable, e.g. "lapsed-frequent-big"
    label: str  # English msgid, e.g. "Lapsed frequent big spenders"
    size: int
    share: float
    centroid: dict[str, float]  # per feature, in original units (median of the members)
    z: dict[str, float]  # centroid relative to the overall mean, in standard deviations


@dataclass(frozen=True)
class ClusterResult:
    labels: np.ndarray  # cluster index per customer
    k: int
    silhouette: float
    silhouette_by_k: dict[int, float]
    clusters: list[ClusterDescription] = field(default_factory=list)


def _level(z: float, high: str, low: str, middle: str) -> str:
    return high if z > HIGH else low if z < -HIGH else middle


def describe(z: Mapping[str, float]) -> str:
    """Stable key of a cluster from its standardised centroid."""
    recency = _level(z.get("recency", 0.0), "lapsed", "active", "steady")
    frequency = _level(z.get("frequency", 0.0), "frequent", "occasional", "regular")
    spend = _level(z.get("monetary", 0.0), "big", "small", "average")
    return f"{recency}-{frequency}-{spend}"


def _standardise(features: Mapping[str, np.ndarray]) -> np.ndarray:
    matrix = np.log1p(np.maximum(np.column_stack([features[k] for k in features]), 0.0))
    std = matrix.std(axis=0)
    return (matrix - matrix.mean(axis=0)) / np.where(std > 0, std, 1.0)


def cluster_customers(
    features: Mapping[str, np.ndarray],
    *,
    k_range: tuple[int, int] = (2, 8),
    sample_size: int = 10_000,
    random_state: int = 0,
) -> ClusterResult:
    """Cluster customers on named features, e.g. ``{"recency": …, "frequency": …,
    "monetary": …, "tenure": …}`` (non-negative; recency in days since last purchase).

    ``k_range`` is inclusive. Needs more customers than the smallest k. Runs
    single-threaded: OpenMP threads spin-wait, and on a busy small machine one thread is
    many times faster.
    """
    with threadpool_limits(1):
        return _cluster(features, k_range, sample_size, random_state)


def _cluster(
    features: Mapping[str, np.ndarray],
    k_range: tuple[int, int],
    sample_size: int,
    random_state: int,
) -> ClusterResult:
    names = list(features)
    raw = np.column_stack([np.asarray(features[k], dtype=np.float64) for k in names])
    n = len(raw)
    k_min, k_max = k_range
    if n <= k_min:
        raise ValueError("too few customers to cluster")
    data = _standardise(features)
    rng = np.random.default_rng(random_state)
    sample = data[rng.choice(n, sample_size, replace=False)] if n > sample_size else data
    scores: dict[int, float] = {}
    centres: dict[int, np.ndarray] = {}
    for k in range(k_min, min(k_max, len(sample) - 1) + 1):
        model = KMeans(n_clusters=k, n_init=4, random_state=random_state).fit(sample)
        if len(np.unique(model.labels_)) < 2:
            continue
        scores[k] = float(silhouette_score(
            sample, model.labels_, sample_size=min(len(sample), SILHOUETTE_SAMPLE),
            random_state=random_state,
        ))
        centres[k] = model.cluster_centers_
    if not scores:
        raise ValueError("customers do not form distinct clusters")
    best = max(scores, key=lambda k: scores[k])
    final = KMeans(n_clusters=best, init=centres[best], n_init=1, max_iter=100).fit(data)
    labels = final.labels_
    sizes = np.bincount(labels, minlength=best)
    clusters = []
    for c in range(best):
        members = labels == c
        z = dict(zip(names, map(float, final.cluster_centers_[c]), strict=True))
        key = describe(z)
        clusters.append(ClusterDescription(
            key=key,
            label=CLUSTER_LABELS[key],
            size=int(sizes[c]),
            share=float(sizes[c] / n),
            centroid={
                name: float(np.median(raw[members, i])) if members.any() else float("nan")
                for i, name in enumerate(names)
            },
            z=z,
        ))
    return ClusterResult(labels, best, scores[best], scores, clusters)
