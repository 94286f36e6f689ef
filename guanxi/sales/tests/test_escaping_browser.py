"""Markup built in the browser, in a real browser: chart tooltips (funnel, forecast, the
relationship graph) and the global search results, with script in the names they show.
Nothing may run (no alert dialog) and no element may be injected; the names show as text."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from guanxi.customers.services import add_contact, add_relationship
from guanxi.customers.tests.test_browser import CHROMIUM, browser_page  # noqa: F401
from guanxi.sales.tests import forecast_fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium (/usr/bin/chromium) is "
                       "not installed; install the chromium package to run browser tests"),
]

sales = forecast_fixtures.sales
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = '"><script>alert(2)</script>'
NAME = "{a}{b}" + IMG + SCRIPT

# Show the tooltip of every data item of every chart in the page: the same formatter code a
# hover runs, without aiming the mouse at shapes.
TIPS = """async () => {
  const shown = [];
  for (const el of document.querySelectorAll("[_echarts_instance_]")) {
    const chart = echarts.getInstanceByDom(el);
    chart.getOption().series.forEach((series, seriesIndex) => {
      const count = (series.data || []).length;
      for (let dataIndex = 0; dataIndex < count; dataIndex++) {
        chart.dispatchAction({ type: "showTip", seriesIndex, dataIndex });
        const tip = el.querySelector("div[style*='z-index']") || el.lastElementChild;
        shown.push(tip ? tip.innerText : "");
      }
    });
  }
  await new Promise((r) => setTimeout(r, 300));
  return shown;
}"""


def test_chart_tooltips_and_search_results_show_names_as_text(
        live_server, org, sales, make_account, browser_page):  # noqa: F811
    for stage in sales.stages.values():
        stage.name_en = stage.name_zh = f"{NAME} {stage.key}"
        stage.save(update_fields=["name_en", "name_zh"])
    account = make_account(by=org.rep, name=f"明珠{IMG}有限公司",
                           contacts=[{"name": f"张三{IMG}", "title": SCRIPT}])
    other = add_contact(org.rep, account, {"name": "{c}" + SCRIPT, "title": "{b}" + IMG})
    add_relationship(org.rep, account.contacts.get(is_primary=True), other, "colleague",
                     note=IMG)

    get_resolver().url_patterns  # noqa: B018 (load the page modules before the browser)
    page = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "rep")
    page.fill("input[name=password]", "pw-Guanxi-2026")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    def injected() -> int:
        return page.locator("img[src='x'], script:text('alert(')").count()

    span = "?from=2026-06-01&to=2026-12-31"
    shown = {}
    for name, path in (("funnel", reverse("sales:funnel") + span),
                       ("forecast", reverse("sales:forecast") + span),
                       ("graph", reverse("customers:detail", args=[account.pk]))):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector("[_echarts_instance_]", state="attached")
        shown[name] = "\n".join(page.evaluate(TIPS))
        page.mouse.move(300, 300)
        assert injected() == 0, name
    # The tooltips did show the names, as the text that was typed.
    assert f"{NAME} discovery" in shown["funnel"]
    assert f"{NAME} quotation" in shown["forecast"]
    assert f"张三{IMG}" in shown["graph"]

    page.fill("#global-search", "明珠")
    page.wait_for_selector("#global-search-results .search-hit")
    assert IMG in page.inner_text("#global-search-results")
    assert injected() == 0
    page.wait_for_timeout(300)  # an image that failed to load would have fired by now
    assert dialogs == []
