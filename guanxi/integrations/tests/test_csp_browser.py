"""The main pages under the Content-Security-Policy in a real browser: nothing is refused (no
inline script or handler without the nonce, no eval), no script error, and the behaviours
built on Alpine and htmx still work."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from guanxi.customers.tests.test_browser import CHROMIUM, browser_page, wait_until  # noqa: F401
from guanxi.orders.tests.test_quotes_fixtures import world

__all__ = ["world"]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium (/usr/bin/chromium) is "
                       "not installed; install the chromium package to run browser tests"),
]

# Runs before the page's own scripts; the policy does not apply to it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def first_operations(schema: dict, count: int) -> dict:
    """The schema with its first ``count`` paths and the components they refer to."""
    paths = dict(list(schema["paths"].items())[:count])
    wanted: set[str] = set()
    todo = [paths]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/") and ref not in wanted:
                wanted.add(ref)
                todo.append(schema["components"]["schemas"][ref.rsplit("/", 1)[1]])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    components = dict(schema["components"])
    components["schemas"] = {name: s for name, s in components.get("schemas", {}).items()
                             if f"#/components/schemas/{name}" in wanted}
    return schema | {"paths": paths, "components": components}


def test_main_pages_run_under_the_policy_and_keep_working(live_server, org, world,
                                                           browser_page):  # noqa: F811
    get_resolver().url_patterns  # noqa: B018 - load the pages before the first navigation
    admin = org.admin
    admin.is_staff = admin.is_superuser = True  # the Django admin's own rule
    admin.save()
    page = browser_page
    page.context.add_init_script(RECORD_VIOLATIONS)
    problems: list[str] = []
    # Refusals and script errors; not the favicon a page without an icon link asks for.
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if (m.type == "error" and not m.text.startswith("Failed to load resource"))
            or "Alpine" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def visit(path: str) -> None:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        problems.extend(page.evaluate("window.__cspViolations"))
        assert problems == [], path

    visit("/accounts/login/")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", "pw-Guanxi-2026")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    for path in [
        reverse("customers:list"),
        reverse("customers:detail", args=[world.account.pk]),
        reverse("sales:board"),
        f"{reverse('orders:quote_create')}?account={world.account.pk}",
        reverse("analytics:dashboard"),
        reverse("sales:funnel"),
        reverse("sales:forecast"),
        reverse("accounts:tokens"),
        reverse("admin:index"),
        reverse("admin:accounts_user_change", args=[admin.pk]),
    ]:
        visit(path)
    # The API documentation: Swagger UI draws operations of our schema (a few of them: all
    # would keep it busy for longer than this whole test).
    schema = page.request.get(f"{live_server.url}/api/openapi.json").json()
    page.route("**/api/openapi.json",
               lambda route: route.fulfill(json=first_operations(schema, 4)))
    visit("/api/docs")
    page.locator(".swagger-ui .opblock-summary-path").first.wait_for()
    page.click(".swagger-ui .opblock-summary")  # open an operation: parameters, responses
    page.locator(".swagger-ui .opblock-body .responses-table").first.wait_for()
    problems.extend(page.evaluate("window.__cspViolations"))
    assert problems == []

    # Home: Ctrl-K focuses the global search; typing fetches results (htmx) into the open
    # drop-down (Alpine).
    visit("/")
    page.keyboard.press("Control+k")
    assert page.evaluate("document.activeElement.id") == "global-search"
    page.keyboard.type("明珠")
    page.locator("#global-search-results a.search-hit").first.wait_for()
    assert page.locator("#global-search-results").is_visible()
    page.click("main.content")  # a click elsewhere closes it
    page.locator("#global-search-results").wait_for(state="hidden")

    # The customer list: "More filters" closes on a click elsewhere; the export carries the
    # filters shown.
    visit(f"{reverse('customers:list')}?q=明珠")
    filters = "details.more-filters:not(.list-save):not(.list-columns)"
    page.click(f"{filters} summary")
    assert page.locator(filters).get_attribute("open") is not None
    page.click("h1")
    wait_until(page, f"!document.querySelector('{filters}').open")
    page.route("**/exports/customers/**", lambda route: route.fulfill(body="name\n"))
    with page.expect_request("**/exports/customers/**") as asked:
        page.click("#export-csv")
    assert asked.value.url.endswith("/exports/customers/?format=csv&q=%E6%98%8E%E7%8F%A0")

    # A new customer: company fields give way to the person's when the kind switches.
    visit(reverse("customers:create"))
    assert page.locator("#field-registration_id").is_visible()
    page.check("input[name=kind][value=person]")
    page.locator("#field-registration_id").wait_for(state="hidden")
    assert "The person" in page.locator("h2:has-text('The person')").inner_text()
    page.check("input[name=kind][value=company]")
    page.locator("#field-registration_id").wait_for(state="visible")

    # Closing an opportunity in the modal (htmx): the loss fields come with "Lost".
    visit(reverse("sales:opportunity", args=[world.opp.pk]))
    page.click("a[hx-get$='/close/']:has-text('Close won or lost')")
    page.locator("#modal input[name=outcome][value=lost]").wait_for()
    assert not page.locator("#modal #field-loss_reason").is_visible()
    page.check("#modal input[name=outcome][value=lost]")
    page.locator("#modal #field-loss_reason").wait_for(state="visible")

    # The rule editor: a stage trigger asks for the stage; a condition row can be added.
    visit(reverse("integrations:automation_create"))
    page.select_option("select[aria-label='When']", "stage_changed")
    page.locator("select[aria-label='Stage']").wait_for()
    page.click("text=Add condition")
    assert page.locator("select[aria-label='Operator']").input_value() == "eq"

    # A new token is shown once, with a copy button.
    visit(reverse("accounts:tokens"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=live_server.url)
    page.fill("input[name=name]", "ERP")
    page.click("form.form-section button[type=submit]")
    page.locator("#token-secret").wait_for()
    page.click("#new-token button:has-text('Copy')")
    page.locator("#new-token .bi-check-lg").wait_for(state="visible")
    assert page.evaluate("navigator.clipboard.readText()") == page.input_value("#token-secret")
    problems.extend(page.evaluate("window.__cspViolations"))
    assert problems == []
