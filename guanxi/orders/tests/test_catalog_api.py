"""Products and prices API: every endpoint against every persona, cost hidden from those who
may not see it, field errors, 409 on stale versions, the resolved price."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from guanxi.core.tests.api_client import as_
from guanxi.core.tests.matrix import api_clients, assert_api_case, assert_every_endpoint_in
from guanxi.orders.models import PriceList, Product
from guanxi.orders.services import catalog as svc
from guanxi.orders.services.catalog import PriceItemInput, PriceListInput, ProductInput

P = ProductInput.parse
PL = PriceListInput.parse
PI = PriceItemInput.rows

PERSONAS = ["rep", "assistant", "manager", "finance", "executive", "other_rep", "admin",
            "anon", "readonly"]


@pytest.fixture
def world(org, make_account):
    product = svc.create_product(org.admin, P({"code": "TR-100", "name_zh": "变压器",
                                               "name_en": "Transformer", "list_price": "1200",
                                               "cost": "800"}))
    account = make_account(by=org.rep, name="上海明珠机电有限公司")
    group = svc.create_customer_group(org.admin, "经销商", [account])
    price_list = svc.create_price_list(org.admin, PL({"name": "经销商价", "group": group}),
                                       items=PI([{"product": product, "unit_price": "1000"}]))
    return SimpleNamespace(product=product, account=account, group=group,
                           price_list=price_list, org=org)


def _product_body(w):
    return {"code": "sv-1", "name_zh": "安装服务", "list_price": "300", "kind": "made_to_order"}


# (name, method, path, body, query, expected status per persona in PERSONAS order)
#                                                        rep ast mgr fin exe oth adm anon ro
CASES = [
    ("list products", "get", lambda w: "products", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("create product", "post", lambda w: "products", _product_body, None,
     "403 403 201 403 403 403 201 401 403"),
    ("get product", "get", lambda w: f"products/{w.product.pk}", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("update product", "patch", lambda w: f"products/{w.product.pk}",
     lambda w: {"version": w.product.version, "list_price": "1250"}, None,
     "403 403 200 403 403 403 200 401 403"),
    ("price", "get", lambda w: f"products/{w.product.pk}/price", None,
     lambda w: {"account_id": w.account.pk, "quantity": "2"},
     "200 200 200 200 200 404 200 401 200"),
    ("list price lists", "get", lambda w: "price-lists", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("create price list", "post", lambda w: "price-lists",
     lambda w: {"name": "标准价", "items": [{"product_id": w.product.pk,
                                             "unit_price": "1100"}]}, None,
     "403 403 201 403 403 403 201 401 403"),
    ("get price list", "get", lambda w: f"price-lists/{w.price_list.pk}", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("update price list", "patch", lambda w: f"price-lists/{w.price_list.pk}",
     lambda w: {"version": w.price_list.version, "active": False}, None,
     "403 403 200 403 403 403 200 401 403"),
    ("list groups", "get", lambda w: "customer-groups", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("create group", "post", lambda w: "customer-groups",
     lambda w: {"name": "重点客户", "account_ids": [w.account.pk]}, None,
     "403 403 201 403 403 403 201 401 403"),
    ("get group", "get", lambda w: f"customer-groups/{w.group.pk}", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("update group", "patch", lambda w: f"customer-groups/{w.group.pk}",
     lambda w: {"name": "一级经销商"}, None,
     "403 403 200 403 403 403 200 401 403"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_permission_matrix(case, org, world):
    name, method, path, body, query, expected = case
    clients = api_clients(org, PERSONAS, readonly=org.manager)
    assert_api_case(name, clients, world, method, path, body, expected, query=query)


def test_every_endpoint_is_in_the_matrix(org):
    assert_every_endpoint_in(as_(org.rep), {"Products and prices"}, CASES)


@pytest.mark.parametrize(("persona", "sees"), [
    ("rep", False), ("assistant", False), ("marketing", False), ("delivery", False),
    ("manager", True), ("finance", True), ("executive", True), ("admin", True)])
def test_cost_only_for_those_who_may_see_it(org, world, persona, sees):
    api = as_(getattr(org, persona))
    one = api.get(f"products/{world.product.pk}").json()
    listed = api.get("products").json()["items"][0]
    expected = "800.00" if sees else None
    assert one["cost"] == expected and listed["cost"] == expected
    assert one["list_price"] == "1200.00"


def test_product_errors_name_the_field_and_409(org, world):
    api = as_(org.manager)
    count = Product.objects.count()
    for body, field in (({"code": "tr-100", "name_zh": "x"}, "code"),
                        ({"code": "X", "name_zh": "x", "list_price": "-1"}, "list_price"),
                        ({"code": "X", "name_zh": "x", "currency": "RMB1"}, "currency"),
                        ({"code": "X", "name_zh": "x", "tax_rate": "150"}, "tax_rate")):
        response = api.post("products", body)
        assert response.status_code == 400, body
        assert response.json()["field"] == field
    assert Product.objects.count() == count
    read = world.product.version
    ok = api.patch(f"products/{world.product.pk}", {"version": read, "cost": "850"})
    assert ok.status_code == 200 and ok.json()["cost"] == "850.00"
    stale = api.patch(f"products/{world.product.pk}", {"version": read, "cost": "1"})
    assert stale.status_code == 409 and stale.json()["field"] == "version"


def test_product_list_filters_and_pages(org, world):
    svc.create_product(org.admin, P({"code": "SV-1", "name_zh": "安装服务",
                                     "kind": "made_to_order"}))
    svc.create_product(org.admin, P({"code": "OLD", "name_zh": "旧型号", "active": False}))
    api = as_(org.rep)
    codes = lambda **q: [p["code"] for p in api.get("products", **q).json()["items"]]  # noqa: E731
    assert codes() == ["OLD", "SV-1", "TR-100"]
    assert codes(q="transformer") == ["TR-100"]
    assert codes(q="服务") == ["SV-1"]
    assert codes(kind="made_to_order") == ["SV-1"]
    assert codes(active="false") == ["OLD"]
    first = api.get("products", limit=2).json()
    assert len(first["items"]) == 2 and first["next"]
    rest = api.get("products", limit=2, cursor=first["next"]).json()
    assert [p["code"] for p in rest["items"]] == ["TR-100"] and rest["next"] is None


def test_resolved_price(org, world):
    api = as_(org.rep)
    body = api.get(f"products/{world.product.pk}/price", account_id=world.account.pk).json()
    assert body["unit_price"] == "1000.00" and body["source"] == "group_price_list"
    assert body["price_list_id"] == world.price_list.pk
    general = api.get(f"products/{world.product.pk}/price").json()
    assert general["unit_price"] == "1200.00" and general["source"] == "list_price"
    missing = api.get(f"products/{world.product.pk}/price", currency="EUR")
    assert missing.status_code == 400 and missing.json()["field"] == "currency"


def test_price_list_items_in_one_call(org, world):
    api = as_(org.admin)
    url = f"price-lists/{world.price_list.pk}"
    version = world.price_list.version
    bad = api.patch(url, {"version": version, "items": [
        {"product_id": world.product.pk, "unit_price": "990"},
        {"product_id": world.product.pk, "unit_price": "-1", "min_quantity": "5"}]})
    assert bad.status_code == 400 and bad.json()["field"] == "items.1.unit_price"
    assert "Row 2" in bad.json()["detail"]
    ok = api.patch(url, {"version": version, "valid_until": "2026-12-31", "items": [
        {"product_id": world.product.pk, "unit_price": "990"},
        {"product_id": world.product.pk, "unit_price": "940", "min_quantity": "5"}]})
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert [(i["product_code"], i["unit_price"], i["min_quantity"]) for i in body["items"]] \
        == [("TR-100", "990.00", "1.000"), ("TR-100", "940.00", "5.000")]
    assert body["version"] == version + 1 and body["group"]["name"] == "经销商"
    reversed_dates = api.patch(url, {"version": body["version"], "valid_from": "2027-01-01"})
    assert reversed_dates.status_code == 400
    assert reversed_dates.json()["field"] == "valid_until"
    assert PriceList.objects.get(pk=world.price_list.pk).valid_from is None


def test_group_members_only_those_you_see(org, world, make_account):
    theirs = make_account(by=org.other_rep, name="深圳远方科技有限公司")
    api = as_(org.other_manager)
    response = api.patch(f"customer-groups/{world.group.pk}",
                         {"add_account_ids": [theirs.pk]})
    body = response.json()
    assert [m["name"] for m in body["members"]] == ["深圳远方科技有限公司"]
    assert body["hidden_members"] == 1 and body["member_count"] == 2
    refused = api.patch(f"customer-groups/{world.group.pk}",
                        {"remove_account_ids": [world.account.pk]})
    assert refused.status_code == 400 and refused.json()["field"] == "accounts"
    listed = as_(org.rep).get("customer-groups").json()
    assert listed == [{"id": world.group.pk, "name": "经销商", "member_count": 2}]
    assert world.group.accounts.count() == 2
    assert Decimal(as_(org.rep).get(
        f"products/{world.product.pk}/price", account_id=world.account.pk).json()
        ["unit_price"]) == Decimal("1000")
