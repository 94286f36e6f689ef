"""Catalogue services: products, customer groups and price lists — who may change them, what
is refused (and then nothing changes), optimistic locking, the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.models import AuditEntry
from guanxi.customers.models import TimelineEvent
from guanxi.orders.models import CustomerGroup, PriceList, PriceListItem, Product
from guanxi.orders.services import catalog as svc
from guanxi.orders.services.catalog import PriceItemInput, PriceListInput, ProductInput

P = ProductInput.parse
PL = PriceListInput.parse
PI = PriceItemInput.rows


@pytest.fixture
def product(org):
    return svc.create_product(org.admin, P({"code": "tr-100", "name_zh": "变压器",
                                            "name_en": "Transformer", "list_price": "1200",
                                            "cost": "800"}))


# --- Products --------------------------------------------------------------------------------

def test_create_product_normalises_and_defaults(org, product):
    assert product.code == "TR-100"
    assert product.tax_rate == Decimal("13.00") and product.currency == "CNY"
    assert product.unit == "件" and product.kind == Product.Kind.STOCK and product.active
    entry = AuditEntry.objects.get(action="orders.product.created")
    assert entry.object_id == str(product.pk) and entry.changes["code"] == [None, "TR-100"]
    manager_made = svc.create_product(org.manager, P({
        "code": "  sv-1 ", "name_zh": "安装服务", "list_price": "0", "tax_rate": "6",
        "currency": "usd", "kind": "made_to_order", "unit": "hour"}))
    assert (manager_made.code, manager_made.currency, manager_made.tax_rate) == \
        ("SV-1", "USD", Decimal("6.00"))


@pytest.mark.parametrize(("data", "field"), [
    ({"code": "", "name_zh": "x"}, "code"),
    ({"code": " tr-100 ", "name_zh": "x"}, "code"),
    ({"code": "A", "name_zh": ""}, "name_zh"),
    ({"code": "A", "name_zh": "x", "list_price": "-1"}, "list_price"),
    ({"code": "A", "name_zh": "x", "list_price": "abc"}, "list_price"),
    ({"code": "A", "name_zh": "x", "cost": "-0.01"}, "cost"),
    ({"code": "A", "name_zh": "x", "tax_rate": "101"}, "tax_rate"),
    ({"code": "A", "name_zh": "x", "tax_rate": "-3"}, "tax_rate"),
    ({"code": "A", "name_zh": "x", "currency": "RMB1"}, "currency"),
    ({"code": "A", "name_zh": "x", "currency": "元"}, "currency"),
    ({"code": "A", "name_zh": "x", "kind": "service"}, "kind"),
    ({"code": "A", "name_zh": "x", "unit": " "}, "unit"),
    ({"code": "A", "name_zh": "x", "version": 3}, "version"),
])
def test_create_product_refuses_bad_input(org, product, data, field):
    count = Product.objects.count()
    with pytest.raises(FieldErrors) as exc:
        svc.create_product(org.admin, P(data))
    assert field in exc.value.errors
    assert Product.objects.count() == count


@pytest.mark.parametrize("persona", ["rep", "assistant", "finance", "executive", "marketing"])
def test_only_admins_and_managers_change_products(org, product, persona):
    with pytest.raises(Forbidden):
        svc.create_product(getattr(org, persona), P({"code": "X", "name_zh": "x"}))
    with pytest.raises(Forbidden):
        svc.update_product(getattr(org, persona), product, P({"list_price": "1"}),
                           product.version)
    product.refresh_from_db()
    assert product.list_price == Decimal("1200.00")


def test_update_product_with_version_and_409(org, product):
    read = product.version
    svc.update_product(org.manager, product, P({"list_price": "1300", "tax_rate": 9}), read)
    product.refresh_from_db()
    assert product.list_price == Decimal("1300.00") and product.version == read + 1
    entry = AuditEntry.objects.get(action="orders.product.updated")
    assert entry.changes == {"list_price": ["1200.00", "1300.00"],
                             "tax_rate": ["13.00", "9.00"]}
    stale = Product.objects.get(pk=product.pk)
    stale.version = read
    with pytest.raises(Conflict):
        svc.update_product(org.admin, stale, P({"list_price": "1"}), read)
    product.refresh_from_db()
    assert product.list_price == Decimal("1300.00")


def test_code_stays_unique_on_update(org, product):
    other = svc.create_product(org.admin, P({"code": "TR-200", "name_zh": "变压器二"}))
    with pytest.raises(FieldErrors) as exc:
        svc.update_product(org.admin, other, P({"code": "Tr-100"}), other.version)
    assert "code" in exc.value.errors
    svc.update_product(org.admin, product, P({"code": "tr-100"}), product.version)


def test_deactivate_keeps_a_used_product(org, product, make_account):
    from guanxi.orders.models import Quote, QuoteLine

    account = make_account(by=org.rep)
    svc.deactivate_product(org.admin, product, product.version)
    product.refresh_from_db()
    assert not product.active
    quote = Quote.objects.create(account=account, owner=org.rep, created_by=org.rep,
                                 number="Q2026-90001", issue_date=dt.date(2026, 5, 1))
    QuoteLine.objects.create(quote=quote, product=product, quantity=1,
                             unit_price=product.list_price)
    with pytest.raises(Conflict):
        svc.delete_product(org.admin, product)
    assert Product.objects.filter(pk=product.pk).exists()


def test_unused_product_can_be_deleted(org):
    spare = svc.create_product(org.admin, P({"code": "SPARE", "name_zh": "备件"}))
    svc.delete_product(org.admin, spare)
    assert not Product.objects.filter(code="SPARE").exists()
    assert AuditEntry.objects.filter(action="orders.product.deleted").exists()


# --- Customer groups -------------------------------------------------------------------------

def test_customer_group_members_only_visible_customers(org, make_account):
    mine = make_account(by=org.rep, name="上海明珠机电有限公司")
    theirs = make_account(by=org.other_rep, name="深圳远方科技有限公司")
    with pytest.raises(DomainError) as exc:
        svc.create_customer_group(org.manager, "重点客户", [mine, theirs])
    assert exc.value.field == "accounts"
    assert not CustomerGroup.objects.exists()
    group = svc.create_customer_group(org.manager, "重点客户", [mine])
    assert list(group.accounts.all()) == [mine]
    assert TimelineEvent.objects.filter(account=mine, kind="orders.customer_group").exists()
    with pytest.raises(DomainError):
        svc.create_customer_group(org.admin, " 重点客户 ")
    with pytest.raises(DomainError):
        svc.create_customer_group(org.admin, "  ")
    # The other region's manager sees only their customer: adding it keeps ours.
    svc.set_group_members(org.other_manager, group, [theirs])
    assert set(group.accounts.all()) == {mine, theirs}
    svc.change_group_members(org.manager, group, remove=[mine])
    assert list(group.accounts.all()) == [theirs]
    with pytest.raises(DomainError):
        svc.change_group_members(org.manager, group, remove=[theirs])
    assert list(group.accounts.all()) == [theirs]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"orders.customer_group.created", "orders.customer_group.members_changed"} <= actions


def test_rename_group_and_who_may(org):
    group = svc.create_customer_group(org.admin, "经销商")
    svc.rename_customer_group(org.manager, group, "一级经销商")
    group.refresh_from_db()
    assert group.name == "一级经销商"
    with pytest.raises(Forbidden):
        svc.rename_customer_group(org.rep, group, "x")
    with pytest.raises(Forbidden):
        svc.create_customer_group(org.finance, "x")


# --- Price lists -----------------------------------------------------------------------------

def test_create_price_list_with_items(org, product):
    group = svc.create_customer_group(org.admin, "经销商")
    price_list = svc.create_price_list(org.manager, PL({
        "name": "经销商价 2026", "currency": "cny", "group": group.pk,
        "valid_from": "2026-01-01", "valid_until": dt.date(2026, 12, 31)}),
        items=PI([{"product": product, "unit_price": "1000"},
                  {"product": product.pk, "unit_price": "950", "min_quantity": "10"},
                  {"product_code": " tr-100", "unit_price": "900", "min_quantity": 50}]))
    assert price_list.currency == "CNY" and price_list.group == group
    assert sorted(price_list.items.values_list("min_quantity", "unit_price")) == [
        (Decimal("1.000"), Decimal("1000.00")), (Decimal("10.000"), Decimal("950.00")),
        (Decimal("50.000"), Decimal("900.00"))]
    entry = AuditEntry.objects.get(action="orders.price_list.created")
    assert len(entry.data["items"]) == 3


@pytest.mark.parametrize(("data", "field"), [
    ({"name": ""}, "name"),
    ({"name": "x", "currency": "yuan"}, "currency"),
    ({"name": "x", "group": 999999}, "group"),
    ({"name": "x", "valid_from": "2026-02-01", "valid_until": "2026-01-31"}, "valid_until"),
    ({"name": "x", "valid_from": "yesterday"}, "valid_from"),
])
def test_price_list_bad_terms(org, data, field):
    with pytest.raises(FieldErrors) as exc:
        svc.create_price_list(org.admin, PL(data))
    assert field in exc.value.errors
    assert not PriceList.objects.exists()


def test_bad_item_names_the_row_and_changes_nothing(org, product):
    price_list = svc.create_price_list(org.admin, PL({"name": "标准价"}),
                                       items=PI([{"product": product, "unit_price": "1100"}]))
    version = price_list.version
    spare = svc.create_product(org.admin, P({"code": "OLD", "name_zh": "旧型号", "active": False}))
    for items, key, words in (
        ([{"product": product, "unit_price": "1"}, {"product": 999999, "unit_price": "1"}],
         "items.1.product", "Row 2"),
        ([{"product": product, "unit_price": "-5"}], "items.0.unit_price", "Row 1"),
        ([{"product": product, "unit_price": "5", "min_quantity": "-1"}],
         "items.0.min_quantity", "Row 1"),
        ([{"product": product, "unit_price": "5"}, {"product": product, "unit_price": "4"}],
         "items.1.min_quantity", "Row 2"),
        ([{"product": spare, "unit_price": "5"}], "items.0.product", "inactive"),
    ):
        with pytest.raises(FieldErrors) as exc:
            svc.set_price_list_items(org.admin, price_list, PI(items), version)
        assert key in exc.value.errors, exc.value.errors
        assert words in exc.value.errors[key][0]
    price_list.refresh_from_db()
    assert price_list.version == version
    assert list(price_list.items.values_list("unit_price", flat=True)) == [Decimal("1100.00")]


def test_set_items_replaces_all_and_checks_version(org, product):
    price_list = svc.create_price_list(org.admin, PL({"name": "标准价"}),
                                       items=PI([{"product": product, "unit_price": "1100"}]))
    read = price_list.version
    svc.set_price_list_items(org.manager, price_list,
                             PI([{"product": product.pk, "unit_price": "1050", "min_quantity": 5}]),
                             read)
    assert list(PriceListItem.objects.filter(price_list=price_list).values_list(
        "unit_price", "min_quantity")) == [(Decimal("1050.00"), Decimal("5.000"))]
    stale = PriceList.objects.get(pk=price_list.pk)
    stale.version = read
    with pytest.raises(Conflict):
        svc.set_price_list_items(org.admin, stale, PI([]), read)
    assert price_list.items.count() == 1
    with pytest.raises(Forbidden):
        svc.set_price_list_items(org.rep, price_list, PI([]), price_list.version)


def test_update_price_list_dates_checked_against_stored_ones(org):
    price_list = svc.create_price_list(org.admin, PL({"name": "春季", "valid_from": "2026-03-01"}))
    with pytest.raises(FieldErrors) as exc:
        svc.update_price_list(org.admin, price_list, PL({"valid_until": "2026-02-28"}),
                              price_list.version)
    assert "valid_until" in exc.value.errors
    svc.update_price_list(org.admin, price_list, PL({"valid_until": "2026-03-01", "active": False}),
                          price_list.version)
    price_list.refresh_from_db()
    assert price_list.valid_until == dt.date(2026, 3, 1) and not price_list.active
    assert AuditEntry.objects.filter(action="orders.price_list.updated").count() == 1


def test_product_label_falls_back_to_the_chinese_name_for_english_readers():
    from django.utils import translation

    with translation.override("en"):
        assert Product(name_zh="智能电表", name_en="").label == "智能电表"
        assert Product(name_zh="智能电表", name_en="Smart meter").label == "Smart meter"
    with translation.override("zh-hans"):
        assert Product(name_zh="智能电表", name_en="Smart meter").label == "智能电表"
