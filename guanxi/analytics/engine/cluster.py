"""Behaviour segmentation: k-means on log1p-transformed, standardised features, k chosen by
silhouette, each cluster described in words from its centroid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np


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


def cluster_customers(
    features: Mapping[str, np.ndarray],
    *,
    k_range: tuple[int, int] = (2, 8),
    sample_size: int = 10_000,
    random_state: int = 0,
) -> ClusterResult:
    """Cluster customers on named features, e.g. ``{"recency": …, "frequency": …,
    "monetary": …, "tenure": …}`` (non-negative; recency in days since last purchase)."""
    raise NotImplementedError
