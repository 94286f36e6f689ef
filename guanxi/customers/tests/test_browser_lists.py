"""The customer list in Debian's chromium, in both languages: a bulk action with a refused
row, a cell edited in place that someone else changed meanwhile, the keyboard, a saved view."""

from __future__ import annotations

import re

from django.urls import reverse

from guanxi.core.tests.browser import browser_marks, signed_in, wait_until
from guanxi.customers import services
from guanxi.customers.models import Account

pytestmark = browser_marks


def test_bulk_tag_with_a_refused_row_and_a_stale_cell_in_chinese(live_server, org,
                                                                   make_account, browser):
    own = [make_account(name=f"自有客户{n}号有限公司") for n in range(3)]
    theirs = make_account(by=org.teammate, name="同事的客户有限公司")
    services.share_account(org.teammate, theirs, org.rep)
    page = signed_in(browser, live_server, org.rep, language="zh-hans",
                     path=reverse("customers:list"))
    assert "共 4 条" in page.text_content("[data-testid=list-count]") or \
        "4" in page.text_content("[data-testid=list-count]")
    page.check("[data-select-page]")
    assert page.is_visible("[data-bulk]")
    page.select_option("[data-bulk-action]", "tag_add")
    page.fill("[data-value-for=tag_add]", "重点")
    page.click("[data-bulk] button[type=submit]")
    page.wait_for_selector("[data-testid=bulk-summary]")
    assert page.locator("table.bulk-results tr.ok").count() == 3
    refused = page.locator(f"table.bulk-results tr.refused[data-pk='{theirs.pk}']")
    assert refused.count() == 1 and refused.text_content().strip() != theirs.name
    assert not theirs.tags.exists() and own[0].tags.filter(name="重点").exists()

    page.click("a.btn-primary[href*='/customers/']")
    row = page.locator(f"tr[data-pk='{own[0].pk}']")
    row.wait_for()
    # Someone edits the customer after the page was drawn.
    account = Account.objects.get(pk=own[0].pk)
    services.update_account(org.rep, account, {"website": "https://example.com"},
                            account.version)
    row.hover()  # the pencil shows on the row under the pointer (or the keyboard's row)
    row.locator("td[data-inline=phone] [data-inline-edit]").click()
    cell = row.locator("td[data-inline=phone] input")
    cell.fill("021-6888 9999")
    cell.press("Enter")
    wait_until(page, "!!document.querySelector('td.stale .inline-error')?.textContent")
    assert cell.input_value() == "021-6888 9999"  # what the user typed stays
    assert Account.objects.get(pk=own[0].pk).phone == ""


def test_keyboard_and_a_saved_view_in_english(live_server, org, make_account, browser):
    accounts = [make_account(name=f"Keyboard Customer {n} Ltd", industry="it")
                for n in range(4)]
    make_account(name="Other Industry Ltd", industry="manufacturing")
    page = signed_in(browser, live_server, org.rep, language="en",
                     path=reverse("customers:list"))
    assert page.text_content("[data-testid=list-count]").strip() == "Showing 1–5 of 5"
    page.keyboard.press("?")
    assert page.is_visible("dialog[data-keys-dialog]")
    page.keyboard.press("Escape")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.evaluate("document.activeElement.blur()")
    # Third row: j j j (the first j lands on row one), x selects it, Enter opens it.
    for _ in range(3):
        page.keyboard.press("j")
    third = page.locator("tr.kbd-current")
    pk = int(third.get_attribute("data-pk"))
    page.keyboard.press("x")
    assert third.locator("input[name=ids]").is_checked()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/customers/{pk}/$"))

    page.goto(live_server.url + reverse("customers:list") + "?industry=it&sort=name")
    page.click(".list-save summary")
    page.fill("#view-name", "IT by name")
    page.check("#view-default")
    page.click(".list-save button[type=submit]")
    page.wait_for_url(re.compile(r"view=\d+"))
    assert "IT by name" in page.text_content("[data-testid=views-menu]")
    # The default view opens with the list; its rows are the IT customers by name.
    page.goto(live_server.url + reverse("customers:list"))
    names = page.locator("tbody tr[data-pk] td.name a").all_text_contents()
    assert names == sorted(a.name for a in accounts)
