"""The forecast API: who may call it, whose figures each caller gets, and bad filters."""

from __future__ import annotations

import pytest
from django.utils import timezone

from guanxi.core.tests.api_client import as_
from guanxi.sales.tests import forecast_fixtures

sales = forecast_fixtures.sales

PERSONAS = ["rep", "teammate", "manager", "assistant", "finance", "other_rep", "admin", "anon",
            "readonly"]
SPAN = {"from": "2026-06-01", "to": "2027-01-31"}

# (name, method, path, query, expected status per persona in PERSONAS order)
#                                      rep tm  mgr ast fin oth adm anon ro
CASES = [
    ("forecast", "get", "forecast", SPAN, "200 200 200 200 200 200 200 401 200"),
    ("funnel", "get", "funnel", SPAN, "200 200 200 200 200 200 200 401 200"),
]
TAGS = {"forecast"}


def _client(org, persona):
    if persona == "anon":
        return as_(None)
    if persona == "readonly":
        return as_(org.rep, scope="read")
    return as_(getattr(org, persona))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_permission_matrix(case, org):
    name, method, path, query, expected = case
    wrong = []
    for persona, status in zip(PERSONAS, expected.split(), strict=True):
        response = getattr(_client(org, persona), method)(path, **query)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status})")
        elif response.status_code >= 400:
            assert response.json()["detail"], persona
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def test_every_endpoint_is_in_the_matrix(org):
    paths = as_(org.rep).get("openapi.json").json()["paths"]
    documented = {(m, p) for p, ops in paths.items() for m, op in ops.items()
                  if TAGS & set(op.get("tags", []))}
    assert documented == {(m, f"/api/{p}") for _n, m, p, *_rest in CASES}


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: forecast_fixtures.TODAY)


@pytest.mark.parametrize(("who", "weighted", "reps"), [
    ("rep", "7000.00", ["王芳"]),
    ("manager", "47000.00", ["李强", "王芳"]),
    ("other_manager", "19500.00", ["黄伟"]),
    ("admin", "66500.00", ["李强", "黄伟", "王芳"]),
])
def test_each_caller_gets_the_figures_of_their_scope(org, sales, who, weighted, reps):
    body = as_(getattr(org, who)).get("forecast", **SPAN).json()
    assert body["totals"]["weighted"] == weighted
    assert [r["name"] for r in body["by_rep"]] == reps
    assert body["filters"]["pipeline"] == sales.pipeline.pk
    assert body["periods"][0] == {"key": "2026-06", "start": "2026-06-01", "end": "2026-06-30"}


def test_funnel_over_the_api(org, sales):
    body = as_(org.admin).get("funnel", **{"from": "2026-06-01", "to": "2026-11-30"}).json()
    assert [s["reached"] for s in body["steps"]] == [9, 8, 6, 4, 3, 2]
    assert body["steps"][0]["conversion"] == "88.9"
    assert body["win_rate"]["rate"] == "40.0"
    assert body["cycle_days"] == "40.0"
    assert body["loss_reasons"][0] == {"key": "price", "label": "Price too high", "count": 2,
                                       "amount": "8000.00"}
    assert {r["key"]: r["won"] for r in body["by_timeframe"]} == {"immediate": 0, "3m": 1,
                                                                  "12m": 0}
    other = as_(org.other_manager).get("funnel", **{"from": "2026-06-01", "to": "2026-11-30"})
    assert [s["reached"] for s in other.json()["steps"]] == [2, 2, 1, 1, 0, 0]


@pytest.mark.parametrize(("query", "status", "field"), [
    ({"from": "2026-06-01", "to": "2026-01-01"}, 400, "to"),
    ({"pipeline": 999999}, 400, "pipeline"),
    ({"period": "week"}, 422, None),
])
def test_bad_filters_are_refused_naming_the_field(org, query, status, field):
    response = as_(org.rep).get("forecast", **query)
    assert response.status_code == status
    if field:
        assert response.json()["field"] == field
