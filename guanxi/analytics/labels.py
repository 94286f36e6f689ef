"""Names a manager reads for the engine's keys: segments, lifecycle stages with their
strategy, value types with their approach, cluster descriptions. The engine marks its
English msgids; they are translated here, in the reader's language. Unknown keys (a segment
an administrator added to the segment map) show as written."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.engine.lifecycle import STAGE_LABELS, STAGE_STRATEGIES
from guanxi.analytics.engine.rfm import SEGMENT_LABELS, UNSEGMENTED
from guanxi.analytics.engine.valuematrix import TYPE_APPROACHES, TYPE_LABELS

OTHER = _("Other")


def _shown(key: str) -> str:
    return (key or "").replace("_", " ").capitalize()


def segment_label(key: str) -> str:
    if key == UNSEGMENTED:
        return str(OTHER)
    return gettext(SEGMENT_LABELS[key]) if key in SEGMENT_LABELS else _shown(key)


def segment_choices() -> list[tuple[str, str]]:
    return [(k, gettext(v)) for k, v in SEGMENT_LABELS.items()]


def lifecycle_label(key: str) -> str:
    return gettext(STAGE_LABELS[key]) if key in STAGE_LABELS else _shown(key)


def lifecycle_strategy(key: str) -> str:
    return gettext(STAGE_STRATEGIES[key]) if key in STAGE_STRATEGIES else ""


def lifecycle_choices() -> list[tuple[str, str]]:
    return [(k, gettext(v)) for k, v in STAGE_LABELS.items()]


def value_type_label(key: str) -> str:
    return gettext(TYPE_LABELS[key]) if key in TYPE_LABELS else _shown(key)


def value_type_approach(key: str) -> str:
    return gettext(TYPE_APPROACHES[key]) if key in TYPE_APPROACHES else ""


def value_type_choices() -> list[tuple[str, str]]:
    return [(k, gettext(v)) for k, v in TYPE_LABELS.items()]


def cluster_label(label: str) -> str:
    """The engine describes clusters with English msgids; show them in the reader's language."""
    return gettext(label) if label else ""


MODEL_LABELS = {
    "bgnbd": _("BG/NBD model"),
    "paretonbd": _("Pareto/NBD model"),
    "gammagamma": _("Gamma-Gamma spend model"),
}
RUN_STAGES = {
    "read": _("reading transactions"),
    "summary": _("summarising customers"),
    "fit": _("fitting the models"),
    "predict": _("predicting value"),
    "models": _("segments and clusters"),
    "write": _("saving the results"),
    "done": _("done"),
}


def model_label(key: str) -> str:
    """A purchase or spend model by its name: bgnbd → BG/NBD model."""
    return str(MODEL_LABELS.get(key or "", key or ""))


def run_stage_label(key: str) -> str:
    return str(RUN_STAGES.get(key or "", _shown(key)))
