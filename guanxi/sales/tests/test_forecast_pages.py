"""The forecast and funnel pages: who may open them, whose figures they show, chart data that
clicks through to the opportunity list, and both languages."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.sales.tests import forecast_fixtures

sales = forecast_fixtures.sales

SPAN = {"from": "2026-06-01", "to": "2027-01-31"}
PAGES = ["sales:forecast", "sales:funnel"]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: forecast_fixtures.TODAY)


def client(user):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def chart(response, name):
    html = response.content.decode()
    start = html.index(f'<script id="{name}" type="application/json">') + len(
        f'<script id="{name}" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


# Every page against every persona: all signed-in users see their own scope's figures.
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["rep", "teammate", "manager", "assistant", "finance",
                                 "other_rep", "other_manager", "admin", "executive",
                                 "marketing"])
def test_every_signed_in_user_may_open_the_pages(org, page, who):
    assert client(getattr(org, who)).get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(db, page):
    response = client(None).get(reverse(page))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("page", PAGES)
def test_the_chart_scripts_run_under_the_pages_policy(org, page):
    response = client(org.rep).get(reverse(page))
    nonce = response.wsgi_request.csp_nonce
    assert f"script-src 'self' 'nonce-{nonce}'" in response["Content-Security-Policy"]
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    inline = [s for s in scripts if "src=" not in s and "application/json" not in s]
    assert all(f'nonce="{nonce}"' in s for s in inline)


def test_forecast_page_shows_the_callers_scope_only(org, sales):
    rep = client(org.rep).get(reverse("sales:forecast"), SPAN)
    assert "王芳" in rep.content.decode()
    assert "李强" not in rep.content.decode() and "黄伟" not in rep.content.decode()
    other = client(org.other_manager).get(reverse("sales:forecast"), SPAN)
    assert [r["name"] for r in other.context["data"]["by_rep"]] == ["黄伟"]
    manager = client(org.manager).get(reverse("sales:forecast"), SPAN)
    assert manager.context["data"]["totals"]["weighted"] == 47000


def test_forecast_chart_points_open_the_matching_opportunities(org, sales):
    response = client(org.admin).get(reverse("sales:forecast"), SPAN)
    data = chart(response, "forecast-data")
    assert data["periods"][5] == "2026-11"
    tender = next(s for s in data["stages"] if s["name"] == "Tender / bid")
    point = tender["data"][5]
    assert (point["value"], point["count"]) == ("19500.00", 1)
    url = urlsplit(point["url"])
    assert url.path == reverse("sales:opportunities")
    assert parse_qs(url.query) == {
        "pipeline": [str(sales.pipeline.pk)], "status": ["open"],
        "stage": [str(sales.stages["tender"].pk)], "close_from": ["2026-11-01"],
        "close_to": ["2026-11-30"]}
    won = parse_qs(urlsplit(data["won"][1]["url"]).query)
    assert (won["status"], won["close_from"]) == (["won"], ["2026-07-01"])


def test_team_filter_is_kept_in_the_chart_links(org, sales):
    response = client(org.admin).get(reverse("sales:forecast"), SPAN | {"team": org.east.pk})
    data = chart(response, "forecast-data")
    assert parse_qs(urlsplit(data["won"][1]["url"]).query)["team"] == [str(org.east.pk)]
    assert response.context["data"]["totals"]["weighted"] == 47000


def test_quarter_switch(org, sales):
    response = client(org.admin).get(reverse("sales:forecast"), {"period": "quarter"})
    assert chart(response, "forecast-data")["periods"][0] == "2026-Q2"


def test_bad_filters_fall_back_and_say_so(org, sales):
    response = client(org.rep).get(reverse("sales:forecast"), {"from": "soon"})
    assert response.status_code == 200
    assert "Some filters were not understood" in response.content.decode()


def test_funnel_page_figures_and_links(org, sales):
    response = client(org.admin).get(reverse("sales:funnel"),
                                     {"from": "2026-06-01", "to": "2026-11-30"})
    data = chart(response, "funnel-data")
    assert [s["value"] for s in data["steps"]] == [9, 8, 6, 4, 3, 2]
    assert parse_qs(urlsplit(data["steps"][2]["url"]).query)["stage"] == [
        str(sales.stages["quotation"].pk)]
    price = data["reasons"][0]
    assert (price["name"], price["value"]) == ("Price too high", 2)
    assert parse_qs(urlsplit(price["url"]).query)["loss_reason"] == ["price"]
    won_3m = data["by_timeframe"]["series"]["won"][1]
    assert won_3m["value"] == 1
    assert parse_qs(urlsplit(won_3m["url"]).query)["timeframe"] == ["3m"]
    assert "40%" in response.content.decode()  # win rate
    assert "40 days" in response.content.decode()  # sales cycle


def test_pages_in_chinese(org, sales):
    org.admin.language = "zh-hans"
    org.admin.save(update_fields=["language"])
    c = client(org.admin)
    html = c.get(reverse("sales:funnel"), {"from": "2026-06-01", "to": "2026-11-30"},
                 HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "发现商机" in html and "赢单" in html
    assert 'lang="zh' in html
