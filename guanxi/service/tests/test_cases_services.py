"""Cases through their services: numbering, routing, the life and its history, complaints,
reopening, optimistic locking and "take next"."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.core.errors import Conflict, FieldErrors, Forbidden
from guanxi.service.models import AssignmentRule, Case, CaseEvent, ServiceSettings
from guanxi.service.services import cases as services
from guanxi.service.tests.cases_fixtures import at, svc_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_case_gets_a_readable_number_and_goes_to_the_rules_person(svc, make_account):
    account = make_account(name="上海汽车销售有限公司")
    AssignmentRule.objects.create(position=1, name="Complaints to agent2", kind="complaint",
                                  team=svc.team, assignee=svc.agent2)
    first = services.create_case(svc.agent, subject="Door rattles", account=account,
                                 now=at(2026, 3, 2, 10))
    second = services.create_case(svc.agent, subject="投诉：交货延迟", kind="complaint",
                                  account=account, now=at(2026, 3, 2, 11))
    assert first.number == "CS-2026-000001" and second.number == "CS-2026-000002"
    assert first.assignee is None and first.status == "new"
    assert (second.assignee, second.team, second.status) == (svc.agent2, svc.team, "assigned")
    kinds = list(second.events.values_list("kind", flat=True))
    assert kinds == ["created", "assigned"]


def test_round_robin_takes_turns_in_the_team(svc):
    AssignmentRule.objects.create(position=1, name="All to the hotline", team=svc.team)
    got = [services.create_case(svc.agent, subject=f"Q{i}", requester_email="x@example.com")
           .assignee for i in range(3)]
    assert got == [svc.agent, svc.agent2, svc.agent]


def test_rule_conditions_match_product_line_province_and_class(svc, make_account):
    from guanxi.customers.models import Address
    account = make_account()
    Address.objects.create(account=account, province="广东省", city="深圳市")
    AssignmentRule.objects.create(position=1, name="Beijing", province="北京市", team=svc.other)
    AssignmentRule.objects.create(position=2, name="Guangdong", province="广东省",
                                  team=svc.team, assignee=svc.agent)
    case = services.create_case(svc.agent2, subject="Noise", account=account)
    assert case.province == "广东省" and case.assignee == svc.agent


def test_every_change_is_a_history_row_and_the_customer_timeline_shows_it(svc, make_account):
    from guanxi.customers.models import TimelineEvent
    account = make_account()
    case = services.create_case(svc.agent, subject="Broken seal", kind="repair",
                                account=account)
    case = services.assign(svc.agent, case, case.version, assignee=svc.agent2, note="yours")
    case = services.change_status(svc.agent2, case, "in_progress", case.version)
    case = services.change_status(svc.agent2, case, "waiting", case.version, note="asked")
    case = services.change_status(svc.agent2, case, "in_progress", case.version)
    case = services.change_status(svc.agent2, case, "resolved", case.version,
                                  resolution="Replaced the seal")
    case = services.change_status(svc.agent2, case, "closed", case.version)
    rows = list(case.events.filter(kind__in=["status", "assigned"])
                .values_list("kind", "from_value", "to_value"))
    assert rows[0][0] == "assigned" and rows[0][2] == str(svc.agent2)
    assert [r[1:] for r in rows[1:]] == [
        ("assigned", "in_progress"), ("in_progress", "waiting"), ("waiting", "in_progress"),
        ("in_progress", "resolved"), ("resolved", "closed")]
    assert case.events.get(to_value="waiting").note == "asked"
    kinds = set(TimelineEvent.objects.filter(account=account).values_list("kind", flat=True))
    assert kinds == {"service.case"} or "service.case" in kinds
    assert TimelineEvent.objects.filter(account=account, kind="service.case").count() >= 7


def test_a_complaint_is_never_deleted_and_closes_only_with_resolution_and_cause(svc):
    case = services.create_case(svc.agent, subject="投诉", kind="complaint",
                                requester_email="angry@example.com")
    with pytest.raises(Forbidden):
        services.delete_case(svc.lead, case, case.version)
    case = services.change_status(svc.agent, case, "resolved", case.version)
    with pytest.raises(FieldErrors) as refused:
        services.change_status(svc.agent, case, "closed", case.version)
    assert set(refused.value.errors) == {"resolution", "root_cause"}
    case.refresh_from_db()
    assert case.status == "resolved"
    with pytest.raises(Exception):  # noqa: B017 - a kind change is refused too
        services.update_case(svc.agent, case, case.version, kind="inquiry")
    case = services.change_status(svc.agent, case, "closed", case.version,
                                  resolution="Apologised, refunded freight",
                                  root_cause="delivery")
    assert case.status == "closed" and Case.objects.filter(pk=case.pk).exists()


def test_an_inquiry_may_be_deleted_by_a_service_manager_only(svc):
    case = services.create_case(svc.agent, subject="Typo", requester_email="a@example.com")
    with pytest.raises(Forbidden):
        services.delete_case(svc.agent, case, case.version)
    services.delete_case(svc.org.admin, case, case.version)
    assert not Case.objects.filter(pk=case.pk).exists()


def test_reopen_only_within_the_window(svc):
    ServiceSettings.objects.create(reopen_days=7)
    case = services.create_case(svc.agent, subject="Q", requester_email="a@example.com")
    case = services.change_status(svc.agent, case, "resolved", case.version,
                                  now=at(2026, 3, 2, 10))
    case = services.change_status(svc.agent, case, "closed", case.version,
                                  now=at(2026, 3, 2, 11))
    with pytest.raises(Conflict) as late:
        services.change_status(svc.agent, case, "in_progress", case.version,
                               now=at(2026, 3, 20, 10))
    assert late.value.code == "reopen_window"
    case = services.change_status(svc.agent, case, "in_progress", case.version,
                                  now=at(2026, 3, 5, 10))
    assert case.status == "in_progress" and case.closed_at is None
    assert case.events.filter(kind=CaseEvent.Kind.REOPENED).exists()


def test_a_stale_version_changes_nothing(svc):
    case = services.create_case(svc.agent, subject="Q", requester_email="a@example.com")
    stale = Case.objects.get(pk=case.pk)
    services.change_status(svc.agent, case, "in_progress", case.version)
    with pytest.raises(Conflict) as refused:
        services.change_status(svc.agent2, stale, "waiting", stale.version)
    assert refused.value.field == "version"
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_a_wrong_move_is_refused(svc):
    case = services.create_case(svc.agent, subject="Q", requester_email="a@example.com")
    with pytest.raises(Conflict):
        services.change_status(svc.agent, case, "closed", case.version)


def test_take_next_hands_out_the_queue_by_sla_due(svc):
    later = services.create_case(svc.agent, subject="Low", priority="low", team=svc.team,
                                 requester_email="a@example.com", now=at(2026, 3, 2, 9))
    sooner = services.create_case(svc.agent, subject="Urgent", priority="urgent",
                                  team=svc.team, requester_email="b@example.com",
                                  now=at(2026, 3, 2, 10))
    assert sooner.sla_due < later.sla_due
    first = services.take_next(svc.agent2, svc.team)
    second = services.take_next(svc.agent, svc.team)
    assert (first.pk, first.assignee) == (sooner.pk, svc.agent2)
    assert (second.pk, second.assignee) == (later.pk, svc.agent)
    assert services.take_next(svc.agent, svc.team) is None


def test_only_agents_work_cases(svc):
    with pytest.raises(Forbidden):
        services.create_case(svc.org.rep, subject="Q", requester_email="a@example.com")


def test_replies_go_out_threaded_with_the_case_number(svc, mailoutbox, tasks_inline,
                                                      django_capture_on_commit_callbacks):
    from guanxi.core.inbound_mail import InboundMail, dispatch
    with django_capture_on_commit_callbacks(execute=True):
        dispatch(InboundMail(mailbox="support", purpose="support", message_id="m1@customer.cn",
                             sender="new@customer.cn", subject="Where is my part?",
                             text="Ordered last week", received_at=at(2026, 3, 2, 9)))
    case = Case.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(svc.agent, case, "It ships today.")
    sent = mailoutbox[-1]
    assert case.number in sent.subject and sent.to == ["new@customer.cn"]
    assert sent.extra_headers["In-Reply-To"] == "<m1@customer.cn>"
    assert "<m1@customer.cn>" in sent.extra_headers["References"]
    case.refresh_from_db()
    assert case.first_response_at is not None and case.status == "in_progress"
    # The customer's answer to our reply threads onto the same case.
    our_id = sent.extra_headers["Message-ID"].strip("<>")
    dispatch(InboundMail(mailbox="support", purpose="support", message_id="m2@customer.cn",
                         sender="new@customer.cn", subject="Re: something else",
                         text="Thanks", received_at=at(2026, 3, 2, 12), in_reply_to=our_id))
    assert Case.objects.count() == 1 and case.messages.filter(kind="inbound").count() == 2


def test_dates_of_the_history_are_kept(svc):
    case = services.create_case(svc.agent, subject="Q", requester_email="a@example.com",
                                now=at(2026, 3, 2, 9))
    assert case.events.get().at == at(2026, 3, 2, 9)
    assert case.created_at == at(2026, 3, 2, 9) - dt.timedelta(0)
