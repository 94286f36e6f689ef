"""SLA clocks: business hours, Chinese holidays and swapped working weekends, the policy that
applies (top customers faster), pausing while waiting on the customer, warnings before and
escalation at a breach, and recomputing due times after the calendar changes."""

from __future__ import annotations

import pytest

from guanxi.core.models import Notification
from guanxi.service.models import Case, Holiday
from guanxi.service.services import cases as services
from guanxi.service.services import sla, sla_settings
from guanxi.service.tests.cases_fixtures import at, svc_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_2026_calendar_is_seeded_with_holidays_and_swapped_working_weekends(db):
    spring = Holiday.objects.get(date="2026-02-17")
    assert spring.kind == "holiday" and "春节" in spring.name
    assert Holiday.objects.get(date="2026-02-28").kind == "workday"  # a Saturday worked
    assert Holiday.objects.get(date="2026-10-10").kind == "workday"
    assert Holiday.objects.filter(date__year=2026, kind="workday").count() == 6


def test_the_clock_skips_nights_weekends_and_the_national_day_holiday(svc):
    # Opened on the afternoon before National Day, a 4-hour first-response target is due on
    # the first working morning after the week off.
    case = services.create_case(svc.agent, subject="Q", requester_email="a@example.com",
                                now=at(2026, 9, 30, 16))
    assert case.sla_policy == svc.normal
    assert case.response_due == at(2026, 10, 8, 11)
    # Two business days (18 h) of resolution: 2 h on the 30th, 9 on the 8th, 7 on the 9th.
    assert case.resolution_due == at(2026, 10, 9, 16)
    assert case.sla_due == case.response_due
    # Saturday 10 October is worked (调休): a case opened late on Friday is due on it.
    friday = services.create_case(svc.agent, subject="Q", requester_email="a@example.com",
                                  now=at(2026, 10, 9, 17))
    assert friday.response_due == at(2026, 10, 10, 12)


def test_top_customers_and_urgent_cases_get_faster_targets(svc):
    urgent = services.create_case(svc.agent, subject="Q", priority="urgent",
                                  requester_email="a@example.com", now=at(2026, 3, 2, 9))
    assert urgent.sla_policy == svc.urgent and urgent.response_due == at(2026, 3, 2, 9, 30)
    case = Case(kind="inquiry", priority="normal", customer_class="A")
    assert sla.policy_for(case) == svc.top
    case.customer_class = "C"
    assert sla.policy_for(case) == svc.normal


def test_the_clock_pauses_while_waiting_on_the_customer(svc):
    case = services.create_case(svc.agent, subject="Q", requester_email="a@example.com",
                                now=at(2026, 3, 2, 9))  # Monday; resolution in 18 h
    case = services.change_status(svc.agent, case, "waiting", case.version,
                                  now=at(2026, 3, 2, 12))  # 3 business hours spent
    assert case.sla_state == "paused" and case.sla_due is None
    case = services.change_status(svc.agent, case, "in_progress", case.version,
                                  now=at(2026, 3, 4, 9))  # two days later
    # 15 hours left from Wednesday 9:00: Wednesday 9 hours, Thursday 6 hours.
    assert case.resolution_due == at(2026, 3, 5, 15)
    assert case.sla_state == "ok"


def test_near_breach_warns_the_assignee_and_a_breach_escalates_to_the_manager(svc):
    case = services.create_case(svc.agent, subject="Q", priority="urgent",
                                requester_email="a@example.com", assignee=svc.agent2,
                                now=at(2026, 3, 2, 9))  # response due 9:30
    assert services.check_sla(at(2026, 3, 2, 9, 0)) == (1, 0)  # within the hour's warning
    assert services.check_sla(at(2026, 3, 2, 9, 1)) == (0, 0)  # once only
    assert Notification.objects.filter(recipient=svc.agent2,
                                       kind="service.case.sla_near").count() == 1
    assert services.check_sla(at(2026, 3, 2, 9, 31)) == (0, 1)
    assert services.check_sla(at(2026, 3, 2, 9, 40)) == (0, 0)
    case.refresh_from_db()
    assert case.sla_state == "breached"
    escalated = case.events.get(kind="escalated")
    assert escalated.to_value == str(svc.lead)
    assert Notification.objects.filter(recipient=svc.lead,
                                       kind="service.case.sla_breached").exists()
    from guanxi.core.models import AuditEntry
    assert AuditEntry.objects.filter(action="service.case.sla_near").exists()


def test_a_holiday_added_moves_the_due_times_of_open_cases(svc, django_capture_on_commit_callbacks):
    case = services.create_case(svc.agent, subject="Q", requester_email="a@example.com",
                                now=at(2026, 3, 2, 16))  # Monday, 4 h response → Tue 11:00
    assert case.response_due == at(2026, 3, 3, 11)
    from guanxi.core.tasks import queue
    before, queue.immediate = queue.immediate, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sla_settings.add_holiday(svc.org.admin, at(2026, 3, 3).date(), "holiday",
                                     "Company day off")
    finally:
        queue.immediate = before
    case.refresh_from_db()
    assert case.response_due == at(2026, 3, 4, 11)
    assert case.sla_due == case.response_due


def test_recompute_is_set_wise_over_many_cases(svc, django_assert_max_num_queries):
    for i in range(30):
        services.create_case(svc.agent, subject=f"Q{i}", requester_email="a@example.com",
                             team=svc.team if i % 2 else None, now=at(2026, 3, 2, 16))
    Holiday.objects.create(date=at(2026, 3, 3).date(), name="Off")
    with django_assert_max_num_queries(12):
        assert sla.recompute_due() == 30
    assert set(Case.objects.values_list("response_due", flat=True)) == {at(2026, 3, 4, 11)}


def test_only_service_managers_keep_the_calendar(svc):
    from guanxi.core.errors import Forbidden
    with pytest.raises(Forbidden):
        sla_settings.add_holiday(svc.agent, at(2026, 3, 3).date(), "holiday", "x")
    sla_settings.add_holiday(svc.lead, at(2026, 3, 3).date(), "holiday", "x")
