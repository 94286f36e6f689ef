"""Service analytics: the charts page (who sees it, its figures and their links), satisfaction
onto the executive dashboard's KPIs, and warranty cost off the customers' profit, both through
analytics' plug-in points."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from guanxi.analytics import contributions
from guanxi.service.models import Survey
from guanxi.service.selectors.analytics import (
    overview,
    satisfaction_by_month,
    service_cost_by_account,
)
from guanxi.service.services import cases
from guanxi.service.services import records as rec
from guanxi.service.tests import assets_fixtures as fx

pytestmark = pytest.mark.django_db
world = fx.world


@pytest.fixture
def figures(world):
    today = timezone.localdate()
    case = cases.create_case(world.agent, subject="发动机异响", kind="complaint",
                             account=world.account, assignee=world.agent)
    case = cases.change_status(world.agent, case, "in_progress", case.version)
    case = cases.change_status(world.agent, case, "resolved", case.version)
    case = cases.change_status(world.agent, case, "closed", case.version,
                               resolution="更换正时皮带", root_cause="product_defect")
    Survey.objects.create(case=case, account=world.account, agent=world.agent,
                          expires_at=timezone.now(), answered_at=timezone.now(), csat=4,
                          nps=10)
    rec.add_record(world.agent, world.asset, rec.RecordInput(
        station=world.dealer, performed_on=today, work_done="更换电瓶", warranty_claim=True),
        rec.PartInput.rows([{"part_number": "BAT-60", "quantity": "1", "unit_price": "800",
                             "covered": True}]))
    return world, case


def test_the_page_shows_charts_with_links_to_the_cases(figures):
    world, case = figures
    data = overview(world.agent)
    assert sum(v["value"] for v in data["volume"]) == 1
    assert data["csat"][-1] == 4.0 and data["nps"][-1] == 100.0
    assert data["causes"][0]["value"] == 1 and "kind=complaint" in data["causes"][0]["url"]
    assert data["warranty"][0]["value"] == 800.0
    assert data["volume"][-1]["url"].startswith("/service/cases/?created_from=")
    client = Client()
    client.force_login(world.agent)
    page = client.get("/service/analytics/")
    assert page.status_code == 200 and b"service-analytics-data" in page.content
    client.force_login(world.org.rep)
    assert client.get("/service/analytics/").status_code == 403


def test_satisfaction_and_service_cost_reach_analytics(figures):
    world, _case = figures
    today = timezone.localdate()
    months = satisfaction_by_month(today - dt.timedelta(days=40), today)
    assert months[-1]["csat"] == 4.0 and months[-1]["answers"] == 1
    assert service_cost_by_account(None, today, today) == {world.account.pk: Decimal("800")}
    # The plug-in points hold service's sources: analytics reads them without importing it.
    assert contributions.extra_costs(dt.date(1970, 1, 1), today) == {world.account.pk: 800.0}
    sat = contributions.satisfaction(today - dt.timedelta(days=40), today)
    assert sat and sat["url"] == "/service/analytics/" and sat["months"][-1]["nps"] == 100.0
    # Into the KPIs over time: one satisfied answer of two in the period, none before it.
    other = cases.create_case(world.agent, subject="Slow reply", kind="inquiry",
                              account=world.account)
    Survey.objects.create(case=other, account=world.account, agent=world.agent,
                          expires_at=timezone.now(), answered_at=timezone.now(), csat=2, nps=3)
    kpi = next(k for k in contributions.kpis() if k.key == "service.satisfied")
    assert kpi.value(today - dt.timedelta(days=1), today) == 0.5
    assert kpi.value(None, today - dt.timedelta(days=1)) is None


def test_extra_costs_land_on_each_customers_latest_purchase():
    customers = np.array([1, 2, 1, 2], dtype=np.int64)
    days = np.array([10, 11, 20, 5], dtype=np.int64)
    amounts = np.array([100.0, 50.0, 200.0, 80.0])
    costs = np.array([60.0, np.nan, np.nan, 40.0])
    out = contributions.deduct(customers, days, amounts, costs, {1: 30.0, 2: 5.0}, 0.25)
    # Customer 1's latest is day 20 (cost unknown: estimated, then the extra added);
    # customer 2's is day 11.
    assert out[0] == 60.0 and out[3] == 40.0
    assert out[2] == pytest.approx(200 * 0.75 + 30) and out[1] == pytest.approx(50 * 0.75 + 5)
