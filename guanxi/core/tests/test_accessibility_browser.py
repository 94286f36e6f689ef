"""axe-core on the main pages of each role, in Chinese and English: no serious or critical
violation (names of buttons and links, labels, contrast, landmarks)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.accounts.models import Role, User, UserRole
from guanxi.core.tests.browser import PHONE, axe_violations, browser_marks, signed_in

pytestmark = browser_marks


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
    phone = signed_in(browser, live_server, org.rep, language=language, viewport=PHONE,
                      path=reverse("customers:detail", args=[account.pk]))
    found |= {f"phone {k}": v for k, v in walk(phone, live_server, [
        reverse("customers:detail", args=[account.pk]), reverse("sales:today")]).items()}
    page = signed_in(browser, live_server, agent, language=language)
    found |= walk(page, live_server, ["/", reverse("service:my_queue")])
    page = signed_in(browser, live_server, org.marketing, language=language)
    found |= walk(page, live_server, [reverse("marketing:campaigns")])
    page = signed_in(browser, live_server, org.admin, language=language)
    found |= walk(page, live_server, ["/", reverse("core:audit")])
    assert not found, "\n".join(f"{path}: {v['id']} ({v['impact']}) {v['nodes'][:4]}"
                                 for path, violations in found.items() for v in violations)
