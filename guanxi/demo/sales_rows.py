"""Demo opportunities as database rows: each one walks the pipeline from discovery, a stage
at a time (sometimes skipping one, sometimes stepping back), until it is won, lost with a
reason, or still open today; every move is a stage change row with its date. Built without
the ORM (plain tuples, ready for the backend) so a million load in minutes.

Opportunity ``n`` is the same every time (its random generator is seeded with ``n``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Model

from guanxi.sales.models import Opportunity, StageChange

# How likely a deal moves on from each stage (the rest are lost there), and the mean days
# it spends in it. The papers' default pipeline: discovery → tracking → quotation → tender →
# contract review → won.
ADVANCE = {"discovery": 0.75, "tracking": 0.7, "quotation": 0.66, "tender": 0.62,
           "contract_review": 0.78}
DAYS = {"discovery": 18, "tracking": 30, "quotation": 26, "tender": 35, "contract_review": 16}
LOSS_WEIGHTS = [("price", 30), ("competitor", 24), ("no_budget", 12), ("no_decision", 11),
                ("tender", 8), ("delivery", 6), ("product_fit", 5), ("relationship", 3),
                ("other", 1)]
SOURCES = [("exhibition", 22), ("referral", 20), ("website", 18), ("campaign", 12),
           ("call_centre", 10), ("manual", 14), ("portal", 4)]
TIMEFRAMES = [("immediate", 15), ("3m", 35), ("6m", 28), ("12m", 22)]
PRODUCTS = ("干式变压器", "油浸式变压器", "箱式变电站", "开关柜", "配电自动化系统", "电缆附件",
            "智能电表", "光伏逆变器", "储能系统", "Transformer retrofit", "Substation upgrade",
            "Switchgear framework")
PHASES = ("一期", "二期", "扩建", "改造", "年度框架", "Phase 1", "Phase 2")
NOTES = ("客户关注交期和售后响应。", "技术交流已完成，等待招标文件。", "竞争对手报价低 8%。",
         "Decision maker is the plant manager; budget approved in Q1.",
         "需要提供同类项目业绩。", "Site survey done, drawings received.")

OPP_COLUMNS = [f.column for f in Opportunity._meta.concrete_fields]
CHANGE_COLUMNS = ["opportunity_id", "from_stage_id", "to_stage_id", "by_id", "at", "amount"]
OPP_TABLE = Opportunity._meta.db_table
CHANGE_TABLE = StageChange._meta.db_table


@dataclass(frozen=True)
class StageInfo:
    id: int
    key: str
    probability: int
    kind: str


@dataclass(frozen=True)
class SalesContext:
    """What a worker needs to know about the database, picklable."""

    vendor: str
    now: dt.datetime  # UTC
    pipeline_id: int
    stages: tuple[StageInfo, ...]  # open stages in order, then won, then lost
    accounts: tuple[tuple[int, int | None, int | None], ...]  # (id, owner id, team id)
    helpers: tuple[int, ...]  # finders, delivery and collection owners, members
    span_days: int  # opportunities are created over this many days up to now
    id_base: int  # opportunity n gets id id_base + n


def _defaults(model: type[Model]) -> dict[str, Any]:
    return {f.column: f.get_default() for f in model._meta.concrete_fields}


_OPP_DEFAULTS = _defaults(Opportunity)


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _w in weighted], [w for _k, w in weighted])[0]


def opportunity_rows(ctx: SalesContext, n: int, *, outcome: str | None = None,
                     created: dt.datetime | None = None, source: str = "", timeframe: str = "",
                     lead_id: int | None = None) -> tuple[tuple, list[tuple]]:
    """The row of opportunity ``n`` and its stage change rows. ``outcome`` ("won", "lost",
    "open") forces how it ends, e.g. for a converted lead."""
    rng = random.Random(n * 7919 + 17)
    sqlite = ctx.vendor == "sqlite"
    stamp = (lambda t: t.replace(tzinfo=None).isoformat(" ")) if sqlite else (lambda t: t)
    day = (lambda d: d.isoformat()) if sqlite else (lambda d: d)
    money = str if sqlite else (lambda v: v)
    flag = int if sqlite else bool
    opens = [s for s in ctx.stages if s.kind == "open"]
    won = next(s for s in ctx.stages if s.kind == "won")
    lost = next(s for s in ctx.stages if s.kind == "lost")
    account, owner, team = ctx.accounts[rng.randrange(len(ctx.accounts))]
    owner = owner or (ctx.helpers[0] if ctx.helpers else None)
    created = created or ctx.now - dt.timedelta(days=rng.random() ** 0.9 * ctx.span_days,
                                                 minutes=rng.randrange(600))
    amount = Decimal(max(5, round(rng.lognormvariate(5.1, 0.9)))) * 1000
    oid = ctx.id_base + n

    changes: list[tuple] = []
    t, i, current, closed_at, reason = created, 0, opens[0], None, ""
    last = created
    changes.append((oid, None, current.id, owner, stamp(t), money(amount)))
    while True:
        t = t + dt.timedelta(days=rng.expovariate(1 / DAYS.get(current.key, 14)),
                             minutes=rng.randrange(480))
        if t > ctx.now and outcome in (None, "open"):
            break
        go_on = rng.random() < ADVANCE.get(current.key, 0.65)
        if outcome == "won":
            go_on = True
        elif outcome == "lost" and i == len(opens) - 1:
            go_on = False
        if outcome == "open" and i == len(opens) - 1:
            break
        t = min(t, ctx.now - dt.timedelta(minutes=5)) if outcome else t
        if not go_on:
            nxt, closed_at, reason = lost, t, _pick(rng, LOSS_WEIGHTS)
        elif i == len(opens) - 1:
            nxt, closed_at = won, t
        else:
            step = 2 if i + 2 < len(opens) and rng.random() < 0.08 else 1  # skipped one
            if i > 0 and rng.random() < 0.04:
                step = -1  # the customer went back a step
            i += step
            nxt = opens[i]
        changes.append((oid, current.id, nxt.id, owner, stamp(t), money(amount)))
        current, last = nxt, t
        if closed_at:
            break

    today = ctx.now.date()
    if closed_at:
        expected = closed_at.date()
        probability = current.probability
    else:
        ahead = rng.randrange(-20, 180) if rng.random() < 0.9 else rng.randrange(-60, -20)
        expected = today + dt.timedelta(days=ahead)
        probability = min(100, max(0, current.probability + rng.choice((0, 0, 0, -5, 5, 10))))
    helpers = ctx.helpers or (owner,)
    values = {
        "id": oid, "name": f"{rng.choice(PRODUCTS)}{rng.choice(PHASES)}",
        "account_id": account, "pipeline_id": ctx.pipeline_id, "stage_id": current.id,
        "amount": money(amount), "probability": probability, "expected_close": day(expected),
        "source": source or _pick(rng, SOURCES), "timeframe": timeframe or _pick(rng, TIMEFRAMES),
        "lead_id": lead_id, "description": rng.choice(NOTES), "owner_id": owner,
        "team_id": team, "finder_id": rng.choice(helpers) if rng.random() < 0.3 else None,
        "delivery_owner_id": rng.choice(helpers) if current.kind == "won" else None,
        "collection_owner_id": rng.choice(helpers) if current.kind == "won" else None,
        "loss_reason": reason, "stage_changed_at": stamp(last),
        "closed_at": stamp(closed_at) if closed_at else None, "custom": json.dumps({}),
        "is_active": flag(True), "created_by_id": owner, "created_at": stamp(created),
        "updated_at": stamp(last), "version": 1,
        "currency": "CNY", "contact_id": None,
    }
    row = tuple(values[c] if c in values else _OPP_DEFAULTS[c] for c in OPP_COLUMNS)
    return row, changes


def make_batch(ctx: SalesContext, start: int, stop: int) -> dict[str, list[tuple]]:
    opps: list[tuple] = []
    changes: list[tuple] = []
    for n in range(start, stop):
        row, rows = opportunity_rows(ctx, n)
        opps.append(row)
        changes.extend(rows)
    return {OPP_TABLE: opps, CHANGE_TABLE: changes}
