"""What every browser test needs: Debian's chromium driven by Playwright, one browser per test
process (starting chromium costs about a second of CPU), a fresh context per test, and a
signed-in page without typing into the login form.

Use from a test module::

    from guanxi.core.tests.browser import signed_in, wait_until  # the fixtures come from conftest

    pytestmark = browser_marks

    def test_x(live_server, org, browser):
        page = signed_in(browser, live_server, org.rep, language="zh-hans")
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: axe-core from npm (package.json at the repository's root; ``./dev test`` runs ``npm ci``).
AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

browser_marks = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium (/usr/bin/chromium) is "
                       "not installed; install the chromium package to run browser tests"),
]


def wait_until(page: Any, expression: str, timeout: float = 15) -> None:
    """Poll a JavaScript expression until it is true. (Playwright's wait_for_function runs its
    expression through eval in the page, which the Content-Security-Policy refuses.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


@pytest.fixture(scope="session")
def chromium_browser():
    """One chromium for the whole test process; each test opens its own context."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium (/usr/bin/chromium) is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium_browser):
    """Opens contexts for this test and closes them afterwards."""
    contexts: list[Any] = []

    class Opener:
        def new_page(self, viewport: dict | None = None, **options: Any) -> Any:
            # The app's service worker would take requests away from page.route(): tests that
            # exercise it ask for service_workers="allow".
            options.setdefault("service_workers", "block")
            context = chromium_browser.new_context(viewport=viewport or DESKTOP, **options)
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(15_000)
            return page

    yield Opener()
    for context in contexts:
        context.close()


def signed_in(browser: Any, live_server: Any, user: Any, language: str | None = None,
              viewport: dict | None = None, path: str = "/", **options: Any) -> Any:
    """A page signed in as ``user`` (through a real session, not the login form), in
    ``language`` when given, opened at ``path``; ``options`` go to the browser context."""
    from django.conf import settings
    from django.test import Client

    if language and getattr(user, "language", None) != language:
        user.language = language
        user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    session = client.session
    session["guanxi_language"] = user.language  # what the login adapter stores
    session.save()
    page = browser.new_page(viewport=viewport, **options)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": session.session_key, "url": live_server.url}])
    page.goto(live_server.url + path)
    return page


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it is and return its violations of ``impacts``, each as
    ``{"id", "impact", "help", "nodes": [selector, ...]}`` (an empty list is a pass).

    The script is evaluated as the file's text (the Content-Security-Policy refuses a script
    tag without the page's nonce). Skips the test when axe-core is not installed."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci` at the repository's root")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ["violations"]});
      return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" "))}));
    }""")
    return [v for v in result if v["impact"] in impacts]
