"""Reads shared by every app: custom field definitions and keyset pages for long lists."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db.models import F, Field, Model, Q, QuerySet
from django.utils.translation import gettext as _

from guanxi.accounts.models import Role
from guanxi.core.errors import FieldErrors
from guanxi.core.models import CustomFieldDefinition, DefaultView, SavedView

M = TypeVar("M", bound=Model)


def custom_fields(target: str | None = None, include_inactive: bool = False,
                  ) -> QuerySet[CustomFieldDefinition]:
    qs = CustomFieldDefinition.objects.all()
    if target:
        qs = qs.filter(target=target)
    return qs if include_inactive else qs.filter(active=True)


@dataclass
class Page:
    items: list[Any]
    next: str | None


def _encode(value: Any, pk: int) -> str:
    if isinstance(value, dt.datetime):
        value = {"dt": value.isoformat()}
    raw = json.dumps([value, pk], ensure_ascii=False, default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if isinstance(value, dict):
            value = dt.datetime.fromisoformat(value["dt"])
        return value, int(pk)
    except (ValueError, TypeError, KeyError):
        raise FieldErrors({"cursor": [_("This page link is invalid; start from the first "
                                        "page.")]}) from None


def _keyset_ordered(qs: QuerySet[M], sort: str, cursor: str | None) -> tuple[QuerySet[M], str]:
    desc = sort.startswith("-")
    name = sort.lstrip("-")
    # Sort keys are the model's own columns, never relations seen from the other side.
    nullable = cast(Field, qs.model._meta.get_field(name)).null
    # NULLS LAST only where values can be missing: on a NOT NULL column it keeps PostgreSQL
    # from reading the order off an index, and the first page sorted the whole table.
    nulls_last = True if nullable else None
    order = F(name).desc(nulls_last=nulls_last) if desc else F(name).asc(nulls_last=nulls_last)
    qs = qs.order_by(order, "-pk" if desc else "pk")
    if cursor:
        value, pk = _decode(cursor)
        after = "lt" if desc else "gt"
        if value is None:
            qs = qs.filter(Q(**{f"{name}__isnull": True, f"pk__{after}": pk}))
        else:
            cond = Q(**{f"{name}__{after}": value}) | Q(**{name: value, f"pk__{after}": pk})
            if nullable:
                cond |= Q(**{f"{name}__isnull": True})
            qs = qs.filter(cond)
    return qs, name


def keyset_page(qs: QuerySet[M], sort: str, cursor: str | None, limit: int) -> Page:
    """One page of ``qs`` ordered by ``sort`` (a field, ``-`` for descending) then id.

    Reads ``limit + 1`` rows after the cursor to know whether there is more: no COUNT(*)
    and no OFFSET, so page 1,000 of a million customers costs what page 1 costs. Nulls sort
    last in both directions, identically on SQLite and PostgreSQL.
    """
    qs, name = _keyset_ordered(qs, sort, cursor)
    rows = list(qs[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _encode(getattr(rows[-1], name), rows[-1].pk) if more else None)


def keyset_values(qs: QuerySet[M], sort: str, cursor: str | None, limit: int,
                  fields: tuple[str, ...]) -> Page:
    """``keyset_page`` read as dicts of ``fields`` (``owner__username`` reaches through a
    foreign key): the same order and cursors, without building a model instance per row,
    which is most of the time a fifty-row API page takes."""
    qs, name = _keyset_ordered(qs, sort, cursor)
    columns = tuple(dict.fromkeys(("id", name, *fields)))
    rows = list(qs.values(*columns)[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _encode(rows[-1][name], rows[-1]["id"]) if more else None)


# --- Saved list views ------------------------------------------------------------------------

def visible_views(user: Any, list_key: str) -> QuerySet[SavedView]:
    """The user's own views of the list, those shared with their team or a team above it,
    and (managers) those shared with a team they manage."""
    if not getattr(user, "is_authenticated", False):
        return SavedView.objects.none()
    scope = Q(owner=user)
    team = user.team if user.team_id else None
    if team is not None:
        above = [int(part) for part in team.path.strip("/").split("/") if part]
        scope |= Q(team_id__in=above or [team.pk])
    if user.has_role(Role.MANAGER, Role.ADMIN):
        scope |= (Q(team__isnull=False) if user.has_role(Role.ADMIN)
                  else Q(team_id__in=user.team_subtree_ids))
    return SavedView.objects.filter(scope, list_key=list_key).order_by("name", "id")


def default_view(user: Any, list_key: str) -> SavedView | None:
    """The user's default view of the list, if it is still visible to them."""
    row = DefaultView.objects.filter(user=user, list_key=list_key).values_list(
        "view_id", flat=True).first()
    if row is None:
        return None
    return visible_views(user, list_key).filter(pk=row).first()
