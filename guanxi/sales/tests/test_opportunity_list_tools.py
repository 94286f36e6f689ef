"""The opportunity list in the shared list machinery: bulk stage change row by row, the row
count, saved views."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from guanxi.core.tests.api_client import as_
from guanxi.sales.models import Opportunity
from guanxi.sales.tests.work_fixtures import make_opportunity


def test_bulk_stage_change_reports_each_row(org, make_account):
    mine = make_opportunity(make_account(by=org.rep, name="上海明珠机电有限公司"), org.rep)
    other = make_opportunity(make_account(by=org.other_rep, name="深圳华强有限公司"),
                             org.other_rep, name="南方项目")
    target = mine.pipeline.stages.filter(kind="open").order_by("position")[1]
    result = as_(org.rep).post("lists/opportunities/bulk", {
        "action": "stage", "value": target.key, "ids": [mine.pk, other.pk]}).json()
    assert (result["done"], result["refused"]) == (1, 1)
    assert Opportunity.objects.get(pk=mine.pk).stage == target
    assert Opportunity.objects.get(pk=other.pk).stage != target  # not the rep's to see
    bad = as_(org.rep).post("lists/opportunities/bulk", {
        "action": "stage", "value": "no-such-stage", "ids": [mine.pk]}).json()
    assert bad["done"] == 0 and bad["results"][0]["message"]

    client = Client()
    client.force_login(org.rep)
    page = client.get(reverse("sales:opportunities"))
    assert page.status_code == 200 and page.context["list_count"].value == 1
    assert [a["key"] for a in page.context["list_actions"]] == ["stage"]
    assert b'data-list-table="opportunities"' in page.content
    view = as_(org.rep).post("lists/opportunities/views",
                             {"name": "本月", "params": {"sort": "-amount"}}).json()
    assert client.get(reverse("sales:opportunities"),
                      {"view": view["id"]}).context["list_view"].pk == view["id"]
