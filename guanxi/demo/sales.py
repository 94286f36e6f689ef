"""Demo sales data: a few dozen records through the services (``sales_showcase``), then in
bulk a year of opportunities walking the pipeline with their stage changes, leads of every
source and purchase timeframe converting in the shape the Shanghai GM case reports (about 10 %
of 3-month leads bought, 4 % of 1-year leads), selling teams, activities, key-account
campaign plans with support requests, and tasks."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.demo import sales_bulk, sales_showcase
from guanxi.demo.bulk import _write
from guanxi.demo.org import DemoOrg
from guanxi.demo.sales_rows import (
    CHANGE_COLUMNS,
    CHANGE_TABLE,
    OPP_COLUMNS,
    OPP_TABLE,
    SOURCES,
    opportunity_rows,
)
from guanxi.sales.models import (
    Activity,
    Lead,
    Opportunity,
    OpportunityMember,
    SupportRequest,
    Task,
)

# purchase timeframe: (leads per 600, share converted to an opportunity, share that bought)
LEAD_SHAPE = {"immediate": (90, 0.40, 0.16), "3m": (210, 0.25, 0.10), "6m": (150, 0.16, 0.07),
              "12m": (150, 0.10, 0.04)}
LEAD_NAMES = ("张伟", "王磊", "李娜", "刘洋", "陈静", "杨帆", "赵敏", "黄涛", "周婷", "吴昊",
              "David Chen", "Sarah Lim", "Michael Tan", "Emily Wong")
LEAD_COMPANIES = ("苏州恒达精密机械有限公司", "宁波海天塑机集团", "合肥京东方光电", "青岛港集团",
                  "成都天府软件园", "武汉钢铁设备公司", "Jurong Engineering Pte Ltd",
                  "Penang Semiconductor Sdn Bhd", "厦门航空工业", "无锡药明生物")
REGIONS = {"华东区": "manager", "华南区": "manager_south", "华北区": "manager_north",
           "海外区": "manager_abroad"}
ACTIVITY_TEXT = {
    Activity.Kind.CALL: ("电话沟通技术参数", "Call about delivery schedule", "电话确认招标时间"),
    Activity.Kind.VISIT: ("拜访设备部", "拜访采购经理", "Site visit with the plant manager"),
    Activity.Kind.MEETING: ("技术交流会", "Tender clarification meeting", "商务谈判"),
    Activity.Kind.EMAIL: ("发送报价单", "Sent revised quotation", "发送同类项目业绩"),
    Activity.Kind.NOTE: ("客户预算已批复", "Competitor visited last week", "决策人换成了新总工"),
}
CAMPAIGN_TEXT = (("攻关：年度集采入围", "总工程师 + 技术支持", 60_000),
                 ("攻关：高层拜访", "区域总经理", 30_000),
                 ("Key account plan: design institute", "Application engineer", 20_000))


def add(org: DemoOrg, *, say: Callable[[str], None] = lambda _m: None) -> None:
    """Add the sales demo data once (does nothing if there are opportunities already)."""
    if Opportunity.objects.exists():
        return
    entered = sales_showcase.add(org, say=say)
    say(_("  %(n)s sales records entered through the services") % {"n": entered})
    ctx = sales_bulk.context(org)
    if not ctx.accounts:
        return
    count = min(20_000, max(300, len(ctx.accounts) * 6 // 5))
    loaded = sales_bulk.load(ctx, count, workers=1)
    with transaction.atomic(), _dates_as_given(Lead, Activity, Task):
        converted = _leads(org, ctx, first=count)
        _work(org)
    sales_bulk.analyze()
    say(_("  %(n)s opportunities and %(leads)s leads loaded")
        % {"n": f"{loaded + converted:,}", "leads": f"{Lead.objects.count():,}"})


@contextmanager
def _dates_as_given(*models: type[Model]) -> Iterator[None]:
    """Keep the creation dates the demo sets (a year back) instead of "now"."""
    fields = [f for m in models for f in m._meta.concrete_fields
              if getattr(f, "auto_now_add", False)]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


def _leads(org: DemoOrg, ctx: sales_bulk.SalesContext, first: int) -> int:
    """Leads of the last year; per timeframe, exactly the shape's share converts and buys.
    Their opportunities are numbered on from ``first``; returns how many were opened."""
    rng = random.Random(2026)
    now = ctx.now
    by_owner = {}
    for account_id, owner, team in ctx.accounts:
        by_owner.setdefault(owner, (account_id, team))
    owners = list(by_owner.items())
    plan: list[tuple[Lead, str | None]] = []
    for timeframe, (n, converted, bought) in LEAD_SHAPE.items():
        outcomes = (["won"] * round(n * bought)
                    + ["lost" if i % 5 < 3 else "open"
                       for i in range(round(n * converted) - round(n * bought))])
        outcomes += [None] * (n - len(outcomes))
        rng.shuffle(outcomes)
        for i, outcome in enumerate(outcomes):
            owner, (_account, team) = owners[rng.randrange(len(owners))]
            created = now - dt.timedelta(days=rng.uniform(20 if outcome else 0, 360))
            status = Lead.Status.CONVERTED if outcome else rng.choice(
                ("new", "assigned", "working", "nurturing", "disqualified")
                if timeframe in ("immediate", "3m") else ("nurturing", "nurturing", "working",
                                                          "disqualified"))
            name = LEAD_NAMES[(i * 7 + len(timeframe)) % len(LEAD_NAMES)]
            lead = Lead(
                name=name, company=LEAD_COMPANIES[rng.randrange(len(LEAD_COMPANIES))],
                source=rng.choices([k for k, _w in SOURCES], [w for _k, w in SOURCES])[0],
                timeframe=timeframe, status=status, owner_id=owner, team_id=team,
                finder_id=org.users["finder"].pk if rng.random() < 0.2 else None,
                interest=rng.choice(("干式变压器", "开关柜", "储能系统", "Switchgear")),
                assigned_at=created, created_at=created,
                revisit_on=(now + dt.timedelta(days=rng.randrange(10, 200))).date()
                if status == "nurturing" else None,
                disqualify_reason="无采购计划" if status == "disqualified" else "",
                score=rng.randrange(10, 90))
            plan.append((lead, outcome))
    Lead.objects.bulk_create([lead for lead, _o in plan])
    opps, changes, converted = [], [], []
    for j, (lead, outcome) in enumerate(p for p in plan if p[1]):
        account_id = by_owner[lead.owner_id][0]
        created = lead.created_at + dt.timedelta(days=rng.uniform(1, 10))
        row, rows = opportunity_rows(
            replace(ctx, accounts=((account_id, lead.owner_id, lead.team_id),)),
            first + j, outcome=outcome, created=created, source=lead.source,
            timeframe=lead.timeframe, lead_id=lead.pk)
        opps.append(row)
        changes.extend(rows)
        lead.converted_opportunity_id = row[OPP_COLUMNS.index("id")]
        lead.converted_account_id = account_id
        lead.account_id = account_id
        lead.converted_at = created
        converted.append(lead)
    _write(OPP_TABLE, OPP_COLUMNS, opps)
    _write(CHANGE_TABLE, CHANGE_COLUMNS, changes)
    sales_bulk._fix_sequence()
    Lead.objects.bulk_update(converted, ["converted_opportunity", "converted_account",
                                         "account", "converted_at"])
    return len(opps)


def _work(org: DemoOrg) -> None:
    """Selling team members, activities, campaign plans with support requests, and tasks."""
    rng = random.Random(7)
    now = timezone.now()
    users = org.users
    opps = list(Opportunity.objects.filter(owner__isnull=False).order_by("-id")
                .values_list("id", "account_id", "owner_id", "team_id", "created_at",
                             "closed_at", "stage__kind")[:4000])
    helpers = [users[k].pk for k in ("finder", "delivery", "collection") if k in users]
    rep_ids = [u.pk for u in org.reps]
    OpportunityMember.objects.bulk_create(
        [OpportunityMember(opportunity_id=o[0], user_id=rng.choice(helpers + rep_ids),
                           role=rng.choice(("技术支持", "Application engineer", "商务")))
         for o in opps if rng.random() < 0.12 and o[2] not in helpers],
        ignore_conflicts=True)
    activities = []
    for oid, account, owner, _team, created, closed, kind in opps:
        end = closed or now
        for _i in range(rng.randrange(0, 4)):
            k = rng.choice(list(ACTIVITY_TEXT))
            at = created + (end - created) * rng.random()
            activities.append(Activity(
                kind=k, subject=rng.choice(ACTIVITY_TEXT[k]), status=Activity.Status.DONE,
                starts_at=at, account_id=account, opportunity_id=oid, owner_id=owner,
                duration_minutes=rng.choice((15, 30, 60, 90)) if k != "note" else None,
                created_at=at))
        if kind == "open" and rng.random() < 0.15:
            at = now + dt.timedelta(days=rng.randrange(1, 20), hours=rng.randrange(9, 17))
            activities.append(Activity(
                kind=Activity.Kind.VISIT, subject="计划拜访 / planned visit",
                status=Activity.Status.PLANNED, starts_at=at, account_id=account,
                opportunity_id=oid, owner_id=owner, created_at=now))
    Activity.objects.bulk_create(activities, batch_size=2000)

    managers = {region: users[name] for region, name in REGIONS.items() if name in users}
    open_opps = [o for o in opps if o[6] == "open"]
    for i, (oid, account, owner, team, _c, _cl, _k) in enumerate(open_opps[:15]):
        subject, people, budget = CAMPAIGN_TEXT[i % len(CAMPAIGN_TEXT)]
        asked = now - dt.timedelta(days=rng.randrange(1, 30))
        plan = Activity.objects.create(
            kind=Activity.Kind.CAMPAIGN, subject=subject, body="争取进入短名单，安排技术交流",
            status=Activity.Status.PLANNED, starts_at=now + dt.timedelta(days=rng.randrange(3, 30)),
            account_id=account, opportunity_id=oid, owner_id=owner, created_at=asked)
        status = ("pending", "approved", "declined")[i % 3]
        region = _region(org, team)
        SupportRequest.objects.create(
            activity=plan, people=people, budget=budget, samples="样机一台" if i % 2 else "",
            status=status, requested_by_id=owner,
            decided_by=managers.get(region) if status != "pending" else None,
            decided_at=asked + dt.timedelta(days=1) if status != "pending" else None,
            decision_note={"approved": "同意", "declined": "预算不足，下季度再议"}.get(status, ""))

    tasks = []
    mine = {}
    for o in open_opps:
        mine.setdefault(o[2], []).append(o)
    for rep in org.reps:
        theirs = mine.get(rep.pk, [])
        for j, (title, days, status) in enumerate((
                ("跟进报价反馈", -3, "open"), ("Send revised drawings", -1, "open"),
                ("电话确认招标时间", 0, "open"), ("准备技术方案", 2, "open"),
                ("Quarterly review with the customer", 9, "open"), ("寄送样品", -6, "done"))):
            o = theirs[j % len(theirs)] if theirs else None
            due = (timezone.localtime(now) + dt.timedelta(days=days)).replace(
                hour=10, minute=0, second=0, microsecond=0)
            tasks.append(Task(title=title, due_at=due, assignee=rep, status=status,
                              priority="high" if days < 0 else "normal",
                              opportunity_id=o[0] if o else None,
                              account_id=o[1] if o else None, created_by=rep,
                              done_at=due if status == "done" else None,
                              created_at=now - dt.timedelta(days=10)))
    Task.objects.bulk_create(tasks)


def _region(org: DemoOrg, team_id: int | None) -> str:
    for name, team in org.teams.items():
        if team.pk == team_id:
            return team.parent.name if team.kind == "team" and team.parent else name
    return ""
