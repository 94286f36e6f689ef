"""Pickers: one autocomplete for every place where a customer, contact, product, user or
document is chosen. Each app registers the kinds of records it owns from ``AppConfig.ready()``;
the widget (``guanxi.core.forms.PickerField``) and ``/api/pick/{kind}`` ask the kind, so every
picker offers only what its user may see:

    from guanxi.core.pickers import PickerKind, register

    register(PickerKind(
        key="customer", label=gettext_lazy("Customer"),
        search=lambda user, q, limit, params: [...],   # Choice rows the user may see
        find=lambda user, raw: ...))                     # the record for a posted value

``search(user, q, limit, params)`` answers ``Choice`` rows, best first; ``params`` are the
extra query values a picker sends (a customer's id for its contacts …). ``find(user, raw)``
returns the record a submitted value stands for (an id, or what the kind accepts when typed
without picking: a customer's exact name), or None when the user may not see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from guanxi.accounts.models import User


@dataclass
class Choice:
    id: int
    label: str  # what the picker's box shows once chosen
    detail: str = ""  # a second, quieter line: phone, customer, amount …
    url: str = ""


@dataclass(frozen=True)
class PickerKind:
    key: str
    label: Any  # lazily translated: "Customer"
    search: Callable[[User, str, int, Mapping[str, str]], list[Choice]]
    find: Callable[[User, Any], Any]
    describe: Callable[[Any], Choice] = field(
        default=lambda obj: Choice(id=obj.pk, label=str(obj)))
    placeholder: Any = ""
    scoped: bool = True  # False: every signed-in user may see every record (products)


_kinds: dict[str, PickerKind] = {}


def register(kind: PickerKind) -> PickerKind:
    _kinds[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    _kinds.pop(key, None)


@contextmanager
def added(kind: PickerKind) -> Iterator[PickerKind]:
    register(kind)
    try:
        yield kind
    finally:
        unregister(kind.key)


def get(key: str) -> PickerKind | None:
    return _kinds.get(key)


def keys() -> list[str]:
    return sorted(_kinds)


LIMIT = 50


def choices(user: User, key: str, q: str, limit: int = 10,
            params: Mapping[str, str] | None = None) -> list[Choice]:
    """What the picker of ``key`` offers ``user`` for ``q`` (nothing for an empty query)."""
    kind = _kinds[key]
    q = (q or "").strip()[:100]
    if not q:
        return []
    return kind.search(user, q, max(1, min(limit, LIMIT)), params or {})[:limit]


def find(user: User, key: str, raw: Any) -> Any:
    raw = str(raw or "").strip()
    if not raw:
        return None
    return _kinds[key].find(user, raw)


def by_id(qs: Any, raw: Any) -> Any:
    """The row of ``qs`` (a scoped queryset) whose id is ``raw``, or None."""
    raw = str(raw or "").strip()
    if not raw.isdigit() or len(raw) > 18:
        return None
    return qs.filter(pk=int(raw)).first()
