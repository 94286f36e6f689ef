"""The customer list through the shared list machinery: saved views (personal, shared with a
team, a default per user), bulk actions with a result per row, cells edited in place under
the version check, and the bounded row count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from guanxi.core import lists
from guanxi.core.models import SavedView
from guanxi.core.tests.api_client import as_
from guanxi.customers import services
from guanxi.customers.models import Account


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _names(response) -> list[str]:
    html = response.content.decode()
    return [a.name for a in Account.objects.all() if a.name in html]


def test_views_are_personal_or_shared_with_a_team_and_open_by_default(org, make_account):
    it = make_account(name="信息科技有限公司", industry="it")
    make_account(name="制造设备有限公司", industry="manufacturing")
    rep = _client(org.rep)
    # The rep saves a personal view and makes it their default.
    response = rep.post(reverse("core:list_view_save", args=["customers"]),
                        {"name": "我的IT客户", "query": "industry=it&sort=-updated&cols=name,phone"
                         "&density=compact&page=3", "default": "1"})
    mine = SavedView.objects.get(name="我的IT客户")
    assert response.status_code == 302 and mine.team_id is None
    assert mine.params == {"industry": "it", "sort": "-updated", "cols": "name,phone",
                           "density": "compact"}
    page = rep.get(reverse("customers:list"))  # no filter in the address: the default view
    assert _names(page) == [it.name] and b"density-compact" in page.content
    assert page.context["list_view"] == mine
    assert [c.key for c in page.context["list_columns"]] == ["name", "phone"]
    # ?view=0 is the plain list again.
    assert len(_names(rep.get(reverse("customers:list"), {"view": 0}))) == 2
    # Nobody else sees a personal view: not in their menu, and ?view=<id> is ignored.
    assert as_(org.teammate).get("lists/customers/views").json() == []
    other = _client(org.teammate).get(reverse("customers:list"), {"view": mine.pk})
    assert other.context["list_view"] is None
    # A rep may not share with the team; a manager over it may.
    refused = as_(org.rep).post("lists/customers/views",
                                {"name": "共享", "params": {"industry": "it"}, "share": True})
    assert refused.status_code == 403
    shared = as_(org.manager).post("lists/customers/views",
                                   {"name": "华东区全部", "params": {"sort": "name"},
                                    "share": True})
    assert shared.status_code == 201 and shared.json()["team_id"] == org.east.pk
    # Members of the team and the teams below it see it; another region does not.
    assert {v["name"] for v in as_(org.rep).get("lists/customers/views").json()} == {
        "我的IT客户", "华东区全部"}
    assert "华东区全部" in [v["name"] for v in
                         as_(org.hz_rep).get("lists/customers/views").json()]
    assert as_(org.other_rep).get("lists/customers/views").json() == []
    # Only the author or a manager over the team deletes it; filters the list refuses are
    # refused at the field.
    view_id = shared.json()["id"]
    assert as_(org.rep).delete(f"lists/customers/views/{view_id}").status_code == 403
    bad = as_(org.rep).post("lists/customers/views",
                            {"name": "坏", "params": {"industry": "rockets"}})
    assert bad.status_code == 400 and bad.json()["field"] == "industry"
    assert as_(org.rep).post("lists/customers/views",
                             {"name": "x", "params": {"sort": "registration_id"}}
                             ).json()["field"] == "sort"
    assert as_(org.manager).delete(f"lists/customers/views/{view_id}").status_code == 204
    assert as_(org.rep).get("lists/nothing/views").status_code == 404


def test_bulk_actions_report_each_row_and_refuse_what_the_service_refuses(org, make_account):
    own = [make_account(name=f"自有客户{n}有限公司") for n in range(3)]
    theirs = make_account(by=org.teammate, name="同事的客户有限公司")
    services.share_account(org.teammate, theirs, org.rep)  # the rep sees it, may not edit it
    # A rep tags own customers and a shared one: the shared one is refused, the rest change.
    body = {"action": "tag_add", "value": "重点", "ids": [a.pk for a in [*own, theirs]]}
    result = as_(org.rep).post("lists/customers/bulk", body).json()
    assert result["done"] == 3 and result["refused"] == 1
    refused = next(r for r in result["results"] if not r["ok"])
    assert refused["id"] == theirs.pk and refused["message"]
    assert set(theirs.tags.values_list("name", flat=True)) == set()
    assert all(a.tags.filter(name="重点").exists() for a in own)
    # A rep cannot hand customers to someone else: every row refused, none changes.
    result = as_(org.rep).post("lists/customers/bulk", {
        "action": "assign", "value": str(org.teammate.pk), "ids": [own[0].pk]}).json()
    assert result["done"] == 0 and result["results"][0]["message"]
    assert Account.objects.get(pk=own[0].pk).owner == org.rep
    # Rows the user does not see are "not found", never changed.
    hidden = make_account(by=org.other_rep, name="华南客户有限公司")
    result = as_(org.manager).post("lists/customers/bulk", {
        "action": "assign", "value": str(org.teammate.pk),
        "ids": [own[0].pk, own[1].pk, hidden.pk]}).json()
    assert (result["done"], result["refused"]) == (2, 1)
    assert Account.objects.get(pk=hidden.pk).owner == org.other_rep
    assert Account.objects.get(pk=own[0].pk).owner == org.teammate
    # "All that match" through the page: the manager archives every customer tagged 重点
    # that the filters select, and sees the result page.
    page = _client(org.manager).post(reverse("core:list_bulk", args=["customers"]), {
        "action": "archive", "all": "1", "query": "tag=重点"})
    assert page.status_code == 200 and page.context["done"] == 3
    assert not Account.objects.filter(pk__in=[a.pk for a in own], is_active=True).exists()
    # A missing input is refused at its field.
    missing = as_(org.manager).post("lists/customers/bulk", {"action": "tag_add",
                                                             "ids": [theirs.pk]})
    assert missing.status_code == 400 and missing.json()["field"] == "value"


def test_a_cell_saved_in_place_checks_the_version(org, make_account):
    account = make_account(name="内联编辑有限公司")
    url = reverse("core:list_inline", args=["customers", account.pk])
    rep = _client(org.rep)
    ok = rep.post(url, {"field": "phone", "value": "021-6234 5678",
                        "version": account.version})
    assert ok.status_code == 200 and ok.json()["version"] == account.version + 1
    account.refresh_from_db()
    assert account.phone and ok.json()["value"] == account.phone
    # The page still shows the old version: 409, nothing changes.
    stale = rep.post(url, {"field": "phone", "value": "021-1111 2222",
                           "version": account.version - 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert Account.objects.get(pk=account.pk).phone == account.phone
    # Only the listed safe fields; only those who may edit the customer.
    assert rep.post(url, {"field": "credit_limit", "value": "1",
                          "version": account.version}).status_code == 400
    services.share_account(org.rep, account, org.teammate)
    assert _client(org.teammate).post(url, {"field": "phone", "value": "1",
                                            "version": account.version}).status_code == 403
    assert _client(org.other_rep).post(url, {"field": "phone", "value": "1",
                                             "version": account.version}).status_code == 404
    assert Client().post(url).status_code == 302  # to the sign-in page


@pytest.mark.parametrize("persona", ["rep", "manager", "finance", "executive", "admin"])
def test_every_persona_opens_the_list_with_its_tools(org, make_account, persona):
    make_account(name="任意客户有限公司")
    response = _client(getattr(org, persona)).get(reverse("customers:list"))
    assert response.status_code == 200
    actions = {a["key"] for a in response.context["list_actions"]}
    assert ("assign" in actions) == (persona in ("manager", "admin"))
    assert response.context["list_count"].value >= (1 if persona != "finance" else 0)


def test_the_count_is_exact_below_the_threshold_and_bounded_above(org, make_account):
    for n in range(4):
        make_account(name=f"计数客户{n}有限公司")
    qs = Account.objects.filter(is_active=True)
    assert lists.count_rows(qs) == lists.RowCount(4, "exact")
    above = lists.count_rows(qs, exact_up_to=2)
    if connection.vendor == "postgresql":
        # The planner's figure for the query (small tables: at least the threshold + 1 or
        # "more").
        assert above.kind in ("estimate", "more") and above.value >= 2
    else:
        assert above == lists.RowCount(2, "more")
    page = _client(org.admin).get(reverse("customers:list"))
    assert "Showing 1–4 of 4" in page.content.decode()
