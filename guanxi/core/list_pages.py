"""What every list page does the same way: apply a saved view to the query string, and give
the shared include (``core/_list_tools.html``) its context — the views, the chosen columns,
the density, the bulk actions, the row count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, QueryDict

from guanxi.core import lists, selectors
from guanxi.core import permissions as perms
from guanxi.core.models import DefaultView, SavedView


@dataclass
class ListState:
    """The list's effective query string: the saved view's (``?view=<id>``, or the user's
    default when the address names nothing) overridden by what the address says."""

    definition: lists.ListDefinition
    params: QueryDict
    view: SavedView | None
    views: list[SavedView]

    @classmethod
    def read(cls, request: HttpRequest, key: str) -> ListState:
        definition = lists.get(key)
        user = request.user
        # One query for the views and which one is the user's default.
        views = list(selectors.visible_views(user, key).select_related("team").annotate(
            is_default=Exists(DefaultView.objects.filter(user=user, list_key=key,
                                                         view=OuterRef("pk")))))
        view: SavedView | None = None
        raw = request.GET.get("view", "")
        if raw.isdigit():
            view = next((v for v in views if v.pk == int(raw)), None)
        elif not request.GET:
            view = next((v for v in views if v.is_default), None)
        params = QueryDict(mutable=True)
        if view is not None:
            for name, value in view.params.items():
                params[name] = value
        for name in request.GET:
            if name != "view":
                params.setlist(name, request.GET.getlist(name))
        if view is not None:
            params["view"] = str(view.pk)
        return cls(definition, params, view, views)

    @property
    def filtered(self) -> bool:
        return any(v for k, v in self.params.items()
                   if k not in ("sort", "page", "view", "cols", "density"))

    def context(self, request: HttpRequest, qs: QuerySet | None) -> dict[str, Any]:
        """The shared include's context; ``qs`` (the filtered rows) gives the count."""
        user = request.user
        columns = self.definition.chosen_columns(self.params)
        chosen = {c.key for c in columns}
        team_id = getattr(user, "team_id", None)
        saved = self.params.copy()
        for name in lists.NOT_SAVED:
            saved.pop(name, None)
        return {
            "list_def": self.definition,
            "list_columns": columns,
            "list_other_columns": [c for c in self.definition.columns if c.key not in chosen],
            "list_cols_param": ",".join(c.key for c in columns),
            "list_density": self.params.get("density") or "comfortable",
            "list_view": self.view,
            "list_views": self.views,
            "list_query": saved.urlencode(),
            "list_actions": [{"key": a.key, "label": a.label, "needs": a.needs, "icon": a.icon,
                              "choices": a.choices(user) if a.choices else []}
                             for a in self.definition.actions_for(user)],
            "list_count": lists.count_rows(qs) if qs is not None else None,
            "list_can_share": team_id is not None and perms.can_share_view(user, team_id),
            "list_editable_views": {v.pk for v in self.views if perms.can_edit_view(user, v)},
        }
