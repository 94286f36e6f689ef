"""Orders and shipments API: every endpoint against every persona, and what a client relies on
(201 then 200 on converting twice, errors naming the field, 409 on a stale version)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from guanxi.accounts.models import User, UserRole
from guanxi.core.tests.api_client import as_
from guanxi.core.tests.matrix import api_clients, assert_api_case, assert_every_endpoint_in
from guanxi.customers.models import Account
from guanxi.orders.models import SalesOrder, Shipment
from guanxi.orders.services import execution, reviews
from guanxi.orders.services import orders as svc
from guanxi.orders.services.execution import ShipmentInput, ShipmentLineInput
from guanxi.orders.services.orders import OrderInput
from guanxi.orders.tests import fulfilment_fixtures as fx
from guanxi.orders.tests.fulfilment_fixtures import make_contract, make_quote

shop = fx.shop
PERSONAS = ["rep", "teammate", "hz_rep", "manager", "finance", "other_rep", "delivery",
            "delivery2", "admin", "anon", "readonly"]


@pytest.fixture
def world(shop):
    org = shop.org
    org.delivery2 = User.objects.create_user(username="delivery2", password="pw-Guanxi-2026",
                                             email="delivery2@example.com", team=org.company,
                                             language="en")
    UserRole.objects.create(user=org.delivery2, role="delivery")
    order = svc.order_from_quote(org.rep, shop.quote,
                                 OrderInput.parse({"delivery_owner": org.delivery.pk,
                                                   "promised_date": "2030-01-10"}))
    first = order.lines.order_by("position").first()
    shipment = execution.add_shipment(org.delivery, order,
                                      ShipmentInput.parse({"carrier": "顺丰",
                                                           "tracking_number": "SF0001"}),
                                      ShipmentLineInput.rows([
                                          {"order_line": first.pk, "quantity": "2"}]),
                                      order.version)
    order.refresh_from_db()
    spare = svc.order_from_quote(org.rep, make_quote(shop.account, org.rep,
                                                     [(shop.stock, "1")]),
                                 OrderInput.parse({"delivery_owner": org.delivery.pk}))
    returned = svc.order_from_quote(org.rep, make_quote(shop.account, org.rep,
                                                        [(shop.custom, "1")]),
                                    OrderInput.parse({"delivery_owner": org.delivery.pk}))
    returned.review.refresh_from_db()
    reviews.decide(org.delivery, returned.review, "return", "请确认颜色")
    returned.refresh_from_db()
    return SimpleNamespace(
        org=org, shop=shop, order=order, line=first, shipment=shipment, spare=spare,
        returned=returned, quote=make_quote(shop.account, org.rep, [(shop.stock, "2")]),
        contract=make_contract(shop.account, org.rep,
                               make_quote(shop.account, org.rep, [(shop.stock, "3")])))


# (name, method, path, body, expected status per persona in PERSONAS order)
#                                                   rep tm  hz  mgr fin oth del de2 adm ano ro
CASES = [
    ("list", "get", lambda w: "orders", None,
     "200 200 200 200 200 200 200 200 200 401 200"),
    ("from quote", "post", lambda w: f"quotes/{w.quote.pk}/order", lambda w: {},
     "201 404 404 201 201 404 404 404 201 401 403"),
    ("from contract", "post", lambda w: f"contracts/{w.contract.pk}/order", lambda w: {},
     "201 404 404 201 201 404 404 404 201 401 403"),
    ("get", "get", lambda w: f"orders/{w.order.pk}", None,
     "200 404 404 200 200 404 200 404 200 401 200"),
    ("status", "get", lambda w: f"orders/{w.order.pk}/status", None,
     "200 404 404 200 200 404 200 404 200 401 200"),
    ("schedule", "patch", lambda w: f"orders/{w.order.pk}/schedule",
     lambda w: {"version": w.order.version, "planned_date": "2030-01-08"},
     "403 404 404 200 403 404 200 404 200 401 403"),
    ("deliver", "post", lambda w: f"orders/{w.order.pk}/deliver",
     lambda w: {"version": w.order.version},
     "403 404 404 200 403 404 200 404 200 401 403"),
    ("cancel", "post", lambda w: f"orders/{w.spare.pk}/cancel",
     lambda w: {"version": w.spare.version, "reason": "客户取消"},
     "200 404 404 200 403 404 403 404 200 401 403"),
    ("resubmit", "post", lambda w: f"orders/{w.returned.pk}/resubmit",
     lambda w: {"version": w.returned.version, "special_requirements": "标准色"},
     "200 404 404 200 403 404 403 403 200 401 403"),  # every deliverer sees orders in review
    ("shipments", "get", lambda w: f"orders/{w.order.pk}/shipments", None,
     "200 404 404 200 200 404 200 404 200 401 200"),
    ("all shipments", "get", lambda w: "shipments", None,
     "200 200 200 200 200 200 200 200 200 401 200"),
    ("ship", "post", lambda w: f"orders/{w.order.pk}/shipments",
     lambda w: {"version": w.order.version, "carrier": "德邦",
                "lines": [{"order_line": w.line.pk, "quantity": "1"}]},
     "403 404 404 201 403 404 201 404 201 401 403"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_permission_matrix(case, world):
    name, method, path, body, expected = case
    clients = api_clients(world.org, PERSONAS)
    assert_api_case(name, clients, world, method, path, body, expected)


def test_every_endpoint_is_in_the_matrix(org):
    assert_every_endpoint_in(as_(org.rep), {"Orders", "Shipments"}, CASES)


def test_converting_twice_answers_201_then_200_with_the_same_order(world):
    api = as_(world.org.rep)
    first = api.post(f"quotes/{world.quote.pk}/order", {"promised_date": "2030-02-01"})
    assert first.status_code == 201, first.content
    second = api.post(f"quotes/{world.quote.pk}/order", {})
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    body = first.json()
    assert body["status"] == "confirmed" and body["total"] == "226.00"
    assert [li["quantity"] for li in body["lines"]] == ["2.000"]
    assert SalesOrder.objects.filter(quote=world.quote).count() == 1
    contract = as_(world.org.rep).post(f"contracts/{world.contract.pk}/order", {})
    assert contract.status_code == 201
    again = as_(world.org.rep).post(f"quotes/{world.contract.quote_id}/order", {})
    assert again.status_code == 200 and again.json()["id"] == contract.json()["id"]


def test_credit_limit_refusal_and_finance_override(world):
    Account.objects.filter(pk=world.shop.account.pk).update(credit_limit=Decimal("100"))
    refused = as_(world.org.rep).post(f"quotes/{world.quote.pk}/order", {})
    assert refused.status_code == 400
    assert refused.json()["field"] == "credit" and refused.json()["code"] == "over_credit_limit"
    assert not SalesOrder.objects.filter(quote=world.quote).exists()
    rep_override = as_(world.org.rep).post(f"quotes/{world.quote.pk}/order",
                                           {"credit_override_reason": "我担保"})
    assert rep_override.status_code == 400
    done = as_(world.org.finance).post(f"quotes/{world.quote.pk}/order",
                                       {"credit_override_reason": "预付款已到账"})
    assert done.status_code == 201
    assert done.json()["credit_override_by"]["username"] == "finance"
    assert done.json()["credit_override_reason"] == "预付款已到账"


def test_write_errors_name_the_field(world):
    api = as_(world.org.delivery)
    order = world.order
    over = api.post(f"orders/{order.pk}/shipments", {
        "version": order.version, "lines": [{"order_line": world.line.pk, "quantity": "9"}]})
    assert over.status_code == 400 and over.json()["field"] == "lines"
    assert "only 8 台 left" in over.json()["errors"]["lines"][0]
    assert Shipment.objects.count() == 1
    stale = api.patch(f"orders/{order.pk}/schedule", {"version": order.version - 1,
                                                      "planned_date": "2030-01-09"})
    assert stale.status_code == 409
    reason = api.patch(f"orders/{order.pk}/schedule", {"version": order.version,
                                                       "promised_date": "2030-01-20"})
    assert reason.status_code == 400 and reason.json()["field"] == "reason"
    unknown = api.patch(f"orders/{order.pk}/schedule", {"version": order.version,
                                                        "colour": "red"})
    assert unknown.status_code == 422


def test_contract_lines_that_do_not_parse_or_price_name_the_line(world):
    contract = make_contract(world.shop.account, world.org.rep)
    api = as_(world.org.rep)
    bad = api.post(f"contracts/{contract.pk}/order",
                   {"lines": [{"product": world.shop.stock.pk, "quantity": "lots"}]})
    assert bad.status_code == 422 and "quantity" in bad.content.decode()
    negative = api.post(f"contracts/{contract.pk}/order",
                        {"lines": [{"product": world.shop.stock.pk, "quantity": "-2"}]})
    assert negative.status_code == 400 and negative.json()["field"] == "lines"
    made = api.post(f"contracts/{contract.pk}/order",
                    {"lines": [{"product": world.shop.stock.pk, "quantity": "2"}]})
    assert made.status_code == 201 and made.json()["total"] == "226.00"


def test_order_and_status_show_shipments_with_tracking(world):
    api = as_(world.org.rep)
    body = api.get(f"orders/{world.order.pk}").json()
    assert body["status"] == "partially_shipped"
    assert body["shipments"][0]["tracking_number"] == "SF0001"
    assert body["lines"][0]["shipped_quantity"] == "2.000"
    status = api.get(f"orders/{world.order.pk}/status").json()
    assert status["current"] == "shipped"
    assert [s["key"] for s in status["steps"] if s["done"]] == ["ordered", "reviewed",
                                                                 "production"]
    assert status["shipments"][0]["carrier"] == "顺丰"
    listed = api.get("orders", mine="owner", kind="stock").json()["items"]
    assert {o["id"] for o in listed} == {world.order.pk, world.spare.pk}
    mine = as_(world.org.delivery).get("orders", mine="delivery", status="open").json()
    assert {o["id"] for o in mine["items"]} >= {world.order.pk, world.spare.pk}


def test_the_order_list_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    api = as_(world.org.manager)
    api.get("orders")  # warm up sessions and caches
    with django_assert_max_num_queries(8):
        few = api.get("orders").json()["items"]
    for _n in range(6):
        svc.order_from_quote(world.org.rep, make_quote(world.shop.account, world.org.rep,
                                                       [(world.shop.stock, "1")]), None)
    with django_assert_max_num_queries(8):
        many = api.get("orders").json()["items"]
    assert len(many) == len(few) + 6
