"""The quote editor in a real browser: pick two products, change a discount, watch the totals
follow from the server, save."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import get_resolver

from guanxi.customers.tests.test_browser import CHROMIUM, browser_page, wait_until  # noqa: F401
from guanxi.orders.models import Quote
from guanxi.orders.tests.test_quotes_fixtures import world

__all__ = ["world"]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium (/usr/bin/chromium) is "
                       "not installed; install the chromium package to run browser tests"),
]


def _pick(page, row: int, query: str, code: str) -> None:
    option = page.locator(f"#line-{row}-results [role=option]", has_text=code)
    for attempt in range(3):
        # A row just added may not have its search wired yet when typed into on a busy
        # machine: type again until the results come.
        page.fill(f"#line-{row}-search", "")
        page.fill(f"#line-{row}-search", query)
        try:
            option.wait_for(state="visible", timeout=8000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError, retried
            if attempt == 2:
                raise
    option.click()
    # The server prices the picked product at one piece: wait for that before typing on.
    wait_until(
        page, f"document.querySelector('#line-{row}-quantity').value === '1'")


def _total(page) -> str:
    return page.locator("#total-total").inner_text()


def test_rep_builds_a_quote_in_the_editor(live_server, org, world, browser_page):  # noqa: F811
    get_resolver().url_patterns  # noqa: B018 - load the pages before the first navigation
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "rep")
    page.fill("input[name=password]", "pw-Guanxi-2026")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/orders/quotes/new/?account={world.account.pk}")

    _pick(page, 0, "TR", "TR-100")
    page.fill("#line-0-quantity", "2")
    page.press("#line-0-quantity", "Tab")
    wait_until(page, "document.querySelector('#total-total') && document"
                     ".querySelector('#total-total').textContent.includes('22,600.00')")

    page.click("#add-line")
    page.locator("#line-1").wait_for()
    _pick(page, 1, "真空", "SW-20")
    page.fill("#line-1-quantity", "3")
    page.press("#line-1-quantity", "Tab")
    # 22,600.00 + 3 × 2,345.67 × 1.13 = 30,551.82
    wait_until(page, "document.querySelector('#total-total') && document"
                     ".querySelector('#total-total').textContent.includes('30,551.82')")

    page.fill("#line-0-discount_percent", "10")
    page.press("#line-0-discount_percent", "Tab")
    # The transformer line loses 2,000.00 before tax, 2,260.00 with VAT.
    wait_until(page, "document.querySelector('#total-total').textContent"
                     ".includes('28,291.82')")
    assert "25,037.01" in page.locator("#total-net").inner_text()

    page.click("#save-quote")
    page.wait_for_url(f"{live_server.url}/orders/quotes/*/")
    quote = Quote.objects.get()
    assert quote.total == Decimal("28291.82") and quote.lines.count() == 2
    assert "28,291.82" in page.locator("#quote-total").inner_text()
