"""axe-core on the main pages of each role, in Chinese and English: no serious or critical
violation (names of buttons and links, labels, contrast, landmarks)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.accounts.models import Role, User, UserRole
from guanxi.core.tests.browser import DESKTOP, PHONE, axe_violations, browser_marks, signed_in

pytestmark = browser_marks

RIGHT_EDGE = "document.querySelector('%s').getBoundingClientRect().right"


def walk(page, live_server, paths: list[str]) -> dict[str, list]:
    found = {}
    for path in paths:
        page.goto(live_server.url + path)
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    return found


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_main_pages_of_each_role_have_no_serious_violations(live_server, org, make_account,
                                                           browser, language):
    account = make_account(name="无障碍测试有限公司", contacts=[{"name": "王经理"}])
    agent = User.objects.create_user(username="agent", password="pw-Guanxi-2026",
                                     team=org.company, display_name="客服小李")
    UserRole.objects.create(user=agent, role=Role.SERVICE)
    rep_pages = ["/", reverse("customers:list"), reverse("customers:detail", args=[account.pk]),
                 reverse("sales:board"), reverse("orders:quotes"), reverse("sales:today")]
    found = {}
    page = signed_in(browser, live_server, org.rep, language=language)
    found |= walk(page, live_server, rep_pages)
    # Wide pages fit 1440 px: the board's won and lost columns are on screen.
    page.goto(live_server.url + reverse("sales:board"))
    assert page.evaluate(RIGHT_EDGE % ".opp-column:last-child") <= DESKTOP["width"]
    phone = signed_in(browser, live_server, org.rep, language=language, viewport=PHONE,
                      path=reverse("customers:detail", args=[account.pk]))
    found |= {f"phone {k}": v for k, v in walk(phone, live_server, [
        reverse("customers:detail", args=[account.pk]), reverse("sales:today")]).items()}
    page = signed_in(browser, live_server, agent, language=language)
    found |= walk(page, live_server, ["/", reverse("service:my_queue")])
    page = signed_in(browser, live_server, org.marketing, language=language)
    found |= walk(page, live_server, [reverse("marketing:campaigns")])
    page = signed_in(browser, live_server, org.admin, language=language)
    found |= walk(page, live_server, ["/", reverse("core:audit"), reverse("orders:receivables")])
    assert page.evaluate(RIGHT_EDGE % "#aging-customers th:last-child") <= DESKTOP["width"]
    assert not found, "\n".join(f"{path}: {v['id']} ({v['impact']}) {v['nodes'][:4]}"
                                 for path, violations in found.items() for v in violations)


def test_the_administrators_sidebar_fits_a_900_px_screen(live_server, org, browser):
    """47 links: the sidebar scrolls itself to the last one, and folded areas (remembered in
    the browser, no request) leave every area heading on screen."""
    page = signed_in(browser, live_server, org.admin, language="zh-hans")  # 1440 x 900
    last = page.locator("#sidebar-nav .nav-item").last
    assert last.get_attribute("href") == reverse("accounts:users")
    last.scroll_into_view_if_needed()
    assert last.is_visible() and page.evaluate("window.scrollY") == 0  # the nav scrolled
    box = last.bounding_box()
    assert box and box["y"] + box["height"] <= 900

    for button in page.locator("#sidebar-nav button.nav-section").all():
        button.click()  # every area but Home folds
    page.reload()
    folded = page.locator("#sidebar-nav button.nav-section[aria-expanded=false]").count()
    assert folded >= 6
    assert page.evaluate("(() => { const n = document.getElementById('sidebar-nav');"
                         " return n.scrollHeight <= n.clientHeight; })()")
    settings_heading = page.locator("#sidebar-nav [data-area=settings] button.nav-section")
    assert settings_heading.is_visible()
    settings_heading.click()
    assert settings_heading.get_attribute("aria-expanded") == "true"
    assert page.locator("#sidebar-nav [data-area=settings] .nav-links").is_visible()
