"""A customer's standing (prospect → lead customer 线索客户 → customer): shown on the record,
filterable in the list and the API."""

from __future__ import annotations

from django.urls import reverse

from guanxi.core.tests.api_client import as_
from guanxi.customers.models import Account, Standing


def test_new_customers_are_prospects_and_the_list_filters_by_standing(org, make_account,
                                                                      client):
    prospect = make_account(name="上海潜在客户有限公司")
    lead = make_account(name="杭州线索客户有限公司")
    Account.objects.filter(pk=lead.pk).update(standing=Standing.LEAD)
    assert prospect.standing == Standing.PROSPECT

    client.force_login(org.rep)
    page = client.get(reverse("customers:list"), {"standing": "lead"}).content.decode()
    assert "杭州线索客户有限公司" in page and "上海潜在客户有限公司" not in page
    assert "Lead customer" in page

    rows = as_(org.rep).get("customers", standing="prospect").json()["items"]
    assert [r["name"] for r in rows] == ["上海潜在客户有限公司"]
    assert rows[0]["standing"] == "prospect"
