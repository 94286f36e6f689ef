"""The record types automation rules can act on, registered by the app that owns each one in
its ``AppConfig.ready()``; automation (in integrations) reads only this registry, so a new app's
records become rule triggers without a change there.

    register_target(AutomationTarget(
        key="orders.invoice", label=gettext_lazy("Invoice"), model="orders.Invoice",
        url=lambda invoice: reverse("orders:invoice", args=[invoice.pk])))

``key`` is what rules store and what the record's event types start with
(``orders.invoice.created``); ``model`` is the Django model (``app_label.ModelName``) whose rows
the events are about. Conditions may test the model's own fields (minus ``hidden``), plus the
computed ``values`` a target adds (``{"tags": (label, fn(record))}``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.utils.text import capfirst

# Never offered in conditions: internal bookkeeping, not facts about the record.
HIDDEN_FIELDS = frozenset({"id", "version", "custom", "name_key", "score_detail", "search_text"})


@dataclass(frozen=True)
class AutomationTarget:
    key: str  # "orders.invoice"
    label: Any  # lazy translated name, "Invoice"
    model: str  # "orders.Invoice"
    url: Callable[[Model], str] | None = None
    # Computed values conditions may test: name → (label, function of the record).
    values: dict[str, tuple[Any, Callable[[Model], Any]]] = field(default_factory=dict)
    hidden: frozenset[str] = frozenset()
    # Date-time fields offered although ``*_at`` ones are not (they change on every save).
    moments: frozenset[str] = frozenset()

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    @property
    def object_type(self) -> str:
        """How events name this record type: ``app_label.modelname``."""
        meta = self.model_class()._meta
        return f"{meta.app_label}.{meta.model_name}"

    def fields(self) -> list[tuple[str, str]]:
        """(name, label) of what conditions may test, custom fields not included."""
        hidden = HIDDEN_FIELDS | self.hidden
        out = [(f.name, capfirst(str(f.verbose_name)))
               for f in self.model_class()._meta.concrete_fields
               if f.name not in hidden and (not f.name.endswith("_at") or f.name in self.moments)]
        # A computed value of the same name (the stage's key, not its row) takes the field's place.
        out += [(name, capfirst(str(label))) for name, (label, _fn) in self.values.items()
                if name not in {n for n, _l in out}]
        return out

    def value(self, record: Model, name: str) -> Any:
        if name in self.values:
            return self.values[name][1](record)
        model_field = record._meta.get_field(name)
        if model_field.many_to_one:
            return getattr(record, model_field.attname)
        return getattr(record, name)

    def load(self, pk: str) -> Model | None:
        return self.model_class()._default_manager.filter(pk=pk).first()

    def url_of(self, record: Model) -> str:
        return self.url(record) if self.url is not None else ""


_targets: dict[str, AutomationTarget] = {}


def register_target(target: AutomationTarget) -> AutomationTarget:
    _targets[target.key] = target
    return target


def unregister_target(key: str) -> None:
    _targets.pop(key, None)


@contextmanager
def target_added(target: AutomationTarget) -> Iterator[AutomationTarget]:
    """Register ``target`` for the duration of a block (tests)."""
    register_target(target)
    try:
        yield target
    finally:
        unregister_target(target.key)


def targets() -> dict[str, AutomationTarget]:
    return dict(_targets)


def get_target(key: str) -> AutomationTarget | None:
    return _targets.get(key)


def target_for_object(object_type: str) -> AutomationTarget | None:
    """The target whose model an event names (``orders.salesorder`` → ``orders.order``)."""
    for target in _targets.values():
        if target.object_type == object_type:
            return target
    return None
