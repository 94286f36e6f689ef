"""Automation rules, each trigger, condition and action, run after the change commits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from guanxi.core.models import Notification
from guanxi.customers import services as customers
from guanxi.integrations.models import AutomationRule, AutomationRun
from guanxi.integrations.services import automation
from guanxi.integrations.tests.hooks_fixtures import inline_tasks  # noqa: F401
from guanxi.sales.models import Task
from guanxi.sales.services.opportunities import OpportunityInput

Trigger = AutomationRule.Trigger
Result = AutomationRun.Result


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run the block, then what waits for its commit (rules, and what rules do)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def rule(org, **data):
    return automation.create_rule(org.admin, {"name": "规则", **data})


@pytest.fixture
def opp(org, make_account):
    from guanxi.sales.services.opportunities import create_opportunity

    account = make_account(by=org.rep, name="明珠机电有限公司",
                           contacts=[{"name": "张三", "email": "zhang@mingzhu.example.cn"}])
    return create_opportunity(org.rep, account, OpportunityInput.parse({"name": "二期变压器"}))


def test_stage_changed_creates_a_task_for_the_owner(org, opp, after_commit):
    from guanxi.sales.services.opportunities import move_stage

    rule(org, trigger=Trigger.STAGE_CHANGED, value="quotation",
         actions=[{"type": "create_task", "title": "准备报价单", "due_in_days": 2}])
    with after_commit():
        move_stage(org.rep, opp, opp.version, "tracking")
    assert not Task.objects.exists() and not AutomationRun.objects.exists()

    opp.refresh_from_db()
    with after_commit():
        move_stage(org.rep, opp, opp.version, "quotation")
    task = Task.objects.get()
    assert (task.title, task.assignee, task.opportunity, task.account) == (
        "准备报价单", org.rep, opp, opp.account)
    assert task.due_at.date() >= timezone.localdate() + dt.timedelta(days=1)
    run = AutomationRun.objects.get()
    assert (run.result, run.object_id, run.detail) == (
        Result.DONE, str(opp.pk), [{"type": "create_task", "task": task.pk}])


def test_field_changed_to_a_value_adds_a_tag(org, make_account, after_commit):
    rule(org, trigger=Trigger.FIELD_CHANGED, target="customers.account", field="industry",
         value="energy", actions=[{"type": "add_tag", "tag": "能源客户"}])
    account = make_account(industry="manufacturing")
    with after_commit():
        customers.update_account(org.rep, account, {"needs": "更快交货"}, account.version)
    assert list(account.tags.values_list("name", flat=True)) == []
    with after_commit():
        customers.update_account(org.rep, account, {"industry": "energy"}, account.version)
    assert list(account.tags.values_list("name", flat=True)) == ["能源客户"]


def test_lead_created_with_a_timeframe_notifies_the_managers(org, after_commit):
    from guanxi.sales.services.leads import create_lead

    rule(org, trigger=Trigger.EVENT, event_type="sales.lead.created",
         conditions=[{"field": "timeframe", "op": "eq", "value": "immediate"}],
         actions=[{"type": "notify", "to": "role", "role": "manager",
                   "message": "马上要买的线索"}])
    with after_commit():
        create_lead(org.rep, {"name": "周先生", "company": "慢慢买公司", "timeframe": "12m"})
    assert AutomationRun.objects.get().result == Result.SKIPPED
    with after_commit():
        lead = create_lead(org.rep, {"name": "钱先生", "company": "急需公司",
                                     "timeframe": "immediate"})
    notes = Notification.objects.filter(kind="integrations.automation")
    assert {n.recipient for n in notes} == {org.manager, org.other_manager}
    assert notes[0].title == f"规则: 马上要买的线索 ({lead})"


def test_no_follow_up_for_n_days_runs_once_per_quiet_period(org, make_account):
    from guanxi.customers.models import Account

    rule(org, trigger=Trigger.NO_FOLLOW_UP, days=30,
         actions=[{"type": "notify", "to": "owner", "message": "该回访了"},
                  {"type": "add_tag", "tag": "久未跟进"}])
    today = dt.date(2026, 12, 1)
    quiet, fresh = make_account(), make_account()
    pooled = make_account()
    Account.objects.filter(pk__in=[quiet.pk, pooled.pk]).update(
        last_follow_up_at=timezone.make_aware(dt.datetime(2026, 10, 20, 9)))
    Account.objects.filter(pk=fresh.pk).update(
        last_follow_up_at=timezone.make_aware(dt.datetime(2026, 11, 20, 9)))
    Account.objects.filter(pk=pooled.pk).update(in_pool=True, owner=None)

    assert automation.check_no_follow_up(today=today) == 1
    assert list(quiet.tags.values_list("name", flat=True)) == ["久未跟进"]
    assert not fresh.tags.exists()
    assert Notification.objects.get(kind="integrations.automation").recipient == org.rep
    assert automation.check_no_follow_up(today=today + dt.timedelta(days=1)) == 0

    customers.log_follow_up(org.rep, quiet, "电话回访")  # a new quiet period starts
    assert automation.check_no_follow_up(today=today + dt.timedelta(days=1)) == 0
    later = timezone.localdate() + dt.timedelta(days=31)
    assert automation.check_no_follow_up(today=later) == 2  # quiet again; fresh too by then


def test_rules_do_not_loop(org, make_account, after_commit):
    """Assigned → tag; tagged → assign: each runs once, then the chain stops."""
    rule(org, trigger=Trigger.EVENT, event_type="customers.account.assigned",
         actions=[{"type": "add_tag", "tag": "已分配"}])
    rule(org, trigger=Trigger.EVENT, event_type="customers.account.tagged",
         actions=[{"type": "assign_owner", "user_id": org.teammate.pk}])
    account = make_account(by=org.rep)
    with after_commit():
        customers.assign_owner(org.manager, account, org.hz_rep, account.version)
    account.refresh_from_db()
    assert account.owner == org.teammate
    assert list(account.tags.values_list("name", flat=True)) == ["已分配"]
    assert AutomationRun.objects.filter(result=Result.DONE).count() == 2


def test_a_rule_does_not_react_to_its_own_changes(org, make_account, after_commit):
    rule(org, trigger=Trigger.EVENT, event_type="customers.account.tagged",
         actions=[{"type": "add_tag", "tag": "再标记"}])
    account = make_account()
    with after_commit():
        customers.set_tags(org.rep, account, ["重点"])
    assert sorted(account.tags.values_list("name", flat=True)) == ["再标记", "重点"]
    assert AutomationRun.objects.count() == 1


def test_failures_are_logged_and_others_still_run(org, make_account, after_commit):
    rule(org, name="无主", trigger=Trigger.EVENT, event_type="customers.account.updated",
         actions=[{"type": "create_task", "title": "跟进", "due_in_days": 1}])
    rule(org, name="标记", trigger=Trigger.EVENT, event_type="customers.account.updated",
         actions=[{"type": "add_tag", "tag": "已更新"}])
    account = make_account(by=org.admin)  # an administrator's customer has no owner
    with after_commit():
        customers.update_account(org.admin, account, {"needs": "样品"}, account.version)
    failed = AutomationRun.objects.get(rule__name="无主")
    assert (failed.result, failed.error) == (Result.FAILED, "The record has no owner.")
    assert AutomationRun.objects.get(rule__name="标记").result == Result.DONE
    assert not Task.objects.exists()


def test_a_rule_of_an_administrator_who_left_does_nothing(org, make_account, after_commit):
    rule(org, trigger=Trigger.EVENT, event_type="customers.account.updated",
         actions=[{"type": "add_tag", "tag": "x"}])
    org.admin.is_active = False
    org.admin.save()
    account = make_account()
    with after_commit():
        customers.update_account(org.rep, account, {"needs": "样品"}, account.version)
    assert AutomationRun.objects.get().result == Result.FAILED
    assert not account.tags.exists()


def test_won_sends_the_e_mail_template_to_the_primary_contact(org, opp, after_commit,
                                                               inline_tasks):  # noqa: F811
    from guanxi.sales.models import EmailTemplate
    from guanxi.sales.services.opportunities import move_stage

    template = EmailTemplate.objects.create(name="感谢", subject="感谢您，{{ contact.name }}",
                                            body="{{ account.name }}：{{ opportunity.name }}")
    rule(org, trigger=Trigger.STAGE_CHANGED, value="won",
         actions=[{"type": "send_email", "template_id": template.pk}])
    with after_commit():
        move_stage(org.rep, opp, opp.version, "won")
    (message,) = mail.outbox
    assert message.to == ["zhang@mingzhu.example.cn"]
    assert message.subject == "感谢您，张三"
    assert message.body == "明珠机电有限公司：二期变压器"


@pytest.mark.parametrize(("condition", "expected"), [
    ({"field": "budget", "op": "gte", "value": "500000"}, True),
    ({"field": "budget", "op": "lte", "value": "499999.99"}, False),
    ({"field": "budget", "op": "eq", "value": "500000"}, True),
    ({"field": "province", "op": "in", "value": "浙江,上海"}, True),
    ({"field": "province", "op": "in", "value": ["江苏"]}, False),
    ({"field": "company", "op": "contains", "value": "电机"}, True),
    ({"field": "interest", "op": "empty", "value": ""}, True),
    ({"field": "company", "op": "not_empty", "value": ""}, True),
    ({"field": "timeframe", "op": "ne", "value": "immediate"}, True),
])
def test_conditions(org, condition, expected):
    from decimal import Decimal

    from guanxi.sales.models import Lead

    lead = Lead(name="孙先生", company="杭州电机厂", province="上海", budget=Decimal("500000.00"))
    assert automation.holds(condition, lead) is expected


@pytest.mark.parametrize(("data", "field"), [
    ({"trigger": "sometimes"}, "trigger"),
    ({"trigger": "event", "event_type": "nothing.happened"}, "event_type"),
    ({"trigger": "field_changed", "target": "customers.account", "field": "password"},
     "field"),
    ({"trigger": "no_follow_up", "days": 0}, "days"),
    ({"trigger": "event", "event_type": "sales.lead.created",
      "conditions": [{"field": "budget", "op": "gte", "value": "many"}]}, "conditions"),
    ({"trigger": "event", "event_type": "sales.lead.created", "actions": []}, "actions"),
    ({"trigger": "event", "event_type": "sales.lead.created",
      "actions": [{"type": "assign_owner", "user_id": 999999}]}, "actions"),
])
def test_bad_rules_are_refused_at_the_field(org, data, field):
    from guanxi.core.errors import FieldErrors

    base = {"actions": [{"type": "notify", "to": "owner", "message": "hi"}]}
    with pytest.raises(FieldErrors) as refused:
        rule(org, **(base | data))
    assert field in refused.value.errors
    assert not AutomationRule.objects.exists()


def test_only_administrators_manage_rules(org):
    from guanxi.core.errors import Forbidden

    with pytest.raises(Forbidden):
        automation.create_rule(org.manager, {"name": "x", "trigger": "no_follow_up", "days": 3,
                                             "actions": [{"type": "notify", "to": "owner",
                                                          "message": "hi"}]})
