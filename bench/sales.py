"""Sales scenarios of ``guanxi bench``: the navigation badge of waiting support requests, the
kanban board (page and API) for a rep, a manager and an administrator, and the forecast and
funnel (pages, API, and the figures alone) for a manager and an administrator; and growing the
database to N opportunities first.

Opportunities are bulk-loaded like the demo's customers (``guanxi.demo.sales_bulk``: worker
processes make the rows, COPY on PostgreSQL, executemany on SQLite), each with the stage
change rows of its walk through the pipeline, created over the last ``SPAN_DAYS`` days.
"""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from bench.scenarios import Scenario
from guanxi.accounts.models import User
from guanxi.demo import sales_bulk
from guanxi.demo.org import DemoOrg
from guanxi.sales.models import Opportunity, StageChange
from guanxi.sales.selectors import forecast as figures
from guanxi.sales.selectors import opportunities as opp_selectors
from guanxi.sales.selectors import work as work_selectors
from guanxi.sales.services.opportunities import default_pipeline

SPAN_DAYS = 3 * 365  # a million opportunities are three years of a large sales force


def grow(org: DemoOrg, target: int, say: Callable[[str], None]) -> None:
    """Add bulk opportunities until there are ``target``."""
    have = Opportunity.objects.count()
    if have >= target:
        return
    missing = target - have
    say(f"Growing the database from {have:,} to {target:,} opportunities …")
    ctx = sales_bulk.context(org, span_days=SPAN_DAYS)
    sales_bulk.load(ctx, missing, progress=lambda n: say(f"  {n:,} / {missing:,}")
                    if n % 100_000 == 0 or n == missing else None)
    sales_bulk.analyze()


def counts() -> dict[str, int]:
    return {"opportunities": Opportunity.objects.count(),
            "stage_changes": StageChange.objects.order_by("-id").values_list(
                "id", flat=True).first() or 0}


def _get(client: Client, path: str, params: dict | None = None,
         accept: str = "text/html") -> Callable[[], object]:
    def call() -> object:
        response = client.get(path, params or {}, HTTP_ACCEPT=accept)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return response
    return call


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def board_scenarios(user: User, label: str) -> list[Scenario]:
    client = _client(user)
    default = default_pipeline()
    return [
        Scenario(f"board query only ({label})",
                 [lambda: opp_selectors.board(user, default)],
                 "selector: stage totals + first cards of each column"),
        Scenario(f"board page ({label})", [_get(client, reverse("sales:board"))],
                 "sales:board, every column"),
        Scenario(f"board API ({label})", [_get(client, "/api/opportunities/board")],
                 "GET /api/opportunities/board"),
    ]


def figure_scenarios(user: User, label: str) -> list[Scenario]:
    client = _client(user)
    month = figures.parse_filters(user, {})
    quarter = figures.parse_filters(user, {"period": "quarter"})
    funnel = figures.parse_filters(user, {}, kind="funnel")
    return [
        Scenario(f"forecast query only ({label})",
                 [lambda: figures.forecast(user, month), lambda: figures.forecast(user, quarter)],
                 "selector, 12 months / 7 quarters in turn"),
        Scenario(f"funnel query only ({label})", [lambda: figures.funnel(user, funnel)],
                 "selector, last 12 months"),
        Scenario(f"forecast page ({label})", [_get(client, reverse("sales:forecast"))]),
        Scenario(f"funnel page ({label})", [_get(client, reverse("sales:funnel"))]),
        Scenario(f"forecast API ({label})", [_get(client, "/api/forecast",
                                                  accept="application/json")]),
        Scenario(f"funnel API ({label})", [_get(client, "/api/funnel",
                                                accept="application/json")]),
    ]


def badge_scenarios(users: dict[str, User]) -> list[Scenario]:
    return [Scenario(f"support badge ({label})",
                     [lambda user=user: work_selectors.pending_support_count(user)],
                     "navigation count of requests waiting for a decision, every page")
            for label, user in users.items()]


def scenarios(admin: User, rep: User, manager: User) -> list[Scenario]:
    return [*badge_scenarios({"manager": manager, "admin": admin}),
            *board_scenarios(rep, "rep"), *board_scenarios(manager, "manager"),
            *board_scenarios(admin, "admin"),
            *figure_scenarios(manager, "manager"), *figure_scenarios(admin, "admin")]
