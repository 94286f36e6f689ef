"""Pickers and the Ctrl-K palette in a real browser, in both languages: a customer picked by
its pinyin initials on a new opportunity (keyboard only), then "new quote for …" started from
Ctrl-K for a customer found by pinyin, and the records opened last offered before one types."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from guanxi.core.tests.browser import browser_marks, signed_in, wait_until
from guanxi.sales.models import Opportunity

pytestmark = browser_marks


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rep_picks_a_customer_by_pinyin_and_starts_a_quote_from_ctrl_k(
        live_server, org, make_account, browser, language):
    huawei = make_account(by=org.rep, name="华为技术有限公司")
    make_account(by=org.rep, name="海尔集团有限公司")
    hidden = make_account(by=org.other_rep, name="华为终端有限公司")
    get_resolver().url_patterns  # noqa: B018 - load the pages before the first navigation
    page = signed_in(browser, live_server, org.rep, language=language,
                     path=reverse("sales:opportunity_create"))

    page.fill("#id_name", "数据中心扩容")
    box = page.locator("#id_customer")
    assert box.get_attribute("role") == "combobox"
    box.press_sequentially("hwz")  # nothing the rep may see: the other rep's 华为终端 stays out
    wait_until(page, "document.querySelector('#id_customer-listbox .picker-empty') !== null")
    assert page.locator("#id_customer-listbox [role=option]").count() == 0
    box.fill("")
    box.press_sequentially("hwjs")
    option = page.locator("#id_customer-listbox [role=option]").first
    option.wait_for(state="visible")
    assert page.locator("#id_customer-listbox [role=option]").count() == 1
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.press("Enter")  # picks, does not submit
    assert box.input_value() == "华为技术有限公司"
    assert page.locator("input[name=customer]").input_value() == str(huawei.pk)
    assert box.get_attribute("aria-expanded") == "false"
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/opportunities/*/")
    opp = Opportunity.objects.get(name="数据中心扩容")
    assert opp.account == huawei

    # Ctrl-K: before typing, the records opened last; then a customer by pinyin, and its
    # "new quote" opens the quote editor with that customer chosen.
    page.keyboard.press("Control+k")
    recent = page.locator("#global-search-results .recent-hit").first
    recent.wait_for(state="visible")
    assert "数据中心扩容" in recent.inner_text()
    page.keyboard.type("huawei")
    offer = page.locator("#global-search-results [data-action='orders.new_quote']")
    offer.wait_for(state="visible")
    assert ("华为技术有限公司" in offer.inner_text())
    assert hidden.name not in page.locator("#global-search-results").inner_text()
    offer.click()
    page.wait_for_url(f"**{reverse('orders:quote_create')}?account={huawei.pk}")
    heading = page.locator("h1").first.inner_text()
    assert ("新建报价单" if language == "zh-hans" else "New quote") in heading
    assert "华为技术有限公司" in heading

    # Keyboard only: the action's word before the name puts it first, Enter starts it.
    page.keyboard.press("Control+k")
    page.keyboard.type("报价 hwjs" if language == "zh-hans" else "quote hwjs")
    page.locator("#global-search-results a.search-hit.offer-hit").first.wait_for(
        state="visible")
    assert page.locator("#global-search-results a.search-hit").first.get_attribute(
        "data-action") == "orders.new_quote"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('orders:quote_create')}?account={huawei.pk}")
