"""Activities on the customer's timeline and follow-up date, and the support requests of
key-account campaign plans (攻关活动): who decides, what they must say, who hears of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from guanxi.core.errors import Conflict, FieldErrors, Forbidden, NotFound
from guanxi.core.models import AuditEntry, Notification
from guanxi.customers.models import Account, TimelineEvent
from guanxi.sales.models import Activity, SupportRequest
from guanxi.sales.services import activities as svc
from guanxi.sales.tests import work_fixtures
from guanxi.sales.tests.work_fixtures import at, make_opportunity

work = work_fixtures.work
NOW = at(24, 15)


def test_a_done_visit_lands_on_the_timeline_and_counts_as_follow_up(org, work):
    Account.objects.filter(pk=work.account.pk).update(last_follow_up_at=at(1))
    visit = svc.log_activity(org.rep, {"kind": "visit", "subject": "拜访采购部",
                                       "body": "谈二期需求", "starts_at": at(24, 10)},
                             account=work.account, contact=work.contact,
                             opportunity=work.opportunity, now=NOW)
    work.account.refresh_from_db()
    assert work.account.last_follow_up_at == at(24, 10)
    event = TimelineEvent.objects.get(account=work.account, kind="sales.visit")
    assert event.body == "谈二期需求" and event.contact == work.contact
    assert event.data["activity"] == visit.pk
    with translation.override("zh-hans"):
        # The title is kept as a message: each reader sees it in their own language.
        assert "拜访采购部" in event.display_title
    assert event.display_title == "Visit: 拜访采购部"
    assert AuditEntry.objects.filter(action="sales.activity.created",
                                     object_id=str(visit.pk)).exists()


def test_a_planned_meeting_does_not_count_until_it_is_done(org, work):
    Account.objects.filter(pk=work.account.pk).update(last_follow_up_at=at(1))
    meeting = svc.log_activity(org.rep, {"kind": "meeting", "subject": "技术交流会",
                                         "status": "planned", "starts_at": at(26, 9),
                                         "duration_minutes": 90},
                               account=work.account, now=NOW)
    work.account.refresh_from_db()
    assert work.account.last_follow_up_at == at(1)
    assert TimelineEvent.objects.get(kind="sales.meeting").title == \
        "Meeting planned: 技术交流会"
    svc.complete_activity(org.rep, meeting, meeting.version, outcome="对方同意报价",
                          now=at(26, 11))
    work.account.refresh_from_db()
    assert work.account.last_follow_up_at == at(26, 9)
    meeting.refresh_from_db()
    assert meeting.status == "done" and meeting.outcome == "对方同意报价"
    with pytest.raises(Conflict):
        svc.cancel_activity(org.rep, meeting, meeting.version)


def test_a_note_is_no_follow_up(org, work):
    Account.objects.filter(pk=work.account.pk).update(last_follow_up_at=at(1))
    svc.log_activity(org.rep, {"kind": "note", "subject": "备注"}, account=work.account,
                     now=NOW)
    work.account.refresh_from_db()
    assert work.account.last_follow_up_at == at(1)


def test_records_must_belong_together_and_be_visible(org, work):
    far_opp = make_opportunity(work.far, org.other_rep, "南方项目")
    count = Activity.objects.count()
    with pytest.raises(FieldErrors) as exc:
        svc.log_activity(org.rep, {"kind": "call", "subject": "x"}, account=work.account,
                         contact=work.other_contact)
    assert exc.value.field == "contact"
    with pytest.raises(FieldErrors) as exc:
        svc.log_activity(org.rep, {"kind": "call", "subject": "x"}, account=work.account,
                         opportunity=far_opp)
    assert exc.value.field == "opportunity"
    with pytest.raises(NotFound):
        svc.log_activity(org.rep, {"kind": "call", "subject": "x"}, account=work.far)
    with pytest.raises(Forbidden):  # finance reads every customer but does not sell
        svc.log_activity(org.finance, {"kind": "call", "subject": "x"}, account=work.account)
    assert Activity.objects.count() == count


@pytest.mark.parametrize("data, field", [
    ({"kind": "lunch", "subject": "x"}, "kind"),
    ({"kind": "call", "subject": ""}, "subject"),
    ({"kind": "call", "subject": "x", "duration_minutes": 5000}, "duration_minutes"),
    ({"kind": "call", "subject": "x", "duration_minutes": -5}, "duration_minutes"),
    ({"kind": "call", "subject": "x", "starts_at": "yesterday"}, "starts_at"),
    ({"kind": "call", "subject": "x", "status": "done", "starts_at": "2027-01-01T10:00"},
     "starts_at"),
    ({"kind": "call", "subject": "x", "color": "red"}, "color"),
])
def test_bad_input_is_refused_at_the_field_and_changes_nothing(org, work, data, field):
    with pytest.raises(FieldErrors) as exc:
        svc.log_activity(org.rep, data, account=work.account, now=NOW)
    assert field in exc.value.errors
    assert not Activity.objects.exists() and not TimelineEvent.objects.filter(
        kind__startswith="sales.").exists()


def test_edit_is_versioned_and_only_for_the_author_or_a_manager(org, work):
    call = svc.log_activity(org.rep, {"kind": "call", "subject": "电话"}, account=work.account,
                            now=NOW)
    svc.update_activity(org.rep, call, {"outcome": "约了下周拜访"}, call.version, now=NOW)
    with pytest.raises(Conflict):
        svc.update_activity(org.rep, call, {"outcome": "旧版本"}, 1, now=NOW)
    with pytest.raises(Forbidden):
        svc.update_activity(org.teammate, call, {"outcome": "不是我的"}, call.version)
    svc.update_activity(org.manager, call, {"subject": "电话回访"}, call.version, now=NOW)
    call.refresh_from_db()
    assert (call.subject, call.outcome, call.version) == ("电话回访", "约了下周拜访", 3)


# --- 攻关活动: support requests --------------------------------------------------------------

def plan(org, work, **support):
    return svc.log_activity(
        org.rep, {"kind": "campaign", "subject": "攻关明珠二期", "starts_at": at(30, 9)},
        account=work.account, opportunity=work.opportunity,
        support=support or {"people": "技术总工", "budget": "20000.50", "samples": "样机1台"},
        now=NOW)


def test_campaign_plan_asks_the_manager_over_the_reps_team(org, work):
    activity = plan(org, work)
    request = activity.support_request
    assert activity.status == "planned"
    assert request.budget == Decimal("20000.50") and request.status == "pending"
    assert request.requested_by == org.rep
    # 陈经理 manages 华东区, above 上海一组; the south manager is not asked.
    assert Notification.objects.filter(recipient=org.manager,
                                       kind="sales.support_request").count() == 1
    assert not Notification.objects.filter(recipient=org.other_manager).exists()
    assert TimelineEvent.objects.get(kind="sales.campaign").title == \
        "Key-account campaign planned: 攻关明珠二期"


def test_without_a_manager_the_administrators_are_asked(org, work):
    from guanxi.accounts.models import UserRole

    UserRole.objects.filter(user=org.manager).delete()
    plan(org, work)
    assert Notification.objects.filter(recipient=org.admin,
                                       kind="sales.support_request").exists()


def test_without_a_manager_a_superuser_administrator_is_asked(org, work):
    # One made with ``createsuperuser`` holds no admin role row yet is an administrator.
    from guanxi.accounts.models import User, UserRole

    UserRole.objects.filter(role__in=["manager", "admin"]).delete()
    root = User.objects.create_superuser("root", "root@example.com", "pw-Guanxi-2026")
    plan(org, work)
    assert Notification.objects.filter(recipient=root,
                                       kind="sales.support_request").exists()


@pytest.mark.parametrize("support, field", [
    ({"budget": "-1"}, "budget"),
    ({"budget": "很多"}, "budget"),
    ({"budget": "NaN"}, "budget"),
    ({}, "people"),
    ({"people": "x" * 301}, "people"),
    ({"cars": "2"}, "cars"),
])
def test_bad_support_request_changes_nothing(org, work, support, field):
    with pytest.raises(FieldErrors) as exc:
        svc.log_activity(org.rep, {"kind": "campaign", "subject": "攻关"},
                         account=work.account, support=support or {"people": ""}, now=NOW)
    assert field in exc.value.errors
    assert not Activity.objects.exists() and not SupportRequest.objects.exists()
    assert not Notification.objects.exists()


def test_only_the_manager_over_the_team_decides(org, work):
    request = plan(org, work).support_request
    for outsider in (org.rep, org.teammate, org.other_manager, org.assistant, org.finance):
        with pytest.raises(Forbidden):
            svc.decide_support(outsider, request, True, "", request.version)
    request.refresh_from_db()
    assert request.status == "pending"


def test_approve_goes_on_the_timeline_and_back_to_the_rep(org, work):
    request = plan(org, work).support_request
    svc.decide_support(org.manager, request, True, "同意，派总工支持", request.version,
                       now=at(25))
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decided_at) == \
        ("approved", org.manager, at(25))
    event = TimelineEvent.objects.get(kind="sales.support_request")
    assert event.title == "Support approved for “攻关明珠二期”"
    assert event.body == "同意，派总工支持"
    note = Notification.objects.get(recipient=org.rep)
    assert "陈经理" in note.title and "approved" in note.title
    with pytest.raises(Conflict):
        svc.decide_support(org.manager, request, False, "改主意", request.version)


def test_decline_needs_a_comment(org, work):
    request = plan(org, work).support_request
    with pytest.raises(FieldErrors) as exc:
        svc.decide_support(org.manager, request, False, "  ", request.version)
    assert exc.value.field == "comment"
    request.refresh_from_db()
    assert request.status == "pending" and not Notification.objects.filter(
        recipient=org.rep).exists()
    svc.decide_support(org.manager, request, False, "预算不足", request.version)
    request.refresh_from_db()
    assert request.status == "declined" and request.decision_note == "预算不足"
    assert "预算不足" in Notification.objects.get(recipient=org.rep).title


def test_stale_decision_is_refused(org, work):
    request = plan(org, work).support_request
    with pytest.raises(Conflict):
        svc.decide_support(org.manager, request, True, "", request.version + 1)


def test_withdraw_by_the_requester_only(org, work):
    request = plan(org, work).support_request
    with pytest.raises(Forbidden):
        svc.withdraw_support(org.manager, request, request.version)
    svc.withdraw_support(org.rep, request, request.version)
    request.refresh_from_db()
    assert request.status == "withdrawn"
    assert TimelineEvent.objects.filter(kind="sales.support_request",
                                        title__startswith="Support request withdrawn").exists()
    with pytest.raises(Conflict) as exc:
        svc.decide_support(org.manager, request, True, "", request.version)
    assert exc.value.code == "already_decided"


def test_activity_on_a_lead_without_customer(org):
    from guanxi.sales.models import Lead

    lead = Lead.objects.create(name="孙先生", company="未来科技", owner=org.rep,
                               team=org.team_a)
    call = svc.log_activity(org.rep, {"kind": "call", "subject": "首次电话"}, lead=lead,
                            now=NOW)
    assert call.account is None and call.lead == lead
    with pytest.raises(NotFound):
        svc.log_activity(org.other_rep, {"kind": "call", "subject": "x"}, lead=lead)
