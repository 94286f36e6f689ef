"""The global search finds open opportunities (by their customer or the start of their name)
and leads (by phone in any format, e-mail, company) that the user may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.core.tests.api_client import as_
from guanxi.sales.selectors.opportunities import filter_opportunities
from guanxi.sales.selectors.search import search_leads, search_opportunities
from guanxi.sales.services import opportunities as opp_svc
from guanxi.sales.services.leads import create_lead
from guanxi.sales.services.opportunities import OpportunityInput

NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))


def opportunity(user, account, name):
    return opp_svc.create_opportunity(
        user, account, OpportunityInput.parse({"name": name, "amount": "1000"}), now=NOW)


@pytest.fixture
def world(org, make_account):
    mine = make_account(by=org.rep, name="上海明珠机电有限公司")
    theirs = make_account(by=org.other_rep, name="广州明珠电器有限公司")
    return {
        "transformer": opportunity(org.rep, mine, "变压器扩容项目"),
        "cabinet": opportunity(org.rep, mine, "配电柜改造"),
        "other": opportunity(org.other_rep, theirs, "变压器采购"),
        "lead": create_lead(org.rep, {"name": "王芳", "company": "苏州精工机械有限公司",
                                      "phone": "13900001111", "email": "wf@jinggong.example",
                                      "timeframe": "immediate"}),
    }


def names(hits):
    return sorted(h.name for h in hits)


def test_a_rep_finds_their_opportunities_by_the_customers_pinyin_initials(org, world):
    assert names(search_opportunities(org.rep, "shmz")) == ["变压器扩容项目", "配电柜改造"]
    assert names(search_opportunities(org.rep, "mingzhu")) == ["变压器扩容项目", "配电柜改造"]


def test_a_rep_finds_an_opportunity_by_the_start_of_its_name_but_not_another_teams(org, world):
    assert names(search_opportunities(org.rep, "变压器")) == ["变压器扩容项目"]
    assert names(search_opportunities(org.other_rep, "变压器")) == ["变压器采购"]
    assert search_opportunities(org.rep, "扩容") == []  # a prefix, not any substring
    assert names(search_opportunities(org.other_rep, "gzmz")) == ["变压器采购"]
    assert search_opportunities(org.other_rep, "shmz") == []


@pytest.mark.parametrize("q", ["13900001111", "139 0000 1111", "139-0000-1111",
                               "+86 139 0000 1111", "008613900001111", "1390000"])
def test_a_lead_is_found_by_phone_in_any_format(org, world, q):
    assert [h.id for h in search_leads(org.rep, q)] == [world["lead"].pk]


def test_a_lead_is_found_by_email_and_company_and_hidden_from_another_team(org, world):
    assert [h.name for h in search_leads(org.rep, "wf@jing")] == [str(world["lead"])]
    assert [h.name for h in search_leads(org.rep, "苏州精工")] == [str(world["lead"])]
    assert search_leads(org.other_rep, "13900001111") == []
    assert search_leads(org.rep, "13800001111") == []


def test_the_opportunity_list_search_matches_customer_pinyin_and_name_start(org, world):
    def listed(q):
        return sorted(o.name for o in filter_opportunities(org.rep, {"q": q}, today=NOW.date()))
    assert listed("shmz") == ["变压器扩容项目", "配电柜改造"]
    assert listed("配电") == ["配电柜改造"]
    assert listed("gzmz") == []


def test_search_page_and_dropdown_group_opportunities_and_leads(org, world, client):
    client.force_login(org.rep)
    page = client.get(reverse("customers:search"), {"q": "139 0000 1111"}).content.decode()
    assert "王芳" in page and reverse("sales:lead_detail", args=[world["lead"].pk]) in page
    drop = client.get(reverse("customers:search"), {"q": "shmz"}, HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="global-search-results").content.decode()
    url = reverse("sales:opportunity", args=[world["transformer"].pk])
    assert f'class="search-hit" href="{url}"' in drop
    assert drop.index("上海明珠机电有限公司") < drop.index("变压器扩容项目")  # grouped by kind
    assert "变压器采购" not in drop


def test_api_search_returns_each_kind_with_its_page(org, world):
    hits = as_(org.rep).get("search", q="shmz").json()
    kinds = {(h["kind"], h["url"]) for h in hits}
    assert ("account", reverse("customers:detail", args=[world["transformer"].account_id])) \
        in kinds
    assert ("opportunity", reverse("sales:opportunity", args=[world["transformer"].pk])) in kinds
    leads = as_(org.rep).get("search", q="+86 139-0000-1111", kind="lead").json()
    assert [(h["kind"], h["url"]) for h in leads] == [
        ("lead", reverse("sales:lead_detail", args=[world["lead"].pk]))]
    assert as_(org.other_rep).get("search", q="shmz").json() == []


def test_query_count_does_not_grow_with_matches(org, world, make_account):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            search_opportunities(org.rep, "mingzhu")
            search_leads(org.rep, "苏州")
        return len(ctx)
    before = count()
    for i in range(5):
        account = make_account(by=org.rep, name=f"明珠{i}号有限公司")
        opportunity(org.rep, account, f"明珠项目{i}")
        create_lead(org.rep, {"name": f"客户{i}", "company": f"苏州{i}号厂",
                              "phone": f"1390000{i:04d}", "timeframe": "immediate"})
    assert count() == before
