"""A rep's morning in a real browser: switch to Chinese, enter a customer with a Chinese
contact, find it again from the global search box by pinyin initials."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("GUANXI_SCREENSHOTS") or tempfile.gettempdir())

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium (/usr/bin/chromium) is "
                       "not installed; install the chromium package to run browser tests"),
]


def wait_until(page, expression: str, timeout: float = 15) -> None:
    """Poll a JavaScript expression until it is true. (Playwright's wait_for_function runs its
    expression through eval in the page, which the Content-Security-Policy refuses.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


@pytest.fixture
def browser_page(browser):
    """A fresh desktop page in the test process's one chromium (guanxi/core/tests/browser.py)."""
    return browser.new_page(viewport={"width": 1360, "height": 900})


def test_rep_switches_to_chinese_enters_a_customer_and_finds_it_by_initials(
        live_server, org, browser_page):
    from guanxi.customers.models import Account

    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "rep")
    page.fill("input[name=password]", "pw-Guanxi-2026")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "en"

    # The language switcher in the top bar.
    page.click("button[aria-label='Language']")
    page.click("#language-form button[value='zh-hans']")
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    org.rep.refresh_from_db()
    assert org.rep.language == "zh-hans"

    page.goto(f"{live_server.url}/customers/new/")
    page.fill("input[name=name]", "醉翁亭文化传播有限公司")
    page.select_option("select[name=industry]", "retail")
    page.fill("input[name=contact-name]", "欧阳修")
    page.fill("input[name=contact-title]", "总经理")
    page.fill("input[name=contact-mobile]", "139 1234 0007")
    page.select_option("select[name=address-province]", "安徽省")
    page.fill("input[name=address-city]", "滁州市")
    page.fill("input[name=address-street]", "琅琊山 1 号")
    page.click("form.form-narrow button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    account = Account.objects.get(name="醉翁亭文化传播有限公司")
    assert page.locator("h1").inner_text() == "醉翁亭文化传播有限公司"
    assert page.locator(f"#contact-{account.contacts.get().pk}").is_visible()

    # Ctrl-K focuses the global search; pinyin initials find the contact; arrows + Enter open.
    page.goto(f"{live_server.url}/customers/")
    page.keyboard.press("Control+k")
    search = page.locator("#global-search")
    assert search.evaluate("el => el === document.activeElement")
    search.press_sequentially("oyx", delay=60)
    hit = page.locator("#global-search-results a.search-hit", has_text="欧阳修")
    hit.first.wait_for(state="visible")
    assert "醉翁亭文化传播有限公司" in hit.first.inner_text()
    search.press("ArrowDown")
    search.press("Enter")
    page.wait_for_url(re.compile(rf"/customers/{account.pk}/"))
    assert page.locator("h1").inner_text() == "醉翁亭文化传播有限公司"

    page.goto(f"{live_server.url}/customers/{account.pk}/")
    page.screenshot(path=str(SCREENSHOTS / "guanxi-360.png"), full_page=True)
    page.goto(f"{live_server.url}/customers/")
    page.screenshot(path=str(SCREENSHOTS / "guanxi-list.png"))
