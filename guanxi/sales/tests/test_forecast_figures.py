"""Forecast and funnel figures on the hand-countable world of ``forecast_fixtures``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.errors import FieldErrors
from guanxi.sales.selectors import forecast as fc
from guanxi.sales.tests import forecast_fixtures
from guanxi.sales.tests.forecast_fixtures import TODAY

sales = forecast_fixtures.sales

D = Decimal


def filters(user, **params):
    return fc.parse_filters(user, params, today=TODAY)


def test_weighted_pipeline_by_month_and_stage(org, sales):
    f = filters(org.admin, **{"from": "2026-06-01", "to": "2027-01-31"})
    data = fc.forecast(org.admin, f)
    keys = [p["key"] for p in data["periods"]]
    assert keys == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11",
                    "2026-12", "2027-01"]
    by_stage = {s["key"]: s["weighted"] for s in data["stages"]}
    assert by_stage["quotation"][6] == D("5000.00")
    assert by_stage["discovery"][6] == D("2000.00")
    assert by_stage["tender"][5] == D("19500.00")
    assert by_stage["contract_review"][7] == D("40000.00")
    assert sum(map(sum, by_stage.values())) == D("66500.00")
    assert data["open_weighted"] == [0, 0, 0, 0, 0, D("19500"), D("7000"), D("40000")]
    # closed won by closing month, and won + weighted as the forecast
    assert data["won"] == [0, D("12000"), D("8000"), 0, 0, 0, 0, 0]
    assert data["forecast"] == [0, D("12000"), D("8000"), 0, 0, D("19500"), D("7000"),
                                D("40000")]
    assert data["totals"] == {"count": 4, "amount": D("110000"), "weighted": D("66500"),
                              "commit": D("50000"), "best_case": D("90000"), "won_count": 2,
                              "won": D("20000")}


def test_quarters_and_a_window_that_leaves_deals_out(org, sales):
    f = filters(org.admin, period="quarter", **{"from": "2026-07-01", "to": "2026-12-31"})
    data = fc.forecast(org.admin, f)
    assert [p["key"] for p in data["periods"]] == ["2026-Q3", "2026-Q4"]
    # o3 closes in January: left out; w1 and w2 were won in Q3, o1, o2, o4 close in Q4
    assert data["won"] == [D("20000"), 0]
    assert data["open_weighted"] == [0, D("26500")]
    assert data["totals"]["count"] == 3


def test_by_rep_and_by_team(org, sales):
    data = fc.forecast(org.admin, filters(org.admin, **{"from": "2026-06-01",
                                                        "to": "2027-01-31"}))
    reps = {r["name"]: r for r in data["by_rep"]}
    assert [r["name"] for r in data["by_rep"]] == ["李强", "黄伟", "王芳"]  # most weighted first
    assert (reps["王芳"]["count"], reps["王芳"]["weighted"], reps["王芳"]["won"]) == \
        (2, D("7000"), D("8000"))
    assert (reps["李强"]["weighted"], reps["李强"]["commit"], reps["李强"]["won"]) == \
        (D("40000"), D("50000"), D("12000"))
    teams = {t["name"]: t for t in data["by_team"]}
    # each region adds up its teams, the company everything
    assert teams["上海一组"]["weighted"] == teams["华东区"]["weighted"] == D("47000")
    assert teams["深圳组"]["weighted"] == teams["华南区"]["weighted"] == D("19500")
    assert teams["Acme 集团"]["weighted"] == D("66500")
    assert teams["Acme 集团"]["won"] == D("20000")
    assert [t["name"] for t in data["by_team"]] == ["Acme 集团", "华东区", "上海一组", "华南区",
                                                    "深圳组"]


def test_filters_by_owner_and_team_subtree(org, sales):
    span = {"from": "2026-06-01", "to": "2027-01-31"}
    mine = fc.forecast(org.admin, filters(org.admin, owner=str(org.rep.pk), **span))
    assert mine["totals"]["weighted"] == D("7000")
    east = fc.forecast(org.admin, filters(org.admin, team=str(org.east.pk), **span))
    assert east["totals"]["weighted"] == D("47000")


def test_stage_conversion_counts_each_deal_once_per_stage_reached(org, sales):
    f = fc.parse_filters(org.admin, {"from": "2026-06-01", "to": "2026-11-30"}, kind="funnel",
                         today=TODAY)
    steps = fc.funnel(org.admin, f)["steps"]
    # furthest: o1 quotation, o2 tracking (moved back), o3 contract review (skipped three),
    # o4 tender, w1 and w2 won (w2 skipped two), l1 quotation, l2 tracking, l3 discovery
    assert [(s["key"], s["reached"]) for s in steps] == [
        ("discovery", 9), ("tracking", 8), ("quotation", 6), ("tender", 4),
        ("contract_review", 3), ("won", 2)]
    assert [s["conversion"] for s in steps] == [D("88.9"), D("75.0"), D("66.7"), D("75.0"),
                                                D("66.7"), None]
    assert steps[-1]["of_first"] == D("22.2")


def test_win_rate_cycle_length_and_loss_reasons(org, sales):
    f = fc.parse_filters(org.admin, {"from": "2026-06-01", "to": "2026-11-30"}, kind="funnel",
                         today=TODAY)
    data = fc.funnel(org.admin, f)
    assert data["win_rate"] == {"won": 2, "lost": 3, "rate": D("40.0"),
                                "won_amount": D("20000"), "lost_amount": D("15000")}
    assert data["cycle_days"] == D("40.0")  # (50 + 30) / 2
    assert [(r["key"], r["count"], r["amount"]) for r in data["loss_reasons"]] == [
        ("price", 2, D("8000")), ("competitor", 1, D("7000"))]
    # closed from September on: w1 and w2 were won before, so no win and no cycle
    late = fc.funnel(org.admin, fc.parse_filters(
        org.admin, {"from": "2026-09-01", "to": "2026-11-30"}, kind="funnel", today=TODAY))
    assert late["win_rate"]["rate"] == D("0.0")
    assert late["cycle_days"] is None


def test_lead_conversion_by_source_and_timeframe(org, sales):
    f = fc.parse_filters(org.admin, {"from": "2026-06-01", "to": "2026-11-30"}, kind="funnel",
                         today=TODAY)
    data = fc.funnel(org.admin, f)
    source = {r["key"]: (r["leads"], r["converted"], r["won"], r["conversion"], r["win"])
              for r in data["by_source"]}
    # L7 was created before the period and does not count
    assert source == {"exhibition": (3, 2, 1, D("66.7"), D("33.3")),
                      "website": (3, 1, 0, D("33.3"), D("0.0"))}
    timeframe = {r["key"]: (r["leads"], r["converted"], r["won"]) for r in data["by_timeframe"]}
    assert timeframe == {"immediate": (1, 0, 0), "3m": (3, 2, 1), "12m": (2, 1, 0)}
    assert [r["key"] for r in data["by_timeframe"]] == ["immediate", "3m", "12m"]


@pytest.mark.parametrize(("who", "weighted", "won", "reached"), [
    ("rep", D("7000"), D("8000"), 4),  # own deals only: o1, o2, w1, l1
    ("teammate", D("40000"), D("12000"), 3),
    ("manager", D("47000"), D("20000"), 7),  # 华东区 subtree
    ("other_manager", D("19500"), D("0"), 2),  # 华南区: none of 上海一组's
    ("finance", D("66500"), D("20000"), 9),
    ("marketing", D("0"), D("0"), 0),
])
def test_each_role_sees_the_figures_of_its_scope(org, sales, who, weighted, won, reached):
    user = getattr(org, who)
    data = fc.forecast(user, filters(user, **{"from": "2026-06-01", "to": "2027-01-31"}))
    assert (data["totals"]["weighted"], data["totals"]["won"]) == (weighted, won)
    funnel = fc.funnel(user, fc.parse_filters(user, {"from": "2026-06-01", "to": "2026-11-30"},
                                              kind="funnel", today=TODAY))
    assert (funnel["steps"][0]["reached"] if funnel["steps"] else 0) == reached


def test_lead_conversion_is_scoped(org, sales):
    f = fc.parse_filters(org.other_rep, {"from": "2026-06-01"}, kind="funnel", today=TODAY)
    assert fc.funnel(org.other_rep, f)["by_source"] == []


def test_default_ranges():
    assert fc.default_range("forecast", "month", TODAY) == (dt.date(2026, 6, 1),
                                                            dt.date(2027, 5, 31))
    assert fc.default_range("forecast", "quarter", TODAY) == (dt.date(2026, 4, 1),
                                                              dt.date(2027, 12, 31))
    assert fc.default_range("funnel", "month", TODAY) == (dt.date(2025, 12, 1),
                                                          dt.date(2026, 11, 30))


@pytest.mark.parametrize(("params", "field"), [
    ({"period": "week"}, "period"), ({"from": "2026-13-01"}, "from"),
    ({"from": "2026-06-01", "to": "2026-01-01"}, "to"), ({"pipeline": "999999"}, "pipeline"),
    ({"owner": "abc"}, "owner"), ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
])
def test_bad_filters_name_the_field(org, params, field):
    with pytest.raises(FieldErrors) as exc:
        fc.parse_filters(org.rep, params, today=TODAY)
    assert field in exc.value.errors


def test_the_team_and_owner_choices_follow_the_scope(org):
    from guanxi.sales.selectors import forecast as sel

    assert set(sel.team_choices(org.manager)) == {org.east, org.team_a, org.team_a2}
    assert {org.team_b, org.company} <= set(sel.team_choices(org.finance))
    assert list(sel.owner_choices(org.rep)) == [org.rep]  # a rep narrows to themself only
    managers = set(sel.owner_choices(org.manager))
    assert {org.rep, org.hz_rep, org.manager} <= managers and org.other_rep not in managers
    assert org.other_rep in set(sel.owner_choices(org.executive))
