"""The "Value" card of the customer 360° page: the customer's current metrics, or nothing."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.analytics import labels
from guanxi.analytics.selectors import account_metrics

register = template.Library()


@register.simple_tag
def customer_value(user: Any, account: Any) -> dict[str, Any] | None:
    """The metrics of ``account`` from the current run with their readable names, or None."""
    metrics = account_metrics(user, account)
    if metrics is None:
        return None
    return {
        "m": metrics, "run": metrics.run,
        "segment": labels.segment_label(metrics.segment),
        "lifecycle": labels.lifecycle_label(metrics.lifecycle),
        "strategy": labels.lifecycle_strategy(metrics.lifecycle),
        "value_type": labels.value_type_label(metrics.value_type),
        "approach": labels.value_type_approach(metrics.value_type),
        "cluster": labels.cluster_label(metrics.cluster_label),
        "risk_class": "danger" if metrics.churn_risk >= 0.6 else
                      "warning" if metrics.churn_risk >= 0.3 else "success",
    }


@register.filter
def segment_label(key: str) -> str:
    return labels.segment_label(key)


@register.filter
def lifecycle_label(key: str) -> str:
    return labels.lifecycle_label(key)


@register.filter
def value_type_label(key: str) -> str:
    return labels.value_type_label(key)


@register.filter
def cluster_label(label: str) -> str:
    return labels.cluster_label(label)


@register.filter
def share(value: Any) -> str:
    """A fraction 0–1 as a whole percentage: 0.456 → 46%."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.0f}%"
