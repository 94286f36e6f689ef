"""Forecast and funnel figures: weighted pipeline by period, rep and team; closed won against
the forecast; stage conversion, win rate, sales cycle length, loss reasons; lead conversion by
source and purchase timeframe.

Every figure starts from ``Opportunity.objects.visible_to(user)`` (or the leads' scope) and is
one GROUP BY in the database: periods are a CASE over explicit bounds rather than a truncation
function (SQLite would call back into Python for every row), so the cost stays one indexed
scan per figure however many opportunities there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Team, User
from guanxi.core.errors import FieldErrors
from guanxi.customers.models import Source
from guanxi.sales.models import Lead, LossReason, Opportunity, Pipeline, Stage, Timeframe
from guanxi.sales.selectors.opportunities import READ_ALL_ROLES, TEAM_ROLES, opportunity_scope

CENT = Decimal("0.01")
MONEY: DecimalField = DecimalField(max_digits=20, decimal_places=2)
COMMIT = 75  # open deals at or above this probability are "commit"
BEST_CASE = 50  # … and at or above this one "best case"
MAX_PERIODS = 36
PERIODS = ("month", "quarter")


@dataclass(frozen=True)
class Filters:
    pipeline: Pipeline
    period: str  # "month" or "quarter"
    date_from: dt.date  # first day of the first period
    date_to: dt.date  # last day of the last period
    team: Team | None = None
    owner: User | None = None

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (for links and the filter form)."""
        params = {"pipeline": str(self.pipeline.pk), "period": self.period,
                  "from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        if self.team:
            params["team"] = str(self.team.pk)
        if self.owner:
            params["owner"] = str(self.owner.pk)
        return params


@dataclass(frozen=True)
class Period:
    key: str  # "2026-11" or "2026-Q4"
    start: dt.date
    end: dt.date  # exclusive


# --- Filters -------------------------------------------------------------------------------

def _month_start(day: dt.date, shift: int = 0) -> dt.date:
    n = day.year * 12 + day.month - 1 + shift
    return dt.date(n // 12, n % 12 + 1, 1)


def _period_start(day: dt.date, period: str) -> dt.date:
    if period == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def _step(period: str) -> int:
    return 3 if period == "quarter" else 1


def default_range(kind: str, period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Forecast: the last six months and the next six (quarters: two back, four ahead);
    funnel: the last twelve months (four quarters) up to the end of the current one."""
    step = _step(period)
    start = _period_start(today, period)
    if kind == "forecast":
        before, after = (2, 4) if period == "quarter" else (5, 6)
        return (_month_start(start, -before * step),
                _month_start(start, (after + 1) * step) - dt.timedelta(days=1))
    back = 3 if period == "quarter" else 11
    return (_month_start(start, -back * step),
            _month_start(start, step) - dt.timedelta(days=1))


def _teams(user: User) -> QuerySet[Team]:
    if user.has_role(*READ_ALL_ROLES):
        return Team.objects.all()
    return Team.objects.filter(pk__in=user.team_subtree_ids or [0])


def team_choices(user: User) -> list[Team]:
    """The teams the figures may be narrowed to, in tree order: every team for those who
    read all opportunities, the user's team subtree otherwise."""
    return sorted(_teams(user), key=lambda t: [int(x) for x in t.path.strip("/").split("/")])


def owner_choices(user: User) -> QuerySet[User]:
    """The people the figures may be narrowed to: the active users of those teams for those
    who read all or lead a team, only themself for a rep."""
    owners = User.objects.filter(is_active=True, team__in=_teams(user)) \
        .order_by("display_name")
    if not user.has_role(*READ_ALL_ROLES, *TEAM_ROLES):
        owners = owners.filter(pk=user.pk)
    return owners


def parse_filters(user: User, params: Mapping[str, Any], *, kind: str = "forecast",
                  today: dt.date | None = None) -> Filters:
    """Filters from query parameters ``pipeline``, ``team``, ``owner``, ``period``, ``from``,
    ``to``; raises FieldErrors naming the bad ones. Ids the user cannot see are harmless:
    every figure is scoped anyway."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def pick(name: str, model: type[Model], **extra: Any) -> Any:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        found = model._default_manager.filter(pk=int(raw), **extra).first() \
            if raw.isdigit() else None
        if found is None:
            errors[name] = [_("Unknown value.")]
        return found

    pipeline = pick("pipeline", Pipeline)
    if pipeline is None and "pipeline" not in errors:
        pipeline = (Pipeline.objects.filter(is_default=True, active=True).first()
                    or Pipeline.objects.filter(active=True).first())
    team = pick("team", Team)
    owner = pick("owner", User)
    period = (params.get("period") or "month").strip()
    if period not in PERIODS:
        errors["period"] = [_("Choose month or quarter.")]
        period = "month"
    date_from, date_to = default_range(kind, period, today)
    for name in ("from", "to"):
        raw = (params.get(name) or "").strip()
        if not raw:
            continue
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            errors[name] = [_("Enter a date as YYYY-MM-DD.")]
            continue
        if name == "from":
            date_from = _period_start(day, period)
        else:
            date_to = day
    if date_to < date_from and "to" not in errors:
        errors["to"] = [_("The end is before the start.")]
    elif len(periods_between(date_from, date_to, period)) > MAX_PERIODS:
        errors["to"] = [_("Choose at most 36 periods.")]
    if pipeline is None and not errors:
        errors["pipeline"] = [_("There is no pipeline yet.")]
    if errors:
        raise FieldErrors(errors)
    return Filters(pipeline=pipeline, period=period, date_from=date_from, date_to=date_to,
                   team=team, owner=owner)


def periods_between(date_from: dt.date, date_to: dt.date, period: str) -> list[Period]:
    step = _step(period)
    out: list[Period] = []
    start = _period_start(date_from, period)
    while start <= date_to and len(out) <= MAX_PERIODS:
        end = _month_start(start, step)
        key = (f"{start.year}-Q{(start.month - 1) // 3 + 1}" if period == "quarter"
               else f"{start.year}-{start.month:02d}")
        out.append(Period(key, start, end))
        start = end
    return out


def opportunities(user: User, f: Filters, **narrow: Any) -> QuerySet[Opportunity]:
    """The user's visible opportunities matching ``narrow``, in a team subtree and of an
    owner when asked. Each figure picks the pipeline by its stages (a stage belongs to one
    pipeline), so the stage leads the index range it reads.

    For a limited user each candidate is tested against the visible set (``id + 0`` is not
    indexable, so the database reads the figure's own index range and probes the set)
    instead of starting from every opportunity the user may see."""
    scope = opportunity_scope(user)
    if scope is None:
        qs = Opportunity.objects.visible_to(user).filter(**narrow)
    else:
        visible = Opportunity.objects.order_by().filter(scope).values("id")
        qs = (Opportunity.objects.filter(is_active=True, **narrow)
              .alias(probe=F("id") + 0).filter(probe__in=visible))
    if f.team:
        qs = qs.filter(team_id__in=f.team.subtree_ids())
    if f.owner:
        qs = qs.filter(owner=f.owner)
    return qs


def _leads(user: User, f: Filters) -> QuerySet[Lead]:
    qs = Lead.objects.visible_to(user)
    if f.team:
        qs = qs.filter(team_id__in=f.team.subtree_ids())
    if f.owner:
        qs = qs.filter(owner=f.owner)
    return qs


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _as_is(day: dt.date) -> dt.date:
    return day


def _bucket(field: str, periods: list[Period], aware: bool) -> Case:
    """The index of the period ``field`` falls in (NULL outside them)."""
    bound: Callable[[dt.date], dt.date] = _aware if aware else _as_is
    return Case(*(When(**{f"{field}__gte": bound(p.start), f"{field}__lt": bound(p.end)},
                       then=Value(i)) for i, p in enumerate(periods)),
                default=None, output_field=IntegerField())


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def _weighted(value: Any) -> Decimal:
    """Σ amount × probability, summed in the database, into money."""
    return (Decimal(value or 0) / 100).quantize(CENT)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None


def _stages(f: Filters, *kinds: str) -> list[Stage]:
    return list(f.pipeline.stages.filter(kind__in=kinds).order_by("position", "id"))


# --- Forecast -------------------------------------------------------------------------------

def _weighted_sum() -> Sum:
    return Sum(F("amount") * F("probability"), output_field=MONEY)


def _open_sums() -> dict[str, Any]:
    # Names unlike the model's fields: F("amount") must still mean the column.
    return {"n": Count("id"), "total": Sum("amount"), "w": _weighted_sum(),
            "c": Sum("amount", filter=Q(probability__gte=COMMIT)),
            "b": Sum("amount", filter=Q(probability__gte=BEST_CASE))}


def forecast(user: User, f: Filters) -> dict[str, Any]:
    """Weighted pipeline (open opportunities by expected close) per period and stage, closed
    won per period against won + weighted, and the same figures by rep and by team.

    Two GROUP BYs (open by period, stage, owner and team; won by period, owner and team); the
    few hundred groups they return are folded into the views here."""
    periods = periods_between(f.date_from, f.date_to, f.period)
    open_stages = _stages(f, Stage.Kind.OPEN)
    won_ids = [s.pk for s in _stages(f, Stage.Kind.WON)]
    end = periods[-1].end
    zero = Decimal("0.00")
    weighted = {s.pk: [zero] * len(periods) for s in open_stages}
    counts = {s.pk: [0] * len(periods) for s in open_stages}
    won, won_counts = [zero] * len(periods), [0] * len(periods)
    by_rep: dict[int | None, dict] = {}
    by_team: dict[int | None, dict] = {}

    def add(owner: int | None, team: int | None, **figures: Any) -> None:
        for rows, key in ((by_rep, owner), (by_team, team)):
            row = rows.setdefault(key, _empty())
            for k, v in figures.items():
                row[k] += v

    # Two reads, each along its own covering index: open deals by expected close, won deals
    # by closing date (an OR of both makes SQLite drop the covering indexes).
    for r in (opportunities(user, f, stage__in=open_stages, expected_close__gte=f.date_from,
                            expected_close__lt=end)
              .annotate(p=_bucket("expected_close", periods, aware=False))
              .values("p", "stage_id", "owner_id", "team_id").annotate(**_open_sums())
              .order_by()):
        w = Decimal(r["w"] or 0)
        weighted[r["stage_id"]][r["p"]] += w
        counts[r["stage_id"]][r["p"]] += r["n"]
        add(r["owner_id"], r["team_id"], count=r["n"], amount=_money(r["total"]), weighted=w,
            commit=_money(r["c"]), best_case=_money(r["b"]))
    for r in (opportunities(user, f, stage__in=won_ids, closed_at__gte=_aware(f.date_from),
                            closed_at__lt=_aware(end))
              .annotate(p=_bucket("closed_at", periods, aware=True))
              .values("p", "owner_id", "team_id").annotate(n=Count("id"), a=Sum("amount"))
              .order_by()):
        won[r["p"]] += _money(r["a"])
        won_counts[r["p"]] += r["n"]
        add(r["owner_id"], r["team_id"], won_count=r["n"], won=_money(r["a"]))

    for rows in (by_rep, by_team):
        for row in rows.values():
            row["weighted"] = _weighted(row["weighted"])
    for s in open_stages:
        weighted[s.pk] = [_weighted(w) for w in weighted[s.pk]]
    open_by_period = [sum((weighted[s.pk][i] for s in open_stages), zero)
                      for i in range(len(periods))]
    users = {u.pk: u for u in User.objects.filter(pk__in=[k for k in by_rep if k])}
    teams = {t.pk: t for t in Team.objects.filter(pk__in=[k for k in by_team if k])}
    reps = sorted(({"id": k, "name": str(users[k]) if k in users else _("No owner"), **v}
                   for k, v in by_rep.items()), key=lambda r: (-r["weighted"], r["name"]))
    return {
        "periods": [{"key": p.key, "start": p.start, "end": p.end - dt.timedelta(days=1)}
                    for p in periods],
        "stages": [{"id": s.pk, "key": s.key, "label": s.label, "probability": s.probability,
                    "weighted": weighted[s.pk], "count": counts[s.pk]} for s in open_stages],
        "won": won,
        "won_count": won_counts,
        "forecast": [w + o for w, o in zip(won, open_by_period, strict=True)],
        "open_weighted": open_by_period,
        "totals": _total(list(by_rep.values())),
        "by_rep": reps,
        "by_team": _team_rows(by_team, teams),
    }


def _empty() -> dict[str, Any]:
    return {"count": 0, "amount": Decimal("0.00"), "weighted": Decimal("0.00"),
            "commit": Decimal("0.00"), "best_case": Decimal("0.00"), "won_count": 0,
            "won": Decimal("0.00")}


def _total(rows: list[dict]) -> dict[str, Any]:
    keys = ("count", "amount", "weighted", "commit", "best_case", "won_count", "won")
    return {k: sum((r[k] for r in rows), Decimal("0.00") if k not in ("count", "won_count")
                   else 0) for k in keys}


def _team_rows(by_team: dict[int | None, dict], teams: dict[int, Team]) -> list[dict]:
    """One row per team with figures, each adding into every team above it that is also
    shown (so a region's row is its subtree's total); ordered as the tree reads."""
    path_ids = {t.pk: [int(x) for x in t.path.strip("/").split("/") if x]
                for t in teams.values()}
    ancestors = {pk for ids in path_ids.values() for pk in ids}
    all_teams = {t.pk: t for t in Team.objects.filter(pk__in=ancestors)}
    rows: dict[int, dict] = {}
    for team_id, figures in by_team.items():
        if team_id is None:
            continue
        for pk in path_ids[team_id]:
            row = rows.setdefault(pk, {k: 0 if k.endswith("count") else Decimal("0.00")
                                       for k in figures})
            for k, v in figures.items():
                row[k] += v
    out = [{"id": pk, "name": all_teams[pk].name,
            "depth": all_teams[pk].path.strip("/").count("/"), "path": all_teams[pk].path,
            **figures} for pk, figures in rows.items() if pk in all_teams]
    out.sort(key=lambda r: [int(x) for x in r["path"].strip("/").split("/")])
    if None in by_team:
        out.append({"id": None, "name": _("No team"), "depth": 0, "path": "",
                    **by_team[None]})
    return out


# --- Funnel --------------------------------------------------------------------------------

class DaysBetween(Func):
    """Days from ``start`` to ``end`` (timestamps) as a float, on SQLite and PostgreSQL."""

    output_field = FloatField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(start), F(end))

    def as_sqlite(self, compiler, conn, **extra):  # noqa: ANN001, ANN201
        return self._days(compiler, "julianday({end}) - julianday({start})")

    def as_postgresql(self, compiler, conn, **extra):  # noqa: ANN001, ANN201
        return self._days(compiler, "EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0")

    def _days(self, compiler, template: str):  # noqa: ANN001, ANN202
        # Both templates name the end first: parameters follow that order.
        (start_sql, start_params), (end_sql, end_params) = (
            compiler.compile(e) for e in self.get_source_expressions())
        return template.format(start=start_sql, end=end_sql), [*end_params, *start_params]


def funnel(user: User, f: Filters) -> dict[str, Any]:
    """Stage conversion of opportunities created in the period, and win rate, cycle length
    and loss reasons of those closed in it, and lead conversion by source and timeframe."""
    start, end = _aware(f.date_from), _aware(f.date_to + dt.timedelta(days=1))
    return {
        "steps": _steps(opportunities(user, f, created_at__gte=start, created_at__lt=end,
                                      stage__in=_stages(f, *Stage.Kind.values)), f),
        **_closed(user, f, closed_at__gte=start, closed_at__lt=end),
        **_lead_conversion(user, f),
    }


def _steps(cohort: QuerySet[Opportunity], f: Filters) -> list[dict[str, Any]]:
    """For each open stage and then won: how many of the cohort reached it. An opportunity
    reached every step up to the furthest one any of its stage changes went to (a deal that
    skipped a stage passed it), so it is counted once per step."""
    from guanxi.sales.models import StageChange

    steps = [*_stages(f, Stage.Kind.OPEN), *_stages(f, Stage.Kind.WON)[:1]]
    if not steps:
        return []
    rank = Case(*(When(to_stage_id=s.pk, then=Value(i)) for i, s in enumerate(steps)),
                default=None, output_field=IntegerField())
    furthest = (StageChange.objects.filter(opportunity__in=cohort.values("id"))
                .values("opportunity_id").annotate(r=Max(rank)).values("r").order_by())
    sql, params = furthest.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"SELECT r, COUNT(*) FROM ({sql}) furthest "  # noqa: S608
                    "WHERE r IS NOT NULL GROUP BY r", params)
        at_most = dict(cur.fetchall())
    reached = [sum(n for r, n in at_most.items() if r >= i) for i in range(len(steps))]
    out = []
    for i, s in enumerate(steps):
        nxt = reached[i + 1] if i + 1 < len(steps) else None
        out.append({"id": s.pk, "key": s.key, "label": s.label, "kind": s.kind,
                    "reached": reached[i],
                    "conversion": _rate(nxt, reached[i]) if nxt is not None else None,
                    "of_first": _rate(reached[i], reached[0])})
    return out


def _closed(user: User, f: Filters, **closed: Any) -> dict[str, Any]:
    """Win rate, cycle length and loss reasons: one GROUP BY stage and loss reason."""
    won_ids = {s.pk for s in _stages(f, Stage.Kind.WON)}
    lost_ids = {s.pk for s in _stages(f, Stage.Kind.LOST)}
    won = lost = 0
    won_amount, lost_amount, cycle = Decimal("0.00"), Decimal("0.00"), 0.0
    labels = dict(LossReason.choices)
    reasons: dict[str, dict[str, Any]] = {}
    for r in (opportunities(user, f, stage__in=won_ids | lost_ids, **closed)
              .values("stage_id", "loss_reason")
              .annotate(n=Count("id"), a=Sum("amount"),
                        days=Sum(DaysBetween("created_at", "closed_at")))
              .order_by()):
        if r["stage_id"] in won_ids:
            won, won_amount, cycle = won + r["n"], won_amount + _money(r["a"]), \
                cycle + (r["days"] or 0)
            continue
        lost, lost_amount = lost + r["n"], lost_amount + _money(r["a"])
        reason = reasons.setdefault(r["loss_reason"], {
            "key": r["loss_reason"], "label": str(labels.get(r["loss_reason"], _("Not given"))),
            "count": 0, "amount": Decimal("0.00")})
        reason["count"] += r["n"]
        reason["amount"] += _money(r["a"])
    return {"win_rate": {"won": won, "lost": lost, "rate": _rate(won, won + lost),
                         "won_amount": won_amount, "lost_amount": lost_amount},
            "cycle_days": (Decimal(cycle) / won).quantize(Decimal("0.1")) if won else None,
            "loss_reasons": sorted(reasons.values(), key=lambda r: (-r["count"], r["label"]))}


def _lead_conversion(user: User, f: Filters) -> dict[str, list[dict]]:
    """Leads created in the period, converted, and bought (their opportunity won), by source
    and by purchase timeframe: one GROUP BY over both."""
    start, end = _aware(f.date_from), _aware(f.date_to + dt.timedelta(days=1))
    won_ids = list(Stage.objects.filter(kind=Stage.Kind.WON).values_list("pk", flat=True))
    groups: dict[str, dict[str, dict[str, int]]] = {"source": {}, "timeframe": {}}
    for r in (_leads(user, f).filter(created_at__gte=start, created_at__lt=end)
              .values("source", "timeframe").annotate(
                  leads=Count("id"),
                  converted=Count("id", filter=Q(status=Lead.Status.CONVERTED)),
                  won=Count("id", filter=Q(status=Lead.Status.CONVERTED,
                                           converted_opportunity__stage__in=won_ids)))
              .order_by()):
        for key, rows in groups.items():
            row = rows.setdefault(r[key], {"leads": 0, "converted": 0, "won": 0})
            for k in row:
                row[k] += r[k]
    return {f"by_{key}": [
        {"key": value, "label": str(label), **counts,
         "conversion": _rate(counts["converted"], counts["leads"]),
         "win": _rate(counts["won"], counts["leads"])}
        for value, label in choices if (counts := groups[key].get(value))]
        for key, choices in (("source", Source.choices), ("timeframe", Timeframe.choices))}
