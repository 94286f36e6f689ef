"""API: the forecast (weighted pipeline by period, rep and team; won against forecast) and the
funnel (stage conversion, win rate, sales cycle, loss reasons, lead conversion). Every figure
is limited to the opportunities and leads the caller may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from guanxi.core.schemas import Id
from guanxi.sales.selectors import forecast as selectors

router = Router(tags=["forecast"])


class FigureFilters(Schema):
    pipeline: Id | None = Field(None, description="A pipeline id; default: the default one")
    team: Id | None = Field(None, description="A team id; includes the teams below it")
    owner: Id | None = Field(None, description="A user id")
    period: Literal["month", "quarter"] = "month"
    date_from: dt.date | None = Field(None, alias="from",
                                      description="First day (moved to its period's start)")
    date_to: dt.date | None = Field(None, alias="to", description="Last day")


class PeriodOut(Schema):
    key: str
    start: dt.date
    end: dt.date


class StageSeries(Schema):
    id: int
    key: str
    label: str
    probability: int
    weighted: list[Decimal] = Field(description="Σ amount × probability per period")
    count: list[int]


class Figures(Schema):
    count: int
    amount: Decimal
    weighted: Decimal
    commit: Decimal
    best_case: Decimal
    won_count: int
    won: Decimal


class RepRow(Figures):
    id: int | None
    name: str


class TeamRow(Figures):
    id: int | None
    name: str
    depth: int


class FiltersOut(Schema):
    pipeline: int
    period: str
    date_from: dt.date
    date_to: dt.date
    team: int | None
    owner: int | None


class ForecastOut(Schema):
    filters: FiltersOut
    periods: list[PeriodOut]
    stages: list[StageSeries]
    open_weighted: list[Decimal]
    won: list[Decimal]
    won_count: list[int]
    forecast: list[Decimal] = Field(description="closed won + weighted open, per period")
    totals: Figures
    by_rep: list[RepRow]
    by_team: list[TeamRow]


class FunnelStepOut(Schema):
    id: int
    key: str
    label: str
    kind: str
    reached: int
    conversion: Decimal | None = Field(description="% of those reaching it that reached the next")
    of_first: Decimal | None


class WinRateOut(Schema):
    won: int
    lost: int
    rate: Decimal | None
    won_amount: Decimal
    lost_amount: Decimal


class ReasonOut(Schema):
    key: str
    label: str
    count: int
    amount: Decimal


class LeadConversionOut(Schema):
    key: str
    label: str
    leads: int
    converted: int
    won: int
    conversion: Decimal | None
    win: Decimal | None


class FunnelOut(Schema):
    filters: FiltersOut
    steps: list[FunnelStepOut]
    win_rate: WinRateOut
    cycle_days: Decimal | None = Field(description="Average days from creation to won")
    loss_reasons: list[ReasonOut]
    by_source: list[LeadConversionOut]
    by_timeframe: list[LeadConversionOut]


def _filters(request: HttpRequest, q: FigureFilters, kind: str) -> selectors.Filters:
    params = {"pipeline": q.pipeline, "team": q.team, "owner": q.owner, "period": q.period,
              "from": q.date_from, "to": q.date_to}
    return selectors.parse_filters(
        request.auth, {k: str(v) for k, v in params.items() if v is not None}, kind=kind)


def _filters_out(f: selectors.Filters) -> dict[str, Any]:
    return {"pipeline": f.pipeline.pk, "period": f.period, "date_from": f.date_from,
            "date_to": f.date_to, "team": f.team.pk if f.team else None,
            "owner": f.owner.pk if f.owner else None}


@router.get("/forecast", response=ForecastOut)
def forecast(request: HttpRequest, q: Query[FigureFilters]):
    """Weighted pipeline of open opportunities by expected close, per stage and period, closed
    won per period, and the same by rep and by team (a team's row includes the teams below)."""
    f = _filters(request, q, "forecast")
    return {"filters": _filters_out(f), **selectors.forecast(request.auth, f)}


@router.get("/funnel", response=FunnelOut)
def funnel(request: HttpRequest, q: Query[FigureFilters]):
    """Stage conversion of opportunities created in the period; win rate, sales cycle and
    loss reasons of those closed in it; lead conversion by source and purchase timeframe."""
    f = _filters(request, q, "funnel")
    return {"filters": _filters_out(f), **selectors.funnel(request.auth, f)}
