"""The sales demo data: coherent stage histories, the lead conversion shape the papers
report, every kind of record present, and a second run that adds nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from guanxi.demo import bulk
from guanxi.demo import sales as sales_demo
from guanxi.demo.org import ensure_org
from guanxi.sales.models import (
    Activity,
    EmailTemplate,
    Lead,
    LeadRoutingRule,
    Opportunity,
    StageChange,
    SupportRequest,
    Task,
    WebForm,
)


@pytest.fixture
def demo(db):
    org = ensure_org()
    bulk.load(org, 60, workers=0)
    sales_demo.add(org)
    return org


def test_every_opportunity_has_a_coherent_stage_history(demo):
    opps = Opportunity.objects.all()
    assert opps.count() >= 300
    firsts = StageChange.objects.filter(from_stage__isnull=True)
    assert firsts.count() == opps.count()  # one creation row each
    latest = {c.opportunity_id: c for c in StageChange.objects.order_by("at", "id")}
    wrong = [o.pk for o in opps.select_related("stage") if latest[o.pk].to_stage_id != o.stage_id]
    assert not wrong
    assert not opps.filter(stage__kind="lost", loss_reason="").exists()
    assert not opps.filter(~Q(stage__kind="open"), closed_at__isnull=True).exists()
    assert not opps.filter(stage__kind="open", closed_at__isnull=False).exists()
    span = StageChange.objects.aggregate(first=Min("at"), last=Max("at"))
    assert (span["last"] - span["first"]).days > 250  # a year of history
    kinds = Counter(opps.values_list("stage__key", flat=True))
    assert all(kinds[k] for k in ("discovery", "tracking", "quotation", "tender",
                                  "contract_review", "won", "lost"))


def test_leads_convert_in_the_shape_of_the_papers(demo):
    rows = {r["timeframe"]: r for r in Lead.objects.values("timeframe").annotate(
        n=Count("id"), won=Count("id", filter=Q(converted_opportunity__stage__kind="won")))}
    # about 10 % of 3-month leads bought, 4 % of 1-year leads; immediate ones more
    assert rows["3m"]["won"] / rows["3m"]["n"] == pytest.approx(0.10, abs=0.01)
    assert rows["12m"]["won"] / rows["12m"]["n"] == pytest.approx(0.04, abs=0.01)
    assert rows["immediate"]["won"] / rows["immediate"]["n"] > 0.12
    assert len(set(Lead.objects.values_list("source", flat=True))) >= 5
    converted = Lead.objects.filter(status="converted", converted_opportunity__isnull=False)
    assert converted.count() == Lead.objects.filter(status="converted").count()


def test_the_daily_work_is_there_too(demo):
    assert set(SupportRequest.objects.values_list("status", flat=True)) >= {
        "pending", "approved", "declined"}
    assert set(Activity.objects.values_list("kind", flat=True)) >= {
        "call", "visit", "meeting", "note", "campaign"}
    rep = demo.users["rep"]
    now = timezone.now()
    mine = Task.objects.filter(assignee=rep, status="open")
    assert mine.filter(due_at__lt=now - dt.timedelta(days=1)).exists()  # overdue
    assert mine.filter(due_at__date=timezone.localdate()).exists()
    assert mine.filter(due_at__gt=now + dt.timedelta(days=1)).exists()
    assert EmailTemplate.objects.filter(language="en").exists()
    assert EmailTemplate.objects.filter(language="zh-hans").exists()
    assert LeadRoutingRule.objects.count() >= 2 and WebForm.objects.count() == 1
    assert Opportunity.objects.filter(delivery_owner__isnull=False,
                                      collection_owner__isnull=False).exists()


def test_running_it_again_adds_nothing(demo):
    before = (Opportunity.objects.count(), StageChange.objects.count(), Lead.objects.count())
    sales_demo.add(demo)
    assert (Opportunity.objects.count(), StageChange.objects.count(),
            Lead.objects.count()) == before
