"""What can be imported: a registry of kinds. A kind names its target fields (with the
Chinese and English headers that suggest them), cleans one row, gives the natural keys that
make two rows the same record, and writes a batch of clean rows.

Adding a kind (products, orders …) is one module defining a ``Kind`` subclass and one
``register`` call at its end; the upload, mapping, preview, run, resume, rejected-rows file,
pages, API and command work for it unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import Model
from django.utils.functional import Promise

from guanxi.accounts.models import Role, User


@dataclass(frozen=True)
class Target:
    key: str
    label: Promise | str
    synonyms: tuple[str, ...] = ()
    required: bool = False


@dataclass
class Item:
    """One data row on its way through a run."""

    row: int  # 1 = first data row after the header
    raw: list[str]
    data: dict[str, Any] = field(default_factory=dict)
    keys: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    dup_of: tuple[int, str] | None = None  # (earlier row, key kind) in the same file
    outcome: str = ""  # imported, updated, skipped (already in Guanxi), rejected
    object_id: int | None = None


class RowError(Exception):
    """A row that cannot be imported; the message is the reason shown to the user."""


class Kind:
    key: ClassVar[str]
    label: ClassVar[Promise | str]
    targets: ClassVar[tuple[Target, ...]]
    roles: ClassVar[tuple[str, ...]] = (Role.REP, Role.ASSISTANT, Role.MANAGER, Role.ADMIN)
    # Key kinds that can never be shared by two records, whatever the duplicate policy.
    unique_keys: ClassVar[frozenset[str]] = frozenset()
    # The models whose tables a big import of this kind grows (and looks duplicates up in).
    grows: ClassVar[tuple[type[Model], ...]] = ()

    def allowed(self, user: User) -> bool:
        return user.is_active and user.has_role(*self.roles)

    def context(self, actor: User) -> Any:
        """What cleaning needs from the database, loaded once per run."""
        return None

    def clean(self, ctx: Any, values: dict[str, str]) -> dict[str, Any]:
        """Cleaned data of one row, or RowError."""
        raise NotImplementedError

    def keys(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        """Natural keys of a clean row: two rows sharing one are the same record."""
        return []

    def write(self, ctx: Any, actor: User, items: list[Item], policy: str,
              job_id: int) -> dict[str, Any]:
        """Import the clean, not-yet-decided ``items`` of one batch inside the caller's
        transaction: set each item's outcome (and error when rejected). Returns what the
        batch's audit entry records."""
        raise NotImplementedError


REGISTRY: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    REGISTRY[kind.key] = kind
    return kind


def get_kind(key: str) -> Kind | None:
    _load()
    return REGISTRY.get(key)


def kinds() -> list[Kind]:
    _load()
    return list(REGISTRY.values())


def _load() -> None:
    from guanxi.integrations.services import (  # noqa: F401  (each module registers itself)
        imports_contacts,
        imports_customers,
        imports_products,
        imports_transactions,
    )


_FOLD_RE = re.compile(r"[\s_\-—–:：()（）/\\.*]+")


def _fold(text: str) -> str:
    return _FOLD_RE.sub("", str(text).lower())


def suggest_mapping(kind: Kind, headers: list[str]) -> dict[str, str]:
    """``{column index: field}`` from the header texts: a header equal to a field's key,
    label or synonym wins, then one that contains a synonym (longest first). Each field is
    suggested for one column at most."""
    exact: dict[str, str] = {}
    contained: list[tuple[str, str]] = []
    for target in kind.targets:
        words = {_fold(target.key), _fold(str(target.label)), *(_fold(s) for s in target.synonyms)}
        for word in words:
            exact.setdefault(word, target.key)
            contained.append((word, target.key))
    contained.sort(key=lambda pair: -len(pair[0]))
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for i, header in enumerate(headers):
        folded = _fold(header)
        choice = exact.get(folded)
        if choice is None or choice in used:
            choice = next((k for w, k in contained if len(w) > 1 and w in folded
                           and k not in used), None)
        if choice:
            mapping[str(i)] = choice
            used.add(choice)
    return mapping


def apply_template(kind: Kind, headers: list[str], template: dict[str, str]) -> dict[str, str]:
    """A saved ``{header text: field}`` mapping applied to this file's columns."""
    keys = {t.key for t in kind.targets}
    by_header = {_fold(h): f for h, f in template.items() if f in keys}
    return {str(i): by_header[_fold(h)] for i, h in enumerate(headers) if _fold(h) in by_header}


def row_values(mapping: dict[str, str], raw: list[str]) -> dict[str, str]:
    """The mapped cells of a row; a quote our export put before formula-like text comes off."""
    from guanxi.integrations.services.exports import restore

    values: dict[str, str] = {}
    for index, key in mapping.items():
        i = int(index)
        if key and i < len(raw):
            values[key] = restore(raw[i])
    return values
