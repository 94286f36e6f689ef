"""Demo sales expenses (营销费用) of the reps over the year, against their customers and deals:
most approved, some waiting at the sales manager or at finance (some overdue), a few returned
or rejected, a few drafts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.demo.orders_context import Ctx
from guanxi.orders.models import ExpenseClaim, Review
from guanxi.orders.services.reviews import Facts

E = ExpenseClaim.Status
R = Review.Status
# category, (low, high) yuan, what for
KINDS = (
    ("travel", (300, 4000), ("拜访客户差旅：上海—苏州高铁及住宿", "出差杭州参加技术交流",
                             "Flight to Shenzhen for the site survey")),
    ("entertainment", (500, 6000), ("客户技术交流工作餐", "Client dinner with the plant manager",
                                    "商务宴请（采购部）")),
    ("gifts", (200, 3000), ("中秋节客户礼品", "春节拜年礼品",
                            "Company calendars for key accounts")),
    ("samples", (1000, 15000), ("样机运输及安装", "测试用样品（智能电表 20 台）")),
    ("events", (5000, 48000), ("2026 上海国际电力展展位费", "客户技术研讨会场地及茶歇")),
    ("tender", (500, 8000), ("标书制作及快递费", "投标文件公证费", "招标文件购买费")),
)
# status, how many, step it waits at / was stopped at
PLAN = ((E.APPROVED, 40, 0), (E.SUBMITTED, 6, 0), (E.SUBMITTED, 4, 1), (E.RETURNED, 4, 0),
        (E.REJECTED, 3, 0), (E.DRAFT, 3, 0))


def build(ctx: Ctx) -> list[ExpenseClaim]:
    r = ctx.rng
    users = {u.pk: u for u in ctx.org.reps}
    claims: list[ExpenseClaim] = []
    opps_of: dict[int, int] = {}
    for _stage, opps in ctx.opps.items():
        for oid, account_id in opps:
            opps_of.setdefault(account_id, oid)
    for status, count, stop in PLAN:
        for i in range(count):
            party = ctx.pick.choice(ctx.parties)
            claimant = users.get(party.owner_id) or ctx.user("rep")
            category, (low, high), texts = KINDS[r.randrange(len(KINDS))]
            if stop == 1:  # the finance step only asks from 5 000 yuan on
                category, (low, high), texts = KINDS[4]
            amount = Decimal(r.randrange(low, high)) + Decimal(r.choice((0, 50, 80))) / 100
            recent = status in (E.SUBMITTED, E.DRAFT, E.RETURNED)
            spent = ctx.days_ago(1, 20) if recent else ctx.days_ago(10, 350)
            claim = ExpenseClaim(
                claimant=claimant, team_id=claimant.team_id, account_id=party.id,
                opportunity_id=opps_of.get(party.id) if r.random() < 0.5 else None,
                category=category, amount=amount, spent_on=spent,
                description=texts[r.randrange(len(texts))], status=status,
                created_at=ctx.at(spent + dt.timedelta(days=1)))
            facts = Facts(amount=amount)
            if status == E.SUBMITTED:
                hours = r.uniform(80, 200) if i % 3 == 0 else r.uniform(2, 60)
                planned = ctx.review(claim, "expense", facts, claimant.pk, outcome=R.PENDING,
                                     stop=stop, waiting_since=ctx.now - dt.timedelta(hours=hours))
                if planned:  # written before it was submitted
                    claim.created_at = min(claim.created_at,
                                           planned.submitted_at - dt.timedelta(hours=1))
                    claim.spent_on = min(spent, ctx.localdate(claim.created_at))
            elif status in (E.APPROVED, E.RETURNED, E.REJECTED):
                outcome = {E.APPROVED: R.APPROVED, E.RETURNED: R.RETURNED,
                           E.REJECTED: R.REJECTED}[status]
                ctx.review(claim, "expense", facts, claimant.pk, outcome=outcome,
                           start=claim.created_at + dt.timedelta(hours=1),
                           comment="请补充发票原件" if status == E.RETURNED
                           else "超出招待标准，不予报销")
            claims.append(claim)
    ExpenseClaim.objects.bulk_create(claims)
    return claims
