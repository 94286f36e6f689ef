"""A small, hand-countable sales world for the forecast and funnel tests (imported by each
test module). The expected figures are worked out in the tests' docstrings and comments.

Open (expected close → weighted):
  o1 rep       上海一组 quotation 50%        10,000  2026-12-10 →  5,000
  o2 rep       上海一组 discovery 10%        20,000  2026-12-20 →  2,000  (was in tracking)
  o3 teammate  上海一组 contract review 80%  50,000  2027-01-15 → 40,000  (skipped stages)
  o4 other_rep 深圳组   tender 65%           30,000  2026-11-30 → 19,500
Won:  w1 rep 8,000 (2026-07-01 → 08-20, 50 days), w2 teammate 12,000 (06-10 → 07-10, 30 days)
Lost: l1 rep 5,000 price, l2 other_rep 7,000 competitor, l3 teammate 3,000 price
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

TODAY = dt.date(2026, 11, 15)


def at(day: str, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


@pytest.fixture
def sales(org, make_account):
    from guanxi.sales.models import Lead, Opportunity, Pipeline, StageChange

    pipeline = Pipeline.objects.get(is_default=True)
    stages = {s.key: s for s in pipeline.stages.all()}
    accounts = {u: make_account(by=getattr(org, u), name=f"{u}测试客户有限公司")
                for u in ("rep", "teammate", "other_rep")}

    def opp(name, owner, stage, amount, path, created, *, close=None, closed=None,
            reason=""):
        user = getattr(org, owner)
        o = Opportunity.objects.create(
            name=name, account=accounts[owner], pipeline=pipeline, stage=stages[stage],
            amount=Decimal(amount), probability=stages[stage].probability,
            expected_close=dt.date.fromisoformat(close) if close else None, owner=user,
            team=user.team, created_by=user, created_at=at(created),
            closed_at=at(closed) if closed else None, loss_reason=reason)
        previous = None
        for i, key in enumerate(path):
            StageChange.objects.create(
                opportunity=o, from_stage=previous, to_stage=stages[key], by=user,
                at=at(closed) if closed and i == len(path) - 1 else at(created) +
                dt.timedelta(days=i), amount=o.amount)
            previous = stages[key]
        return o

    w = SimpleNamespace(pipeline=pipeline, stages=stages)
    w.o1 = opp("o1", "rep", "quotation", 10000, ["discovery", "tracking", "quotation"],
               "2026-09-01", close="2026-12-10")
    w.o2 = opp("o2", "rep", "discovery", 20000, ["discovery", "tracking", "discovery"],
               "2026-10-01", close="2026-12-20")
    w.o3 = opp("o3", "teammate", "contract_review", 50000, ["discovery", "contract_review"],
               "2026-08-15", close="2027-01-15")
    w.o4 = opp("o4", "other_rep", "tender", 30000,
               ["discovery", "tracking", "quotation", "tender"], "2026-07-01",
               close="2026-11-30")
    w.w1 = opp("w1", "rep", "won", 8000,
               ["discovery", "tracking", "quotation", "tender", "contract_review", "won"],
               "2026-07-01", closed="2026-08-20")
    w.w2 = opp("w2", "teammate", "won", 12000, ["discovery", "quotation", "won"],
               "2026-06-10", closed="2026-07-10")
    w.l1 = opp("l1", "rep", "lost", 5000, ["discovery", "tracking", "quotation", "lost"],
               "2026-06-05", closed="2026-09-05", reason="price")
    w.l2 = opp("l2", "other_rep", "lost", 7000, ["discovery", "tracking", "lost"],
               "2026-06-15", closed="2026-10-01", reason="competitor")
    w.l3 = opp("l3", "teammate", "lost", 3000, ["discovery", "lost"], "2026-08-01",
               closed="2026-10-10", reason="price")

    def lead(name, source, timeframe, status, opportunity=None, created="2026-07-01"):
        item = Lead.objects.create(name=name, source=source, timeframe=timeframe,
                                   status=status, owner=org.rep, team=org.team_a,
                                   converted_opportunity=opportunity)
        Lead.objects.filter(pk=item.pk).update(created_at=at(created))
        return item

    lead("L1", "exhibition", "3m", "converted", w.w1)
    lead("L2", "exhibition", "3m", "converted", w.l1)
    lead("L3", "exhibition", "3m", "working")
    lead("L4", "website", "12m", "converted", w.o1)
    lead("L5", "website", "12m", "nurturing")
    lead("L6", "website", "immediate", "disqualified")
    lead("L7 before the period", "website", "immediate", "converted", w.w2,
         created="2026-05-20")
    return w
