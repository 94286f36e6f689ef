"""The latest metrics are filters of the customer list, the customer API and the metrics API,
inside each user's customer scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from guanxi.analytics.models import CustomerMetrics, Transaction
from guanxi.analytics.services import runs
from guanxi.analytics.tests.app_fixtures import UNTIL
from guanxi.core.tests.api_client import as_

pytestmark = pytest.mark.django_db


def _names(response) -> set[str]:
    return {item["name"] for item in response.json()["items"]}


def _list_page(user, **params) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/customers/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_customer_list_filters_by_the_latest_metrics(analysed):
    org = analysed.org
    page = _list_page(org.admin, segment="champions")
    assert "上海明珠机电有限公司" in page and "杭州西湖茶业有限公司" not in page
    page = _list_page(org.admin, abc="A")
    assert "上海明珠机电有限公司" in page and "杭州西湖茶业有限公司" in page
    assert "苏州园林设计有限公司" not in page
    # The newest run decides: c5 buys big again and is no longer "lost".
    Transaction.objects.create(account=analysed.c5, date=UNTIL, amount=Decimal("5000"),
                               cost=Decimal("3000"), source="demo")
    runs.run_now(None, UNTIL)
    assert "广州塔贸易有限公司" not in _list_page(org.admin, segment="lost")
    assert "广州塔贸易有限公司" in _list_page(org.admin, abc="A")


def test_customer_list_keeps_a_rep_inside_their_customers(analysed):
    page = _list_page(analysed.org.rep, abc="C")
    assert "深圳湾电子有限公司" not in page and "广州塔贸易有限公司" not in page


def test_customer_api_filters_by_metrics_and_names_bad_values(analysed):
    admin = as_(analysed.org.admin)
    assert _names(admin.get("customers", lifecycle=CustomerMetrics.objects.get(
        account=analysed.c1).lifecycle)) >= {"上海明珠机电有限公司"}
    clv = CustomerMetrics.objects.get(account=analysed.c1).clv
    assert "上海明珠机电有限公司" in _names(admin.get("customers", clv_min=str(clv)))
    assert "上海明珠机电有限公司" not in _names(admin.get("customers", clv_max=str(clv - 1)))
    assert _names(admin.get("customers", rfm="443")) == {"杭州西湖茶业有限公司"}
    bad = admin.get("customers", abc="Z")
    assert bad.status_code == 400 and bad.json()["field"] == "abc"
    bad = admin.get("customers", rfm="9x9")
    assert bad.status_code == 400 and bad.json()["field"] == "rfm"


def test_metrics_api_lists_with_filters_and_keyset_pages(analysed):
    admin = as_(analysed.org.admin)
    first = admin.get("analytics/customers", limit=2).json()
    assert len(first["items"]) == 2 and first["next"]
    second = admin.get("analytics/customers", limit=2, cursor=first["next"]).json()
    third = admin.get("analytics/customers", limit=2, cursor=second["next"]).json()
    values = [Decimal(i["clv"]) for page in (first, second, third) for i in page["items"]]
    assert len(values) == 5 and values == sorted(values, reverse=True)
    assert third["next"] is None
    lost = admin.get("analytics/customers", segment="lost").json()["items"]
    assert [i["account"]["name"] for i in lost] == ["广州塔贸易有限公司"]
    assert lost[0]["segment_label"] == "Lost customers" and lost[0]["rfm_code"] == "111"
    assert lost[0]["as_of"] == "2026-06-30"


def test_a_rep_sees_only_the_metrics_of_own_customers(analysed):
    rep = as_(analysed.org.rep)
    names = {i["account"]["name"] for i in rep.get("analytics/customers").json()["items"]}
    assert names == {"上海明珠机电有限公司", "杭州西湖茶业有限公司", "苏州园林设计有限公司"}
    assert rep.get(f"analytics/customers/{analysed.c1.pk}").status_code == 200
    assert rep.get(f"analytics/customers/{analysed.c4.pk}").status_code == 404


def test_another_teams_manager_is_refused_the_metrics(analysed):
    other = as_(analysed.org.other_manager)
    assert other.get(f"analytics/customers/{analysed.c1.pk}").status_code == 404
    names = {i["account"]["name"] for i in other.get("analytics/customers").json()["items"]}
    assert "上海明珠机电有限公司" not in names
    dashboard = other.get("analytics/dashboard").json()
    assert dashboard["customers"] == 0 or "上海明珠机电有限公司" not in {
        m["account"]["name"] for m in dashboard["at_risk"]}
    mine = as_(analysed.org.manager).get("analytics/dashboard").json()
    assert mine["customers"] == 3 and Decimal(mine["revenue"]) == Decimal("950.00")


def test_dashboard_figures_for_everyone_and_for_a_scope(analysed):
    whole = as_(analysed.org.executive).get("analytics/dashboard").json()
    assert whole["customers"] == 5 and Decimal(whole["revenue"]) == Decimal("1000.00")
    assert whole["top20_share"] == pytest.approx(0.7)
    assert {r["key"]: r["customers"] for r in whole["abc"]} == {"A": 2, "B": 1, "C": 2}
    assert sum(r["customers"] for r in whole["segments"]) == 5
    assert sum(r["customers"] for r in whole["lifecycle"]) == 5
    assert len(whole["kpis"]) == 1 and whole["kpis"][0]["run_id"] == analysed.run.pk
    assert sum(Decimal(v) for v in whole["revenue_by_month"]) == Decimal("1000.00")
    scoped = as_(analysed.org.manager).get("analytics/dashboard").json()
    assert {r["key"]: r["customers"] for r in scoped["abc"]} == {"A": 2, "B": 1}
    assert sum(Decimal(v) for v in scoped["revenue_by_month"]) == Decimal("950.00")


def test_customer_page_shows_the_value_card(analysed, make_account):
    client = Client()
    client.force_login(analysed.org.rep)
    page = client.get(f"/customers/{analysed.c1.pk}/").content.decode()
    assert "555" in page and "Champions" in page and "as of" in page
    fresh = make_account(by=analysed.org.rep, name="新客户有限公司")
    page = client.get(f"/customers/{fresh.pk}/").content.decode()
    assert "Not computed yet" in page
