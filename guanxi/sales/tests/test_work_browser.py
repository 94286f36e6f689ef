"""A rep's day in a real browser on a phone-sized screen: plan a key-account campaign from the
customer page (the support fields appear for a campaign only), tick off a task on Today with
htmx, and the manager approves the request inline."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanxi.customers.tests.test_browser import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture
def phone(browser):
    """Pages in the test process's one chromium (guanxi/core/tests/browser.py), signed in
    through the login form."""

    def open_as(username: str, width: int = 390):
        page = browser.new_page(viewport={"width": width, "height": 844})
        page.set_default_timeout(60_000)
        page.goto(f"{open_as.url}/accounts/login/")
        page.fill("input[name=login]", username)
        page.fill("input[name=password]", "pw-Guanxi-2026")
        page.click("form button[type=submit]")
        page.wait_for_load_state("load")
        return page

    return open_as


def test_campaign_plan_today_and_inline_decision(live_server, org, make_account, phone):
    from django.utils import timezone

    from guanxi.sales.models import SupportRequest, Task
    from guanxi.sales.services import tasks

    phone.url = live_server.url
    account = make_account(by=org.rep, name="上海明珠机电有限公司")
    task = tasks.create_task(org.rep, {"title": "寄送样品", "due_at": timezone.now()},
                             account=account)

    page = phone("rep", width=1280)
    page.goto(f"{live_server.url}/customers/{account.pk}/")
    page.click(".record-actions >> text=Log activity")
    page.wait_for_selector("#modal-content select[name=kind]")
    assert not page.locator("input[name=budget]").is_visible()
    page.select_option("select[name=kind]", "campaign")
    # Alpine shows the support request fields on its next tick.
    page.locator("input[name=budget]").wait_for(state="visible", timeout=5000)
    page.fill("input[name=subject]", "攻关明珠二期")
    page.fill("input[name=people]", "技术总工")
    page.fill("input[name=budget]", "8000")
    page.click("#modal-content button[type=submit]")
    page.wait_for_selector("#work >> text=攻关明珠二期")  # the page reloads after the save
    assert page.locator("#work").inner_text().count("攻关明珠二期") == 1
    request = SupportRequest.objects.get()
    assert str(request.budget) == "8000.00"

    page = phone("rep")
    page.goto(f"{live_server.url}/sales/today/")
    page.click(f"#task-{task.pk} button[type=submit]")
    page.wait_for_selector(f"#task-{task.pk} >> text=Reopen")
    assert Task.objects.get(pk=task.pk).status == "done"

    page = phone("manager")
    # The old address opens the one approvals inbox on support requests; approve in the row.
    page.goto(f"{live_server.url}/sales/support-requests/")
    row = page.locator(f"#approval-support-{request.pk}")
    row.locator('button[value="approve"]').click()
    page.wait_for_selector(f"#approval-support-{request.pk} form", state="detached")
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == org.manager
