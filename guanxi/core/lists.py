"""The registry of record lists, and what every list page shares: saved views, bulk actions,
inline edits and the row count.

Each app registers its lists in ``ready()``: a key, the list's ONE filter selector (the
``filter_<list>(user, params)`` its page, API and export call), its columns (label, the field
it sorts by and the index that serves that order), the bulk actions (a callable per row that
goes through the app's service, so the service's permission check refuses what the user may
not do) and the fields that may be edited in a cell. Core never imports the apps: it calls
what they registered.

A saved view is the list's query string (filters, ``sort``, ``cols``, ``density``), so it can
be applied by any reader of the same selector — the page, the API, an export, and later a
marketing segment.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError, FieldErrors, NotFound

#: Below this many rows a list shows the exact count; above it, the database's estimate
#: (PostgreSQL's planner) or "1,000+" (SQLite): never a COUNT(*) over every row. The same
#: figure as BULK_LIMIT: "select all that match" is exact wherever it acts on every match.
COUNT_EXACT_UP_TO = 1_000
#: The most rows one bulk action touches ("all that match" included).
BULK_LIMIT = 1_000
#: Query-string names that are not filters and never go into a saved view.
NOT_SAVED = ("page", "cursor", "after", "view", "format", "csrfmiddlewaretoken", "ids", "all")


def _everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class ListColumn:
    key: str
    label: Promise | str
    #: The expression the column sorts by (None: not sortable).
    sort: str | None = None
    #: The index that serves that order: a column is only sortable where one exists, so a
    #: sorted page reads 50 rows off an index instead of sorting every row.
    index: str = ""
    #: Hidden unless the user's columns or view asks for it.
    default: bool = True


@dataclass(frozen=True)
class BulkAction:
    key: str
    label: Promise | str
    #: Applies the action to one row through the app's service; raises a DomainError (a
    #: refusal, a conflict, bad input) for a row it does not change.
    run: Callable[[Any, Any, Mapping[str, Any]], Any]
    #: Whether the page offers the action to the user (the service still decides per row).
    may: Callable[[Any], bool] = _everyone
    #: The input the action needs: "" (none), "text" or "choice".
    needs: str = ""
    #: For "choice": the options offered to ``user`` (value, label).
    choices: Callable[[Any], list[tuple[Any, Any]]] | None = None
    icon: str = "lightning"


@dataclass(frozen=True)
class InlineField:
    """A cell the user edits in place: ``save(user, obj, value, version)`` goes through the
    service (its permission and version checks) and returns the saved object."""

    name: str
    save: Callable[[Any, Any, str, int], Any]
    shown: Callable[[Any], str] = lambda obj: ""


@dataclass(frozen=True)
class ListDefinition:
    key: str
    label: Promise | str
    model: type[Model]
    #: The list's filter selector, scoped to what the user sees; bad filters raise FieldErrors.
    select: Callable[[Any, Mapping[str, Any]], QuerySet]
    url_name: str
    columns: tuple[ListColumn, ...] = ()
    bulk_actions: tuple[BulkAction, ...] = ()
    inline: tuple[InlineField, ...] = ()
    row_label: Callable[[Any], str] = str
    #: Whether the page draws the columns the user chooses (else its own fixed ones).
    choose_columns: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, key: str) -> ListColumn | None:
        return next((c for c in self.columns if c.key == key), None)

    def sorts(self) -> dict[str, str]:
        return {c.key: c.sort for c in self.columns if c.sort}

    def chosen_columns(self, params: Mapping[str, Any]) -> list[ListColumn]:
        """The columns in the order ``cols`` names them (unknown names skipped), or the
        defaults. The first column (the record's name) always stays."""
        raw = str(params.get("cols") or "")
        keys = [k for k in dict.fromkeys(raw.split(",")) if self.column(k)]
        if not keys:
            return [c for c in self.columns if c.default]
        first = self.columns[0]
        chosen = [c for k in keys if (c := self.column(k)) is not None and c is not first]
        return [first, *chosen]

    def actions_for(self, user: Any) -> list[BulkAction]:
        return [a for a in self.bulk_actions if a.may(user)]

    def action(self, key: str) -> BulkAction | None:
        return next((a for a in self.bulk_actions if a.key == key), None)

    def inline_field(self, name: str) -> InlineField | None:
        return next((f for f in self.inline if f.name == name), None)


_REGISTRY: dict[str, ListDefinition] = {}


def register(definition: ListDefinition) -> None:
    """Add (or replace, on reload) a list; apps call this from ``ready()``."""
    _REGISTRY[definition.key] = definition


def get(key: str) -> ListDefinition:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise NotFound() from None


def registered() -> dict[str, ListDefinition]:
    return dict(_REGISTRY)


# --- Count -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowCount:
    value: int
    #: "exact", "estimate" (the planner's figure) or "more" (at least ``value``).
    kind: str

    @property
    def exact(self) -> bool:
        return self.kind == "exact"


def _planner_estimate(qs: QuerySet) -> int:
    """PostgreSQL's estimate of the rows ``qs`` returns (planning only, nothing read)."""
    connection = connections[qs.db]
    try:
        sql, params = qs.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (a search with no hits)
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def count_rows(qs: QuerySet, exact_up_to: int = COUNT_EXACT_UP_TO) -> RowCount:
    """How many rows ``qs`` holds: exact while there are at most ``exact_up_to`` (a count
    that stops there), else PostgreSQL's estimate for the query, else "more than". On
    PostgreSQL a plan far above the threshold skips the count altogether: the estimate is
    all the page would show."""
    estimate = None
    if connections[qs.db].vendor == "postgresql":
        estimate = _planner_estimate(qs)
        if estimate > 4 * exact_up_to:
            return RowCount(estimate, "estimate")
    bounded = qs.order_by()[:exact_up_to + 1].count()
    if bounded <= exact_up_to:
        return RowCount(bounded, "exact")
    if estimate is not None and estimate > exact_up_to:
        return RowCount(estimate, "estimate")
    return RowCount(exact_up_to, "more")


# --- Bulk actions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RowResult:
    pk: int
    label: str
    ok: bool
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.pk, "label": self.label, "ok": self.ok, "message": self.message}


