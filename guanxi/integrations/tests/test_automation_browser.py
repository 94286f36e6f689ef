"""An administrator builds an automation rule in the structured editor of a real browser."""

from __future__ import annotations

import urllib.request

import pytest

from guanxi.customers.tests.test_browser import CHROMIUM, browser_page  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def test_admin_builds_a_stage_rule_with_a_condition_and_a_task(live_server, org,
                                                               browser_page):  # noqa: F811
    from guanxi.integrations.models import AutomationRule

    # The live server's first answer builds its URL map and templates: slow on a busy machine.
    with urllib.request.urlopen(f"{live_server.url}/accounts/login/", timeout=120):  # noqa: S310
        pass
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", "pw-Guanxi-2026")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/data/automation/new/")
    page.fill("#rule-name", "报价阶段提醒")
    page.select_option("select[aria-label='When']", "stage_changed")
    page.select_option("select[aria-label='Stage']", "quotation")
    page.click("text=Add condition")
    page.select_option("select[aria-label='Field']", "amount")
    page.select_option("select[aria-label='Operator']", "gte")
    page.fill("input[aria-label='Value']", "100000")
    page.select_option("select[aria-label='Action']", "create_task")
    page.fill("input[aria-label='Task title']", "准备报价单")
    page.fill("input[aria-label='days']", "2")
    page.click("#rule-form button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/data/automation/")

    rule = AutomationRule.objects.get()
    assert (rule.name, rule.trigger, rule.value) == ("报价阶段提醒", "stage_changed",
                                                     "quotation")
    assert rule.conditions == [{"field": "amount", "op": "gte", "value": "100000"}]
    assert rule.actions == [{"type": "create_task", "to": "owner", "title": "准备报价单",
                             "due_in_days": 2, "priority": "normal"}]

    # Reopened, the editor shows what was saved.
    page.goto(f"{live_server.url}/data/automation/{rule.pk}/")
    assert page.locator("select[aria-label='Stage']").input_value() == "quotation"
    assert page.locator("select[aria-label='Operator']").input_value() == "gte"
    assert page.locator("input[aria-label='Task title']").input_value() == "准备报价单"
