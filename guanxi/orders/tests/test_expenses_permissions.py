"""Sales expenses: every page and API endpoint against every persona.

The world: rep's draft claim and rep's claim waiting for the sales manager, both on rep's
customer 上海明珠 (team A, under the manager's east region)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from guanxi.core.tests.api_client import as_
from guanxi.core.tests.matrix import (
    api_clients,
    assert_api_case,
    assert_every_endpoint_in,
    assert_page_case,
    page_clients,
)
from guanxi.orders.services import expenses as svc
from guanxi.orders.tests import expenses_fixtures
from guanxi.orders.views.expenses import urls as expense_urls

world = expenses_fixtures.world

PAGE_PERSONAS = ["rep", "teammate", "hz_rep", "manager", "finance", "other_rep",
                 "other_manager", "admin", "marketing", "anon"]


@pytest.fixture
def claims(world):
    o = world.org
    base = {"account": world.acc.pk, "category": "travel", "amount": "800",
            "spent_on": dt.date(2026, 1, 5), "description": "拜访客户"}
    world.draft = svc.create_claim(o.rep, svc.ClaimInput.parse(base))
    world.waiting = svc.create_claim(o.rep, svc.ClaimInput.parse(base | {"category": "gifts"}))
    svc.submit_claim(o.rep, world.waiting, world.waiting.version)
    world.waiting.refresh_from_db()
    return world


# (url name, method, args, post data, expected per persona in PAGE_PERSONAS order)
#                                                     rep tm  hz  mgr fin oth omg adm mkt anon
PAGE_CASES = [
    ("expenses", "get", lambda w: [], None, "200 200 200 200 200 200 200 200 403 302"),
    ("expense_create", "get", lambda w: [], None,
     "200 200 200 200 403 200 200 200 403 302"),
    ("expense_report", "get", lambda w: [], None,
     "200 200 200 200 200 200 200 200 403 302"),
    ("expense", "get", lambda w: [w.draft.pk], None,
     "200 404 404 200 200 404 404 200 404 302"),
    ("expense_edit", "get", lambda w: [w.draft.pk], None,
     "200 404 404 403 403 404 404 403 404 302"),
    ("expense_action", "post", lambda w: [w.draft.pk],
     lambda w: {"action": "submit", "version": w.draft.version},
     "302 404 404 403 403 404 404 403 404 302"),
]


@pytest.mark.parametrize("case", PAGE_CASES, ids=[c[0] for c in PAGE_CASES])
def test_page_permission_matrix(case, claims):
    name, method, args, data, expected = case
    url = reverse(f"orders:{name}", args=args(claims))
    assert_page_case(name, page_clients(claims.org, PAGE_PERSONAS), claims, method, url, data,
                     expected)


def test_every_page_is_in_the_matrix():
    assert {p.name for p in expense_urls} == {c[0] for c in PAGE_CASES}


API_PERSONAS = PAGE_PERSONAS + ["readonly"]

# (name, method, path, body, expected per persona in API_PERSONAS order)
#                                                   rep tm  hz  mgr fin oth omg adm mkt anon ro
API_CASES = [
    ("list", "get", lambda w: "expenses", None,
     "200 200 200 200 200 200 200 200 403 401 200"),
    ("create", "post", lambda w: "expenses",
     lambda w: {"account_id": w.acc.pk, "category": "samples", "amount": "120.00",
                "spent_on": "2026-01-08", "description": "样品"},
     "201 400 400 201 403 400 400 201 403 401 403"),
    ("report", "get", lambda w: "expenses/report", None,
     "200 200 200 200 200 200 200 200 403 401 200"),
    ("get", "get", lambda w: f"expenses/{w.draft.pk}", None,
     "200 404 404 200 200 404 404 200 404 401 200"),
    ("update", "patch", lambda w: f"expenses/{w.draft.pk}",
     lambda w: {"version": w.draft.version, "amount": "900"},
     "200 404 404 403 403 404 404 403 404 401 403"),
    ("submit", "post", lambda w: f"expenses/{w.draft.pk}/submit",
     lambda w: {"version": w.draft.version},
     "200 404 404 403 403 404 404 403 404 401 403"),
    ("withdraw", "post", lambda w: f"expenses/{w.waiting.pk}/withdraw",
     lambda w: {"version": w.waiting.version},
     "200 404 404 403 403 404 404 403 404 401 403"),
]


@pytest.mark.parametrize("case", API_CASES, ids=[c[0] for c in API_CASES])
def test_api_permission_matrix(case, claims):
    name, method, path, body, expected = case
    clients = api_clients(claims.org, API_PERSONAS)
    assert_api_case(name, clients, claims, method, path, body, expected)


def test_every_endpoint_is_in_the_matrix(org):
    assert_every_endpoint_in(as_(org.rep), {"Expenses"}, API_CASES)


def test_api_field_errors_conflicts_and_the_report(claims):
    api = as_(claims.org.rep)
    response = api.post("expenses", {"account_id": claims.acc.pk, "category": "travel",
                                     "amount": "0", "spent_on": "2026-01-08",
                                     "description": "x"})
    assert response.status_code == 400 and "amount" in response.json()["errors"]
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = api.post("expenses", {"opportunity_id": claims.opp2.pk, "category": "travel",
                                     "amount": "10", "spent_on": future,
                                     "description": "x"})
    assert response.status_code == 400 and "spent_on" in response.json()["errors"]
    response = api.patch(f"expenses/{claims.draft.pk}", {"version": 99, "amount": "5"})
    assert response.status_code == 409
    response = api.post(f"expenses/{claims.draft.pk}/submit",
                        {"version": claims.draft.version})
    body = response.json()
    assert response.status_code == 200 and body["status"] == "submitted"
    review = as_(claims.org.manager).get(f"reviews/{body['review_id']}").json()
    assert [s["name_en"] for s in review["steps"]] == ["Sales manager"]
    response = as_(claims.org.manager).post(f"reviews/{body['review_id']}/decide", {
        "decision": "approve", "version": review["version"]})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    report = as_(claims.org.finance).get("expenses/report", group_by="customer",
                                         **{"from": "2026-01-01", "to": "2026-01-31"})
    assert report.status_code == 200
    data = report.json()
    assert data["count"] == 1 and data["amount"] == "800.00"
    assert data["rows"][0]["label"] == "上海明珠机电有限公司"
    months = as_(claims.org.finance).get("expenses/report", group_by="month",
                                         **{"from": "2026-01-01", "to": "2026-12-31"})
    assert [(r["label"], r["amount"]) for r in months.json()["rows"]] == [
        ("2026-01", "800.00")]
    mine = api.get("expenses", show="mine", status="draft").json()["items"]
    assert mine == []
