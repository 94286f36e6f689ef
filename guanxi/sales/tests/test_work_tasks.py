"""Tasks: who may give whom a task, overdue and due today at a given moment, the reminder that
fires once, and the iCalendar feed a phone subscribes to."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from guanxi.core.errors import Conflict, FieldErrors, Forbidden
from guanxi.core.models import Notification
from guanxi.sales.models import Activity, Task
from guanxi.sales.reminders import remind_tasks
from guanxi.sales.selectors import work as sel
from guanxi.sales.services import activities, tasks
from guanxi.sales.tests import work_fixtures
from guanxi.sales.tests.work_fixtures import at

work = work_fixtures.work
NOW = at(24, 15)  # Tuesday 24 November 2026, 15:00 in Shanghai


def task(user, title, due, **fields):
    return tasks.create_task(user, {"title": title, "due_at": due, **fields})


def test_overdue_and_due_today_at_a_given_moment(org, settings):
    timed_past = task(org.rep, "上午电话", at(24, 10), all_day=False)
    timed_later = task(org.rep, "下午拜访前准备", at(24, 17), all_day=False)
    all_day_today = task(org.rep, "寄样品", at(24, 9))
    all_day_yesterday = task(org.rep, "发报价", at(23, 9))
    tomorrow = task(org.rep, "回访", at(25))
    done = task(org.rep, "已完成", at(20))
    tasks.complete_task(org.rep, done, done.version, now=at(21))
    task(org.teammate, "同事的任务", at(20))
    day = sel.today(org.rep, NOW)
    assert [t.title for t in day.overdue] == [all_day_yesterday.title, timed_past.title]
    assert {t.title for t in day.due_today} == {all_day_today.title, timed_later.title}
    assert tomorrow.title not in {t.title for t in day.overdue + day.due_today}
    assert sel.today_counts(org.rep, NOW) == {"overdue": 2, "due_today": 2,
                                              "appointments": 0}
    # An all-day task is stored at the start of its day in the site's time zone.
    all_day_today.refresh_from_db()
    assert all_day_today.due_at == at(24, 0)


def test_todays_visits_are_listed(org, work):
    activities.log_activity(org.rep, {"kind": "visit", "subject": "拜访张总",
                                      "status": "planned", "starts_at": at(24, 16)},
                            account=work.account, now=NOW)
    activities.log_activity(org.rep, {"kind": "meeting", "subject": "下周会议",
                                      "status": "planned", "starts_at": at(30, 16)},
                            account=work.account, now=NOW)
    assert [a.subject for a in sel.today(org.rep, NOW).appointments] == ["拜访张总"]


def test_assign_to_self_or_as_manager_to_the_team(org):
    tasks.create_task(org.manager, {"title": "跟进华东客户", "due_at": at(25)},
                      assignee=org.rep)
    tasks.create_task(org.assistant, {"title": "整理合同", "due_at": at(25)},
                      assignee=org.teammate)
    with pytest.raises(FieldErrors) as exc:
        tasks.create_task(org.manager, {"title": "x", "due_at": at(25)},
                          assignee=org.other_rep)
    assert exc.value.field == "assignee"
    note = Notification.objects.get(recipient=org.rep, kind="sales.task")
    assert "陈经理" in note.title and "跟进华东客户" in note.title
    assert not Task.objects.filter(assignee=org.other_rep).exists()


def test_a_rep_cannot_give_a_colleague_a_task(org):
    with pytest.raises(FieldErrors):
        tasks.create_task(org.rep, {"title": "x", "due_at": at(25)}, assignee=org.teammate)
    assert not Task.objects.exists()


@pytest.mark.parametrize("data, field", [
    ({"title": "", "due_at": "2026-11-25T10:00"}, "title"),
    ({"title": "x", "due_at": ""}, "due_at"),
    ({"title": "x", "due_at": "明天"}, "due_at"),
    ({"title": "x", "due_at": "2026-11-25T10:00", "priority": "urgent"}, "priority"),
    ({"title": "x", "due_at": "2026-11-25T10:00", "remind_at": "soon"}, "remind_at"),
    ({"title": "x" * 201, "due_at": "2026-11-25T10:00"}, "title"),
    ({"title": "x", "due_at": "2026-11-25T10:00", "status": "done"}, "status"),
])
def test_bad_task_input_changes_nothing(org, data, field):
    with pytest.raises(FieldErrors) as exc:
        tasks.create_task(org.rep, data)
    assert field in exc.value.errors
    assert not Task.objects.exists()


def test_complete_reopen_cancel_are_versioned(org):
    t = task(org.rep, "寄资料", at(25))
    with pytest.raises(Forbidden):
        tasks.complete_task(org.teammate, t, t.version)
    tasks.complete_task(org.rep, t, t.version, now=NOW)
    assert (t.status, t.done_at) == ("done", NOW)
    with pytest.raises(Conflict):
        tasks.complete_task(org.rep, t, t.version)
    with pytest.raises(Conflict):
        tasks.reopen_task(org.rep, t, t.version - 1)
    tasks.reopen_task(org.manager, t, t.version)
    assert t.status == "open" and t.done_at is None
    tasks.cancel_task(org.rep, t, t.version)
    t.refresh_from_db()
    assert t.status == "cancelled" and t.version == 4


def test_reminder_fires_once_when_its_time_passes(org):
    t = task(org.rep, "给李总打电话", at(25, 10), all_day=False, remind_at=at(25, 9))
    task(org.rep, "不提醒", at(25, 10), all_day=False)
    assert tasks.send_reminders(now=at(25, 8, 59)) == 0
    assert tasks.send_reminders(now=at(25, 9)) == 1
    assert tasks.send_reminders(now=at(25, 9, 5)) == 0
    note = Notification.objects.get(recipient=org.rep, kind="sales.task_reminder")
    assert "给李总打电话" in note.title and "25 Nov 2026 10:00" in note.title
    t.refresh_from_db()
    assert t.reminded_at == at(25, 9) and t.version == 1  # a reminder is no edit
    # A new reminder time reminds again.
    tasks.update_task(org.rep, t, {"remind_at": at(25, 9, 30)}, t.version)
    assert tasks.send_reminders(now=at(25, 9, 30)) == 1


def test_no_reminder_for_done_tasks(org):
    t = task(org.rep, "已办", at(25, 10), all_day=False, remind_at=at(25, 9))
    tasks.complete_task(org.rep, t, t.version, now=at(24))
    assert tasks.send_reminders(now=at(25, 9)) == 0


def test_the_periodic_reminder_runs_the_same_rule(org):
    from django.utils import timezone

    past = timezone.now() - dt.timedelta(minutes=1)
    task(org.rep, "过期提醒", past + dt.timedelta(hours=1), all_day=False, remind_at=past)
    remind_tasks.call_local()
    assert Notification.objects.filter(recipient=org.rep, kind="sales.task_reminder").count() == 1


# --- iCalendar feed --------------------------------------------------------------------------

def feed(client, token):
    return client.get(reverse("sales:calendar_ics", args=[token]))


def test_ical_feed_parses_back_with_my_events_only(client, org, work):
    from django.utils import timezone

    soon = timezone.now() + dt.timedelta(days=2)
    visit = activities.log_activity(org.rep, {"kind": "visit", "subject": "拜访明珠",
                                              "status": "planned", "starts_at": soon,
                                              "duration_minutes": 90, "location": "浦东"},
                                    account=work.account)
    all_day = task(org.rep, "寄样品", soon)
    timed = task(org.rep, "电话回访", soon, all_day=False)
    task(org.teammate, "同事的事", soon)
    Activity.objects.create(kind="call", subject="同事的电话", status="planned",
                            starts_at=soon, owner=org.teammate, account=work.account)
    token = tasks.calendar_feed(org.rep).token
    response = feed(client, token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"activity-{visit.pk}@testserver", f"task-{all_day.pk}@testserver",
                           f"task-{timed.pk}@testserver"}
    event = events[f"activity-{visit.pk}@testserver"]
    assert str(event["summary"]) == "Visit: 拜访明珠" and str(event["location"]) == "浦东"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == soon.replace(microsecond=0) or abs(start - soon) < dt.timedelta(seconds=1)
    assert end - start == dt.timedelta(minutes=90)
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert "DTSTAMP" in event
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    day_event = events[f"task-{all_day.pk}@testserver"]
    assert isinstance(day_event.decoded("dtstart"), dt.date) and not isinstance(
        day_event.decoded("dtstart"), dt.datetime)
    assert b"\xe5\x90\x8c\xe4\xba\x8b" not in response.content  # nothing of the teammate (同事)


def test_resetting_the_token_cuts_off_the_old_address(client, org):
    old = tasks.calendar_feed(org.rep).token
    assert feed(client, old).status_code == 200
    client.force_login(org.rep)
    client.post(reverse("sales:calendar_feed"))
    client.logout()
    new = tasks.calendar_feed(org.rep).token
    assert new != old
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200


def test_unknown_token_and_inactive_user_are_404(client, org):
    assert feed(client, "no-such-token").status_code == 404
    token = tasks.calendar_feed(org.rep).token
    org.rep.is_active = False
    org.rep.save()
    assert feed(client, token).status_code == 404


def test_feed_page_shows_the_address(client, org):
    client.force_login(org.rep)
    page = client.get(reverse("sales:calendar_feed")).content.decode()
    assert tasks.calendar_feed(org.rep).token in page and "webcal://" in page


def test_the_assignee_choices_are_those_the_rule_allows(org):
    from guanxi.sales import permissions as perms

    assert sel.assignable_users(org.rep) is None  # only themself: no choice offered
    for user in (org.assistant, org.manager, org.admin):
        choices = set(sel.assignable_users(user))
        assert user in choices
        assert all(perms.can_assign_task(user, other) for other in choices)
    assert org.other_rep not in set(sel.assignable_users(org.manager))
    assert org.other_rep in set(sel.assignable_users(org.admin))