def run_bulk(user: Any, definition: ListDefinition, action_key: str, *,
             ids: list[int] | None = None, params: Mapping[str, Any] | None = None,
             value: Any = None) -> list[RowResult]:
    """Apply one bulk action to the rows ``ids`` (or every row matching ``params``, up to
    BULK_LIMIT) that ``user`` sees through the list's selector. Each row is its own
    transaction: a refused row is reported and the others still change."""
    action = definition.action(action_key)
    # ``may`` only decides what the page offers: the service's permission check answers for
    # each row, so a refused row says why.
    if action is None:
        raise FieldErrors({"action": [_("Choose an action.")]})
    if action.needs and value in (None, ""):
        raise FieldErrors({"value": [_("This field is required.")]})
    qs = definition.select(user, params or {})
    if ids is not None:
        if not ids:
            raise FieldErrors({"ids": [_("Select at least one row.")]})
        qs = qs.filter(pk__in=ids[:BULK_LIMIT])
    rows = list(qs.order_by("pk")[:BULK_LIMIT])
    found = {row.pk for row in rows}
    results = []
    for row in rows:
        try:
            with transaction.atomic():
                action.run(user, row, {"value": value})
        except DomainError as exc:
            results.append(RowResult(row.pk, definition.row_label(row), False, exc.message))
        else:
            results.append(RowResult(row.pk, definition.row_label(row), True))
    for pk in (ids or []):
        if pk not in found:
            results.append(RowResult(pk, f"#{pk}", False, _("Not found.")))
    return results
