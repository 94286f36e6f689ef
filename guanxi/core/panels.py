"""Plug-in points for pages: a lower app owns a page (the customer's 360° view, the home page,
an opportunity) and declares a ``PanelRegistry`` for it; higher apps add their panels from their
``AppConfig.ready()``. The page renders what is registered, in order, and never names the apps
that filled it, so nothing in a lower layer reaches up to a higher one.

A panel is a template, an optional loader (``load(request, obj) -> context``) that reads what
the template shows, a slot (where on the page) with an order inside it, and an optional
predicate (``visible(user, obj)``) saying who sees it. Loaders run in the view, once per
request, so the page's query count is the sum of its panels' and stays testable.

    from guanxi.customers.pages import account_page
    account_page.register(Panel("sales.opportunities", "sales/_account_opportunities.html",
                                slot="main", order=20, load=load_opportunities))

Templates show a slot with ``{% for p in panels.main %}{% render_panel p %}{% endfor %}``
(``guanxi_ui``): each panel sees the page's context plus what its loader returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from django.http import HttpRequest

Loader = Callable[[HttpRequest, Any], dict[str, Any]]
Predicate = Callable[[Any, Any], bool]
#: ``count(user)``: an expression counting, for the page's record (``OuterRef("pk")``), the
#: rows the panel lists; all of a page's counts are read in one query (``count_of``).
Counter = Callable[[Any], Any]


def count_of(qs: Any, field: str = "account") -> Any:
    """A subquery counting the rows of ``qs`` (already scoped to the user) whose ``field``
    is the page's record: a panel's ``count``."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    rows = (qs.filter(**{field: OuterRef("pk")}).order_by().values(field)
            .annotate(n=Count("pk", distinct=True)).values("n")[:1])
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class Panel:
    name: str  # unique in its registry: "<app>.<what>", e.g. "sales.opportunities"
    template: str
    slot: str = "main"
    order: int = 100
    load: Loader | None = None
    visible: Predicate | None = None
    tab: Any = None  # label of its tab, for pages that show a slot as tabs
    count: Counter | None = None


@dataclass(frozen=True)
class BoundPanel:
    """A panel ready to render on one request: its template and its loader's context."""
    panel: Panel
    context: dict[str, Any] = field(default_factory=dict)
    count: int | None = None

    @property
    def template(self) -> str:
        return self.panel.template

    @property
    def name(self) -> str:
        return self.panel.name


class PanelRegistry:
    def __init__(self, page: str, slots: tuple[str, ...]) -> None:
        self.page = page
        self.slots = slots
        self._panels: dict[str, Panel] = {}

    def register(self, panel: Panel) -> Panel:
        """Add ``panel`` (or replace the one of the same name: ``ready()`` may run twice)."""
        if panel.slot not in self.slots:
            raise ValueError(f"{self.page} has no slot {panel.slot!r}; slots: {self.slots}")
        self._panels[panel.name] = panel
        return panel

    def unregister(self, name: str) -> None:
        self._panels.pop(name, None)

    @contextmanager
    def added(self, panel: Panel) -> Iterator[Panel]:
        """Register ``panel`` for the duration of a block (tests)."""
        previous = self._panels.get(panel.name)
        self.register(panel)
        try:
            yield panel
        finally:
            if previous is None:
                self.unregister(panel.name)
            else:
                self._panels[panel.name] = previous

    def panels(self, slot: str | None = None) -> list[Panel]:
        found = [p for p in self._panels.values() if slot is None or p.slot == slot]
        return sorted(found, key=lambda p: (p.order, p.name))

    def bind(self, request: HttpRequest, obj: Any = None) -> dict[str, list[BoundPanel]]:
        """The panels ``request.user`` may see on ``obj``'s page, loaded, by slot."""
        out: dict[str, list[BoundPanel]] = {slot: [] for slot in self.slots}
        for panel in self.panels():
            if panel.visible is not None and not panel.visible(request.user, obj):
                continue
            context = panel.load(request, obj) if panel.load is not None else {}
            out[panel.slot].append(BoundPanel(panel, context))
        return self._counted(request, obj, out)

    def _counted(self, request: HttpRequest, obj: Any,
                 out: dict[str, list[BoundPanel]]) -> dict[str, list[BoundPanel]]:
        """The panels' counts, all in one query on ``obj``."""
        counted = [(slot, i, bound) for slot, bound_panels in out.items()
                   for i, bound in enumerate(bound_panels) if bound.panel.count is not None]
        if not counted or obj is None or getattr(obj, "pk", None) is None:
            return out
        exprs = {f"n{n}": bound.panel.count(request.user)
                 for n, (_slot, _i, bound) in enumerate(counted)}
        row = type(obj)._default_manager.filter(pk=obj.pk).annotate(**exprs) \
            .values(*exprs).first() or {}
        for n, (slot, i, bound) in enumerate(counted):
            out[slot][i] = replace(bound, count=row.get(f"n{n}"))
        return out
