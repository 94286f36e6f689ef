"""Who may do what with the installed base, on pages and endpoints, in each record state: a
permission matrix of personas (service agent, administrator, the customer's rep, another
team's rep, finance, executive, delivery) over assets in use and retired, published and
internal articles, the network; and the API's 4xx bodies naming the field at fault with nothing
written."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.core.tests.api_client import as_
from guanxi.service.models import Article, Asset, ServiceRecord, ServiceStation
from guanxi.service.services import assets as asset_svc
from guanxi.service.services.knowledge import ArticleInput, create_article
from guanxi.service.tests import assets_fixtures as fx
from guanxi.service.tests.assets_fixtures import VIN

pytestmark = pytest.mark.django_db
world = fx.world


@pytest.fixture
def states(world):
    retired = asset_svc.create_asset(world.agent, asset_svc.AssetInput(
        account=world.account, product=world.transformer, serial_number="TR-2019-001",
        status="retired"))
    internal = create_article(world.agent, ArticleInput(title="变压器油位低怎么办",
                                                        body="补油", keywords="油位"))
    published = create_article(world.agent, ArticleInput(title="How to read the oil gauge",
                                                         body="…", language="en",
                                                         visibility="published"))
    return world, retired, internal, published


def status(user, url: str, method: str = "get", data: dict | None = None) -> int:
    client = Client()
    client.force_login(user)
    return getattr(client, method)(url, data or {}).status_code


def test_page_matrix(states):
    w, retired, internal, published = states
    o = w.org
    a = w.asset
    expected = {
        f"/service/assets/{a.pk}/": {w.agent: 200, o.admin: 200, o.rep: 200, o.executive: 200,
                                     o.finance: 200, o.other_rep: 404, o.hz_rep: 404},
        "/service/assets/new/": {w.agent: 200, o.delivery: 200, o.admin: 200, o.rep: 403,
                                 o.finance: 403},
        f"/service/assets/{a.pk}/edit/": {w.agent: 200, o.admin: 200, o.rep: 403,
                                          o.other_rep: 404},
        f"/service/assets/{a.pk}/records/new/": {w.agent: 200, o.admin: 200, o.rep: 403,
                                                 o.delivery: 404},
        # A retired asset: only an administrator edits it, nobody adds visits.
        f"/service/assets/{retired.pk}/edit/": {w.agent: 403, o.admin: 200},
        f"/service/assets/{retired.pk}/records/new/": {w.agent: 403, o.admin: 403},
        f"/service/knowledge/{internal.pk}/": {w.agent: 200, o.manager: 200, o.rep: 404,
                                               o.finance: 404},
        f"/service/knowledge/{published.pk}/": {w.agent: 200, o.rep: 200, o.finance: 200},
        f"/service/knowledge/{published.pk}/edit/": {w.agent: 200, o.admin: 200,
                                                     o.rep: 403},
        "/service/stations/": {w.agent: 200, o.rep: 200},
        f"/service/stations/{w.dealer.pk}/": {w.agent: 200, o.rep: 200},
    }
    for url, cells in expected.items():
        got = {user.username: status(user, url) for user in cells}
        assert got == {user.username: code for user, code in cells.items()}, url


def test_a_published_article_is_edited_by_its_author_or_an_administrator(states, org):
    w, _retired, _internal, published = states
    other_agent = fx.make_user(org, "agent_b", "service")
    assert status(other_agent, f"/service/knowledge/{published.pk}/edit/") == 403
    assert status(other_agent, f"/service/knowledge/{_internal.pk}/edit/") == 200


def test_api_matrix(states):
    w, retired, internal, published = states
    o = w.org
    assert {x["id"] for x in as_(o.rep).get("service/assets").json()["items"]} == \
        {w.asset.pk, retired.pk}
    assert as_(o.other_rep).get("service/assets").json()["items"] == []
    assert as_(o.other_rep).get(f"service/assets/{w.asset.pk}").status_code == 404
    assert as_(o.rep).get("service/assets", q=VIN[-8:]).json()["items"][0]["vin"] == VIN
    body = {"account_id": w.account.pk, "product_id": w.car.pk, "serial_number": "SN-9"}
    assert as_(o.rep).post("service/assets", body).status_code == 403
    assert as_(o.finance).post("service/assets", body).status_code == 403
    assert as_(w.agent).post("service/assets", body).status_code == 201
    visit = {"station_id": w.dealer.pk, "performed_on": "2026-01-05", "work_done": "保养"}
    assert as_(o.rep).post(f"service/assets/{w.asset.pk}/records", visit).status_code == 403
    assert as_(w.agent).post(f"service/assets/{retired.pk}/records", visit).status_code == 403
    assert as_(o.rep).get("service/articles").json()[0]["id"] == published.pk
    assert {x["id"] for x in as_(w.agent).get("service/articles", q="youwei").json()} == \
        {internal.pk}
    assert as_(o.rep).get(f"service/articles/{internal.pk}").status_code == 404
    station = {"code": "S-BJ9", "name": "北京站", "province": "北京", "city": "北京"}
    assert as_(w.agent).post("service/stations", station).status_code == 403
    made = as_(o.admin).post("service/stations", station)
    assert made.status_code == 201 and made.json()["province"] == "110000"
    assert as_(o.rep).get("service/surveys").status_code == 403
    assert as_(o.executive).get("service/surveys").status_code == 200


def test_api_bad_input_names_the_field_and_writes_nothing(world):
    o = world.org
    before = Asset.objects.count()
    wrong = VIN[:8] + ("1" if VIN[8] != "1" else "2") + VIN[9:]
    r = as_(world.agent).post("service/assets", {
        "account_id": world.other.pk, "product_id": world.car.pk, "vin": wrong,
        "coverages": [{"kind": "whole_unit", "starts_on": "2026-01-01",
                       "ends_on": "2028-12-31"}]})
    assert r.status_code == 400 and r.json()["field"] == "vin"
    assert "check digit" in r.json()["detail"]
    r = as_(world.agent).post("service/assets", {"account_id": 999999, "product_id":
                                                 world.car.pk, "serial_number": "X"})
    assert r.status_code == 400 and r.json()["field"] == "account_id"
    assert Asset.objects.count() == before
    r = as_(world.agent).post(f"service/assets/{world.asset.pk}/records", {
        "station_id": world.dealer.pk, "performed_on": "2026-06-02", "failure_on":
        "2026-06-01", "work_done": "换水泵", "warranty_claim": True,
        "parts": [{"part_number": "WP-1", "quantity": "1", "unit_price": "650",
                   "covered": True}]})
    assert r.status_code == 400 and r.json()["field"] == "parts[0].covered"
    assert "expired on" in r.json()["detail"]
    assert not ServiceRecord.objects.exists()
    check = as_(o.rep).get(f"service/assets/{world.asset.pk}/warranty", on="2026-06-01",
                           part_number="bat-1").json()
    assert check["covered"] and check["coverage"]["kind"] == "parts"
    check = as_(o.rep).get(f"service/assets/{world.asset.pk}/warranty", on="2026-06-01").json()
    assert not check["covered"] and "expired on" in check["reason"]
    r = as_(o.admin).post("service/stations", {"code": "D-SH01", "name": "x", "province":
                                               "上海", "city": "上海"})
    assert r.status_code == 400 and r.json()["field"] == "code"
    assert ServiceStation.objects.filter(code="D-SH01").count() == 1
    assert not Article.objects.exists()


def test_ctrl_k_and_the_360_page_show_assets_and_records(world):
    from guanxi.service.services import records as rec

    rec.add_record(world.agent, world.asset, rec.RecordInput(
        station=world.dealer, technician=world.tech, performed_on=world.asset.purchase_date,
        work_done="首次保养 first service"))
    assert VIN in str(as_(world.org.rep).get("search", q=VIN[-8:]).json())
    assert VIN not in str(as_(world.org.other_rep).get("search", q=VIN).json())
    client = Client()
    client.force_login(world.org.rep)
    page = client.get(f"/customers/{world.account.pk}/").content.decode()
    assert "Buick GL8" in page and "首次保养" in page and "张师傅" in page
