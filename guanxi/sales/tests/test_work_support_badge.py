"""The navigation badge: support requests waiting for the user's decision."""

from __future__ import annotations

from guanxi.sales.services import activities as svc
from guanxi.sales.templatetags.sales_work import support_waiting
from guanxi.sales.tests import work_fixtures
from guanxi.sales.tests.work_fixtures import at

work = work_fixtures.work
NOW = at(24, 15)


def plan(user, account, subject):
    return svc.log_activity(
        user, {"kind": "campaign", "subject": subject, "starts_at": at(30, 9)},
        account=account, support={"people": "技术总工"}, now=NOW).support_request


def test_badge_counts_pending_requests_of_the_managers_subtree_only(org, work):
    east = [plan(org.rep, work.account, "攻关明珠二期"), plan(org.rep, work.account, "样机演示")]
    plan(org.other_rep, work.far, "攻关南方贸易")
    assert support_waiting(org.manager) == 2
    assert support_waiting(org.other_manager) == 1
    assert support_waiting(org.admin) == 3
    assert support_waiting(org.rep) == 0
    assert support_waiting(org.assistant) == 0

    svc.decide_support(org.manager, east[0], True, "", east[0].version)
    svc.withdraw_support(org.rep, east[1], east[1].version)
    assert support_waiting(org.manager) == 0
    assert support_waiting(org.other_manager) == 1
    assert support_waiting(org.admin) == 1
