"""Catalogue pages: every URL against every persona, cost hidden from reps, the product form
and the price list form with its rows."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from guanxi.core.tests.api_client import as_
from guanxi.core.tests.matrix import assert_page_case, page_client, page_clients
from guanxi.orders.models import PriceList, Product
from guanxi.orders.services import catalog as svc
from guanxi.orders.services.catalog import PriceItemInput, PriceListInput, ProductInput
from guanxi.orders.views.catalog import urls as catalog_urls

P = ProductInput.parse
PL = PriceListInput.parse
PI = PriceItemInput.rows

PERSONAS = ["rep", "assistant", "manager", "finance", "executive", "other_rep", "admin",
            "anon"]


@pytest.fixture
def world(org, make_account):
    product = svc.create_product(org.admin, P({"code": "TR-100", "name_zh": "变压器",
                                               "name_en": "Transformer", "list_price": "1200",
                                               "cost": "812.34"}))
    account = make_account(by=org.rep, name="上海明珠机电有限公司")
    group = svc.create_customer_group(org.admin, "经销商", [account])
    price_list = svc.create_price_list(org.admin, PL({"name": "经销商价", "group": group}),
                                       items=PI([{"product": product, "unit_price": "1000"}]))
    return SimpleNamespace(product=product, account=account, group=group,
                           price_list=price_list, org=org)


# (url name, method, args, post data, expected status per persona in PERSONAS order)
#                                                     rep ast mgr fin exe oth adm anon
CASES = [
    ("products", "get", lambda w: [], None, "200 200 200 200 200 200 200 302"),
    ("product", "get", lambda w: [w.product.pk], None, "200 200 200 200 200 200 200 302"),
    ("product_create", "get", lambda w: [], None, "403 403 200 403 403 403 200 302"),
    ("product_edit", "post", lambda w: [w.product.pk],
     lambda w: {"code": "TR-100", "name_zh": "变压器", "kind": "stock", "unit": "台",
                "list_price": "1250", "currency": "CNY", "tax_rate": "13", "active": "on",
                "version": w.product.version},
     "403 403 302 403 403 403 302 302"),
    ("price_lists", "get", lambda w: [], None, "200 200 200 200 200 200 200 302"),
    ("price_list", "get", lambda w: [w.price_list.pk], None,
     "200 200 200 200 200 200 200 302"),
    ("price_list_create", "get", lambda w: [], None, "403 403 200 403 403 403 200 302"),
    ("price_list_edit", "get", lambda w: [w.price_list.pk], None,
     "403 403 200 403 403 403 200 302"),
    ("price_list_row", "get", lambda w: [], None, "403 403 200 403 403 403 200 302"),
    ("customer_groups", "post", lambda w: [], lambda w: {"name": "重点客户"},
     "403 403 302 403 403 403 302 302"),
    ("customer_group", "get", lambda w: [w.group.pk], None,
     "200 200 200 200 200 200 200 302"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_page_permission_matrix(case, org, world):
    name, method, args, data, expected = case
    url = reverse(f"orders:{name}", args=args(world))
    assert_page_case(name, page_clients(org, PERSONAS), world, method, url, data, expected)


def test_every_page_is_in_the_matrix():
    assert {p.name for p in catalog_urls} == {c[0] for c in CASES}


def test_read_only_pages_for_everyone(org, world):
    client = page_client(org, "rep")
    for name, args in (("customer_groups", []), ("price_list", [world.price_list.pk])):
        page = client.get(reverse(f"orders:{name}", args=args)).content.decode()
        assert "经销商" in page
    group_page = client.get(reverse("orders:customer_group", args=[world.group.pk]))
    assert "上海明珠机电有限公司" in group_page.content.decode()
    assert "Rename" not in group_page.content.decode()
    refused = client.post(reverse("orders:customer_group", args=[world.group.pk]),
                          {"action": "remove", "account": world.account.pk})
    assert refused.status_code == 403 and world.group.accounts.count() == 1


@pytest.mark.parametrize(("persona", "sees"), [("rep", False), ("assistant", False),
                                               ("manager", True), ("finance", True)])
def test_cost_only_on_pages_of_those_who_may_see_it(org, world, persona, sees):
    client = page_client(org, persona)
    for url in (reverse("orders:products"), reverse("orders:product", args=[world.product.pk])):
        page = client.get(url).content.decode()
        assert "1,200.00" in page
        assert ("812.34" in page) is sees and ("Unit cost" in page) is sees


def test_product_list_search_and_filters(org, world):
    svc.create_product(org.admin, P({"code": "SV-1", "name_zh": "安装服务",
                                     "kind": "made_to_order"}))
    svc.create_product(org.admin, P({"code": "OLD-1", "name_zh": "旧型号", "active": False}))
    client = page_client(org, "rep")
    url = reverse("orders:products")

    def codes(**q):
        page = client.get(url, q).content.decode()
        return [c for c in ("TR-100", "SV-1", "OLD-1") if c in page]

    assert codes() == ["TR-100", "SV-1"]
    assert codes(q="transformer") == ["TR-100"]
    assert codes(kind="made_to_order") == ["SV-1"]
    assert codes(active="no") == ["OLD-1"]
    assert codes(active="") == ["TR-100", "SV-1", "OLD-1"]
    partial = client.get(url, {"q": "安装"}, headers={"HX-Request": "true",
                                                      "HX-Target": "product-table"})
    body = partial.content.decode()
    assert "<html" not in body and 'id="product-table"' in body
    assert "SV-1" in body and "TR-100" not in body
    # The product picker (quote lines, filters) offers active products only.
    picker = as_(org.rep).get("pick/product", q="tr").json()
    assert [c["label"].split()[0] for c in picker] == ["TR-100"]


def test_product_form_errors_at_the_field_and_stale_version(org, world):
    client = page_client(org, "manager")
    url = reverse("orders:product_create")
    base = {"code": "tr-100", "name_zh": "重复", "kind": "stock", "unit": "台",
            "list_price": "10", "currency": "CNY", "tax_rate": "13", "active": "on"}
    response = client.post(url, base)
    assert response.status_code == 200
    assert "Another product already has this code." in response.content.decode()
    response = client.post(url, base | {"code": "sv-9", "currency": "r1b"})
    assert "three-letter currency code" in response.content.decode()
    assert Product.objects.count() == 1
    response = client.post(url, base | {"code": "sv-9", "cost": "5"})
    created = Product.objects.get(code="SV-9")
    assert response.status_code == 302 and created.cost == Decimal("5.00")
    edit = reverse("orders:product_edit", args=[world.product.pk])
    stale = base | {"code": "TR-100", "version": world.product.version}
    assert client.post(edit, stale).status_code == 302
    again = client.post(edit, stale | {"list_price": "1"})
    assert "Someone else changed this record" in again.content.decode()
    world.product.refresh_from_db()
    assert world.product.list_price == Decimal("10.00")


def test_price_list_form_rows(org, world):
    svc.create_product(org.admin, P({"code": "SV-1", "name_zh": "安装服务", "list_price": "300"}))
    client = page_client(org, "admin")
    url = reverse("orders:price_list_edit", args=[world.price_list.pk])
    page = client.get(url).content.decode()
    assert 'value="TR-100"' in page and 'list="product-codes"' in page
    terms = {"name": "经销商价", "currency": "CNY", "group": world.group.pk, "active": "on",
             "version": world.price_list.version}
    bad = client.post(url, terms | {"item_code": ["TR-100", "NOPE", ""],
                                    "item_qty": ["1", "1", "1"],
                                    "item_price": ["990", "5", ""]})
    body = bad.content.decode()
    assert bad.status_code == 200 and "Row 2: Choose a product from the list." in body
    assert 'value="NOPE"' in body and 'value="990"' in body
    assert list(world.price_list.items.values_list("unit_price", flat=True)) == [
        Decimal("1000.00")]
    dates = client.post(url, terms | {"valid_from": "2026-02-01", "valid_until": "2026-01-01",
                                      "item_code": ["TR-100"], "item_qty": ["1"],
                                      "item_price": ["990"]})
    assert "The end date is before the start date." in dates.content.decode()
    ok = client.post(url, terms | {"item_code": ["tr-100", "TR-100", "sv-1"],
                                   "item_qty": ["1", "10", "1"],
                                   "item_price": ["990", "950", "280"]})
    assert ok.status_code == 302
    assert sorted(world.price_list.items.values_list("product__code", "min_quantity",
                                                     "unit_price")) == [
        ("SV-1", Decimal("1.000"), Decimal("280.00")),
        ("TR-100", Decimal("1.000"), Decimal("990.00")),
        ("TR-100", Decimal("10.000"), Decimal("950.00"))]
    row = client.get(reverse("orders:price_list_row")).content.decode()
    assert 'name="item_code"' in row and "<html" not in row


def test_new_price_list_and_group_members_from_pages(org, world, make_account):
    client = page_client(org, "manager")
    response = client.post(reverse("orders:price_list_create"), {
        "name": "标准价", "currency": "CNY", "active": "on",
        "item_code": ["TR-100"], "item_qty": ["1"], "item_price": ["1100"]})
    created = PriceList.objects.get(name="标准价")
    assert response.status_code == 302 and created.group is None
    assert created.items.get().unit_price == Decimal("1100.00")
    other = make_account(by=org.teammate, name="杭州新客户有限公司")
    url = reverse("orders:customer_group", args=[world.group.pk])
    found = client.get(url, {"find": "杭州"}).content.decode()
    assert "杭州新客户有限公司" in found
    client.post(url, {"action": "add", "account": other.pk})
    client.post(url, {"action": "remove", "account": world.account.pk})
    assert list(world.group.accounts.all()) == [other]
    client.post(url, {"action": "rename", "name": "一级经销商"})
    world.group.refresh_from_db()
    assert world.group.name == "一级经销商"


def test_admin_sidebar_links(org, world):
    page = page_client(org, "admin").get(reverse("orders:price_lists")).content.decode()
    assert reverse("orders:products") in page and reverse("orders:price_lists") in page


def test_product_list_pages(org, world):
    Product.objects.bulk_create([Product(code=f"P-{n:03}", name_zh=f"产品{n}")
                                 for n in range(60)])
    client = page_client(org, "rep")
    first = client.get(reverse("orders:products"), {"q": "P-"}).content.decode()
    assert "P-049" in first and "P-050" not in first and "Page 1 of 2" in first
    assert "?q=P-&amp;page=2" in first
    second = client.get(reverse("orders:products"), {"q": "P-", "page": 2}).content.decode()
    assert "P-050" in second and "P-049" not in second


def test_a_large_group_shows_the_first_members(org, world, make_account, monkeypatch):
    from guanxi.orders.views import catalog as views

    monkeypatch.setattr(views, "MEMBERS_SHOWN", 2)
    more = [make_account(by=org.rep, name=f"{c}公司") for c in "乙丙"]
    svc.change_group_members(org.admin, world.group, add=more)
    page = page_client(org, "rep").get(reverse("orders:customer_group", args=[world.group.pk]))
    body = page.content.decode()
    assert "Showing the first 2 by name." in body and '<span class="count">3</span>' in body
