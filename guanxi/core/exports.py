"""The registry of exportable lists. Each app registers its lists in ``ready()``: a key, a
label, the list's filter selector (the same ``filter_<list>(user, filters)`` its page and API
call, so an export holds exactly what the page shows), the columns, and who may export.
``integrations`` writes the files and serves the export page and API from this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.text import capfirst


@dataclass(frozen=True)
class Column:
    header: Promise | str
    value: Callable[[Any], Any]


def _everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class ListExport:
    key: str
    label: Promise | str
    model: type[Model]
    # The list's filter selector: scoped and filtered, bad filters raise FieldErrors.
    select: Callable[[Any, Mapping[str, Any]], QuerySet]
    columns: tuple[Column, ...]
    may_export: Callable[[Any], bool] = _everyone
    # Rows for the file: related rows to fetch, and a stable order.
    related: tuple[str, ...] = ()
    prefetch: tuple[Any, ...] = ()
    order_by: tuple[str, ...] = ("-id",)
    extra: dict[str, Any] = field(default_factory=dict)

    def rows(self, user: Any, params: Mapping[str, Any]) -> QuerySet:
        qs = self.select(user, params)
        if self.related:
            qs = qs.select_related(*self.related)
        if self.prefetch:
            qs = qs.prefetch_related(*self.prefetch)
        return qs.order_by(*self.order_by)


_REGISTRY: dict[str, ListExport] = {}


def register(entry: ListExport) -> None:
    """Add (or replace, on reload) a list; apps call this from ``ready()``."""
    _REGISTRY[entry.key] = entry


def lists() -> dict[str, ListExport]:
    return dict(_REGISTRY)


def get(key: str) -> ListExport | None:
    return _REGISTRY.get(key)


def field_columns(model: type[Model], names: tuple[str, ...]) -> tuple[Column, ...]:
    """Columns named by the model's own field labels; choices give their label."""
    out = []
    for name in names:
        f = model._meta.get_field(name)
        header = capfirst(f.verbose_name)
        if getattr(f, "choices", None):
            out.append(Column(header, lambda o, n=name: getattr(o, f"get_{n}_display")()))
        else:
            out.append(Column(header, lambda o, n=name: getattr(o, n)))
    return tuple(out)
