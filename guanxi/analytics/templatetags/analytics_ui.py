"""Readable names of the analytics keys (segments, lifecycle stages, value types)."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.analytics import labels

register = template.Library()


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


@register.filter
def model_label(key: str) -> str:
    return labels.model_label(key)


@register.filter
def run_stage_label(key: str) -> str:
    return labels.run_stage_label(key)


@register.filter
def fitted_parameters(values: Any) -> str:
    """A fitted model's parameters (r, α, a, b …) without its bookkeeping entries."""
    if not isinstance(values, dict):
        return ""
    from guanxi.core.templatetags.guanxi_ui import grouped

    skip = {"n_customers", "converged", "log_likelihood"}
    return " ".join(f"{k} {grouped(v, 4)}" for k, v in values.items()
                    if k not in skip and isinstance(v, int | float))
