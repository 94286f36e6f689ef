"""A manager sets a distributor price list in a real browser: adds rows with htmx, fixes the
row the page marks, saves; the product list filters as they type."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import get_resolver

from guanxi.customers.tests.test_browser import CHROMIUM, SCREENSHOTS, browser_page, wait_until  # noqa: F401
from guanxi.orders.models import PriceList
from guanxi.orders.services import catalog as svc
from guanxi.orders.services.catalog import ProductInput

P = ProductInput.parse

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium (/usr/bin/chromium) is "
                       "not installed; install the chromium package to run browser tests"),
]


def test_manager_sets_a_price_list_with_rows(live_server, org, browser_page):  # noqa: F811
    svc.create_product(org.admin, P({"code": "TR-100", "name_zh": "干式变压器",
                                     "name_en": "Dry transformer", "list_price": "168000"}))
    svc.create_product(org.admin, P({"code": "SG-1", "name_zh": "高压开关柜",
                                     "name_en": "Switchgear", "list_price": "78000"}))
    group = svc.create_customer_group(org.admin, "经销商")
    get_resolver().url_patterns  # noqa: B018  (load the page modules before the first request)
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "manager")
    page.fill("input[name=password]", "pw-Guanxi-2026")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/orders/products/")
    page.fill("#id_q", "switch")
    wait_until(page, "!document.querySelector('#product-table').innerText"
                     ".includes('TR-100')")
    assert "SG-1" in page.locator("#product-table").inner_text()

    page.goto(f"{live_server.url}/orders/price-lists/new/")
    page.fill("#id_name", "经销商价 2026")
    page.select_option("#id_group", str(group.pk))
    rows = page.locator("#price-rows tr")
    assert rows.count() == 1
    page.click("text=Add row")
    wait_until(page, "document.querySelectorAll('#price-rows tr').length === 2")
    rows.nth(0).locator("input[name=item_code]").fill("tr-100")
    rows.nth(0).locator("input[name=item_price]").fill("150000")
    rows.nth(1).locator("input[name=item_code]").fill("SG-9")
    rows.nth(1).locator("input[name=item_price]").fill("70000")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_selector("tr.table-danger")
    assert "Row 2: Choose a product from the list." in page.locator("tr.table-danger") \
        .inner_text()
    page.screenshot(path=str(SCREENSHOTS / "catalog-price-list-error.png"), full_page=True)
    assert not PriceList.objects.exists()
    page.locator("tr.table-danger input[name=item_code]").fill("SG-1")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_url("**/orders/price-lists/*/")
    price_list = PriceList.objects.get()
    assert price_list.group == group
    assert sorted(price_list.items.values_list("product__code", "unit_price")) == [
        ("SG-1", Decimal("70000.00")), ("TR-100", Decimal("150000.00"))]
    page.screenshot(path=str(SCREENSHOTS / "catalog-price-list.png"), full_page=True)
