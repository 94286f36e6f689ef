"""Which price a customer pays: group lists before general ones, the latest start, validity
on both ends, quantity breaks, the list price as fallback, and many products in a constant
number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from guanxi.core.errors import DomainError
from guanxi.orders.selectors import catalog as sel
from guanxi.orders.services import catalog as svc
from guanxi.orders.services.catalog import PriceItemInput, PriceListInput, ProductInput

P = ProductInput.parse
PL = PriceListInput.parse
PI = PriceItemInput.rows

DAY = dt.date(2026, 6, 15)


@pytest.fixture
def world(org, make_account):
    admin = org.admin
    product = svc.create_product(admin, P({"code": "TR-100", "name_zh": "变压器",
                                          "list_price": "1200"}))
    dealer = make_account(by=org.rep, name="上海明珠机电有限公司")
    plain = make_account(by=org.rep, name="杭州普通客户有限公司")
    group = svc.create_customer_group(admin, "经销商", [dealer])
    general = svc.create_price_list(admin, PL({"name": "标准价"}),
                                    items=PI([{"product": product, "unit_price": "1100"}]))
    dealers = svc.create_price_list(admin, PL({"name": "经销商价", "group": group}),
                                    items=PI([{"product": product, "unit_price": "1000"},
                                              {"product": product, "unit_price": "950",
                                               "min_quantity": "10"},
                                              {"product": product, "unit_price": "900",
                                               "min_quantity": "50"}]))
    return SimpleNamespace(product=product, dealer=dealer, plain=plain, group=group,
                           general=general, dealers=dealers, org=org)


def _price(world, account, **kw):
    kw.setdefault("on", DAY)
    return sel.price_for(account, world.product, **kw)


def test_group_list_beats_general_for_members_only(world):
    member = _price(world, world.dealer)
    assert (member.unit_price, member.price_list, member.source) == \
        (Decimal("1000.00"), world.dealers, sel.GROUP_PRICE_LIST)
    other = _price(world, world.plain)
    assert (other.unit_price, other.price_list, other.source) == \
        (Decimal("1100.00"), world.general, sel.PRICE_LIST)
    assert _price(world, None).price_list == world.general


def test_group_list_wins_even_when_the_general_one_started_later(world):
    svc.update_price_list(world.org.admin, world.general, PL({"valid_from": "2026-06-01"}),
                          world.general.version)
    assert _price(world, world.dealer).price_list == world.dealers


def test_latest_start_wins(world):
    admin = world.org.admin
    svc.update_price_list(admin, world.general, PL({"valid_from": "2026-01-01"}),
                          world.general.version)
    summer = svc.create_price_list(admin, PL({"name": "夏季促销", "valid_from": "2026-06-01"}),
                                   items=PI([{"product": world.product, "unit_price": "1050"}]))
    assert _price(world, world.plain).price_list == summer
    assert _price(world, world.plain, on=dt.date(2026, 5, 31)).price_list == world.general


def test_validity_edges_on_both_ends(world):
    admin = world.org.admin
    svc.update_price_list(admin, world.dealers, PL({"valid_from": "2026-06-15",
                                                    "valid_until": "2026-06-30"}),
                          world.dealers.version)
    on = {d: _price(world, world.dealer, on=dt.date(2026, 6, d)).price_list
          for d in (14, 15, 30)}
    assert on == {14: world.general, 15: world.dealers, 30: world.dealers}
    assert _price(world, world.dealer, on=dt.date(2026, 7, 1)).price_list == world.general


def test_inactive_lists_and_other_currencies_do_not_apply(world):
    svc.update_price_list(world.org.admin, world.dealers, PL({"active": False}),
                          world.dealers.version)
    assert _price(world, world.dealer).price_list == world.general
    svc.update_price_list(world.org.admin, world.general, PL({"currency": "USD"}),
                          world.general.version)
    fallback = _price(world, world.dealer)
    assert (fallback.unit_price, fallback.price_list, fallback.source) == \
        (Decimal("1200.00"), None, sel.LIST_PRICE)
    assert _price(world, world.dealer, currency="usd").unit_price == Decimal("1100.00")


def test_quantity_breaks(world):
    prices = {q: _price(world, world.dealer, quantity=Decimal(q)).unit_price
              for q in ("1", "9.999", "10", "49", "50", "500")}
    assert prices == {"1": Decimal("1000.00"), "9.999": Decimal("1000.00"),
                      "10": Decimal("950.00"), "49": Decimal("950.00"),
                      "50": Decimal("900.00"), "500": Decimal("900.00")}


def test_a_list_without_a_price_at_that_quantity_is_passed_over(world):
    svc.set_price_list_items(world.org.admin, world.dealers,
                             PI([{"product": world.product, "unit_price": "950",
                               "min_quantity": "10"}]), world.dealers.version)
    assert _price(world, world.dealer, quantity=Decimal("2")).price_list == world.general
    assert _price(world, world.dealer, quantity=Decimal("12")).price_list == world.dealers


def test_other_currency_without_a_list_is_an_error(world):
    with pytest.raises(DomainError) as exc:
        _price(world, world.dealer, currency="EUR")
    assert exc.value.field == "currency" and "EUR" in exc.value.message


def test_list_price_fallback_follows_the_products_currency(world):
    usd = svc.create_product(world.org.admin, P({"code": "EXP-1", "name_zh": "出口型",
                                                 "list_price": "99.5", "currency": "USD"}))
    assert sel.price_for(None, usd, currency="USD", on=DAY).unit_price == Decimal("99.50")
    with pytest.raises(DomainError):
        sel.price_for(None, usd, on=DAY)


def test_customer_discount(world):
    assert sel.customer_discount(None) == Decimal("0")
    world.dealer.discount_rate = Decimal("8.50")
    assert sel.customer_discount(world.dealer) == Decimal("8.50")


def test_prices_for_matches_price_for(world):
    usd = svc.create_product(world.org.admin, P({"code": "EXP-1", "name_zh": "出口型",
                                                 "currency": "USD"}))
    loose = svc.create_product(world.org.admin, P({"code": "BOLT", "name_zh": "螺栓",
                                                   "list_price": "2"}))
    got = sel.prices_for(world.dealer, [world.product, usd, loose], "CNY", DAY,
                         quantities={world.product.pk: Decimal("60")})
    assert set(got) == {world.product.pk, loose.pk}
    assert got[world.product.pk] == sel.price_for(world.dealer, world.product, on=DAY,
                                                  quantity=Decimal("60"))
    assert got[world.product.pk].unit_price == Decimal("900.00")
    assert got[loose.pk].source == sel.LIST_PRICE


@pytest.mark.parametrize("count", [5, 50])
def test_prices_for_costs_the_same_queries_for_5_or_50(world, count,
                                                       django_assert_num_queries):
    admin = world.org.admin
    products = [svc.create_product(admin, P({"code": f"P-{n}", "name_zh": f"产品{n}",
                                             "list_price": n})) for n in range(count)]
    svc.set_price_list_items(admin, world.dealers, PI([
        {"product": p, "unit_price": "1", "min_quantity": q}
        for p in products for q in (1, 10)]), world.dealers.version)
    with django_assert_num_queries(1):
        got = sel.prices_for(world.dealer, products, "CNY", DAY)
    assert len(got) == count
    assert {q.source for q in got.values()} == {sel.GROUP_PRICE_LIST}


def test_active_products_search(world):
    admin = world.org.admin
    svc.create_product(admin, P({"code": "TR-200", "name_zh": "干式变压器",
                                 "name_en": "Dry Transformer"}))
    svc.create_product(admin, P({"code": "OLD-TR", "name_zh": "旧变压器", "active": False}))
    for n in range(25):
        svc.create_product(admin, P({"code": f"BOLT-{n:02}", "name_zh": "螺栓"}))
    assert [p.code for p in sel.active_products("transformer")] == ["TR-200"]
    assert [p.code for p in sel.active_products("变压器")] == ["TR-100", "TR-200"]
    assert [p.code for p in sel.active_products("tr-1")] == ["TR-100"]
    assert len(sel.active_products("")) == 20
    assert sel.active_products("bolt-07")[0].code == "BOLT-07"
