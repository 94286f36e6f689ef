"""Routing leads by purchase timeframe, with a fake clock (``today`` passed in)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from guanxi.core.models import AuditEntry, Notification
from guanxi.customers.models import Source
from guanxi.sales.models import Lead, LeadRoutingRule, Task
from guanxi.sales.services import routing
from guanxi.sales.services.leads import create_lead, update_lead
from guanxi.sales.tests import leads_fixtures

TODAY = dt.date(2026, 3, 2)
_inline_tasks = leads_fixtures.inline_tasks
rules = leads_fixtures.rules


def enter(org, timeframe, **fields):
    """A lead entered by marketing (not a rep, so it is routed)."""
    data = {"name": "张伟", "company": "苏州精工机械有限公司", "phone": "13900001111",
            "timeframe": timeframe} | fields
    return create_lead(org.marketing, data, today=TODAY)


def test_immediate_lead_goes_to_a_rep_at_once_with_a_notification(org, rules):
    lead = enter(org, "immediate")
    assert lead.owner == org.rep and lead.status == Lead.Status.ASSIGNED
    assert lead.team == org.team_a and lead.assigned_at is not None
    note = Notification.objects.get(recipient=org.rep)
    assert note.kind == "sales.lead.assigned" and "苏州精工" in note.display_title
    assert note.url == f"/sales/leads/{lead.pk}/"
    entry = AuditEntry.objects.get(action="sales.lead.assigned", object_id=str(lead.pk))
    assert entry.data["rule_name"] == "上海一组轮流"


def test_round_robin_alternates_within_the_team(org, rules):
    owners = [enter(org, "immediate", phone="").owner for _ in range(4)]
    assert owners == [org.rep, org.teammate, org.rep, org.teammate]
    rules["team"].refresh_from_db()
    assert rules["team"].last_assigned == org.teammate


def test_round_robin_skips_inactive_reps(org, rules):
    org.rep.is_active = False
    org.rep.save()
    owners = {enter(org, "immediate", phone="").owner for _ in range(2)}
    assert owners == {org.teammate}


def test_rule_by_province_wins_by_position(org, rules):
    lead = enter(org, "immediate", province="广东省")
    assert lead.owner == org.other_rep and lead.team == org.team_b


def test_rule_by_source(org, rules):
    LeadRoutingRule.objects.create(name="展会", position=0, source=Source.EXHIBITION,
                                   user=org.hz_rep)
    assert enter(org, "immediate", source="exhibition").owner == org.hz_rep
    assert enter(org, "immediate", source="website", phone="").owner == org.rep


def test_inactive_rule_is_ignored_and_no_rule_leaves_the_lead_new(org, rules):
    LeadRoutingRule.objects.update(active=False)
    lead = enter(org, "immediate")
    assert lead.owner is None and lead.status == Lead.Status.NEW
    assert AuditEntry.objects.filter(action="sales.lead.unrouted", object_id=str(lead.pk))
    assert not Notification.objects.exists()


def test_three_month_lead_is_assigned_with_one_pull_forward_task(org, rules):
    lead = enter(org, "3m")
    assert lead.owner == org.rep
    task = Task.objects.get(lead=lead)
    assert task.origin == "sales.lead.pull_forward" and task.assignee == org.rep
    assert "bring the purchase forward" in task.title
    # Routing again (timeframe edited back and forth) does not add a second reminder.
    update_lead(org.rep, lead, {"timeframe": "immediate"}, lead.version, today=TODAY)
    update_lead(org.rep, lead, {"timeframe": "3m"}, lead.version, today=TODAY)
    assert Task.objects.filter(lead=lead).count() == 1


def test_six_month_lead_gets_detailed_material_by_email(org, rules,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead = enter(org, "6m", email="zhang.wei@example.cn")
    lead.refresh_from_db()
    assert lead.owner is None and lead.status == Lead.Status.NEW
    assert lead.material_sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhang.wei@example.cn"]
    assert "张伟" in mail.outbox[0].body
    # Sent once: routing again does not send again.
    routing.route_lead(lead, today=TODAY)
    assert len(mail.outbox) == 1


def test_six_month_lead_without_email_waits_for_material(org, rules,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead = enter(org, "6m")
    lead.refresh_from_db()
    assert lead.material_sent_at is None and not mail.outbox
    assert AuditEntry.objects.filter(action="sales.lead.material_waiting",
                                     object_id=str(lead.pk)).exists()


def test_year_lead_is_nurtured_and_comes_back_on_its_revisit_date(
        org, rules, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead = enter(org, "12m", email="zhang.wei@example.cn")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NURTURING and lead.owner is None
    assert lead.revisit_on == TODAY + dt.timedelta(days=305)
    assert len(mail.outbox) == 1 and lead.material_sent_at is not None

    assert routing.bring_back_nurtured(lead.revisit_on - dt.timedelta(days=1)) == 0
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NURTURING

    assert routing.bring_back_nurtured(lead.revisit_on) == 1
    lead.refresh_from_db()
    assert lead.status == Lead.Status.ASSIGNED and lead.owner == org.rep
    assert lead.revisit_on is None
    assert Notification.objects.filter(recipient=org.rep, kind="sales.lead.assigned").exists()


def test_nurtured_lead_of_a_rep_comes_back_to_that_rep(org, rules):
    lead = create_lead(org.hz_rep, {"name": "钱七", "timeframe": "12m"}, today=TODAY)
    assert lead.owner == org.hz_rep and lead.status == Lead.Status.NURTURING
    routing.bring_back_nurtured(TODAY + dt.timedelta(days=400))
    lead.refresh_from_db()
    assert lead.owner == org.hz_rep and lead.status == Lead.Status.ASSIGNED


def test_periodic_task_is_daily():
    from guanxi.sales.tasks import revisit_nurtured_leads

    task = revisit_nurtured_leads.task_class()
    assert task.validate_datetime(dt.datetime(2026, 3, 2, 6, 30))
    assert task.validate_datetime(dt.datetime(2026, 3, 3, 6, 30))
    assert not task.validate_datetime(dt.datetime(2026, 3, 2, 7, 30))


@pytest.mark.parametrize("timeframe", ["immediate", "3m"])
def test_a_reps_own_lead_stays_theirs(org, rules, timeframe):
    lead = create_lead(org.hz_rep, {"name": "孙八", "timeframe": timeframe}, today=TODAY)
    assert lead.owner == org.hz_rep and lead.status == Lead.Status.ASSIGNED
    assert not Notification.objects.filter(recipient=org.hz_rep).exists()


def test_nurtured_lead_whose_timeframe_shortens_goes_to_its_rep_now(org, rules):
    lead = create_lead(org.hz_rep, {"name": "周九", "timeframe": "12m"}, today=TODAY)
    update_lead(org.hz_rep, lead, {"timeframe": "immediate"}, lead.version, today=TODAY)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.ASSIGNED and lead.revisit_on is None


def test_round_robin_turn_is_read_from_the_database_not_a_stale_copy(org, rules):
    first = LeadRoutingRule.objects.get(pk=rules["team"].pk)
    second = LeadRoutingRule.objects.get(pk=rules["team"].pk)  # read by a parallel request
    assert routing.next_assignee(first) == org.rep
    assert routing.next_assignee(second) == org.teammate  # not the rep again
    assert LeadRoutingRule.objects.get(pk=first.pk).last_assigned == org.teammate
