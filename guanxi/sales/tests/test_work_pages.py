"""The work pages as the personas see them: every URL against every persona, and the flows a
rep and a manager go through (log a visit from the customer page, decide a support request
inline, quick-complete a task on Today, the calendar grid)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from guanxi.customers.models import Account, TimelineEvent
from guanxi.sales.models import Activity, EmailTemplate, SupportRequest, Task
from guanxi.sales.services import activities, email, tasks
from guanxi.sales.tests import work_fixtures

work = work_fixtures.work

PERSONAS = ["rep", "teammate", "manager", "assistant", "finance", "other_rep", "admin", "anon"]


@pytest.fixture
def pages(org, work):
    visit = activities.log_activity(org.rep, {"kind": "visit", "subject": "拜访",
                                              "status": "planned",
                                              "starts_at": timezone.now()},
                                    account=work.account)
    campaign = activities.log_activity(org.rep, {"kind": "campaign", "subject": "攻关"},
                                       account=work.account, support={"budget": "5000"})
    task = tasks.create_task(org.rep, {"title": "寄样品", "due_at": timezone.now()},
                             account=work.account)
    template = email.create_template(org.admin, {"name": "问候", "subject": "您好",
                                                 "body": "{{ contact.name }}您好"})
    feed = tasks.calendar_feed(org.rep)
    return SimpleNamespace(visit=visit, campaign=campaign, support=campaign.support_request,
                           task=task, template=template, feed=feed, **vars(work))


A = "?account={}"
# (name, method, url, post data, expected status per persona in PERSONAS order)
#                                                 rep tm  mgr ast fin oth adm anon
CASES = [
    ("today", "get", lambda w: reverse("sales:today"), None,
     "200 200 200 200 200 200 200 302"),
    ("tasks", "get", lambda w: reverse("sales:tasks"), None,
     "200 200 200 200 200 200 200 302"),
    ("task create", "get", lambda w: reverse("sales:task_create") + A.format(w.account.pk),
     None, "200 404 200 200 403 404 200 302"),
    ("task create post", "post",
     lambda w: reverse("sales:task_create") + A.format(w.account.pk),
     lambda w: {"title": "回访", "due_at": "2026-12-01T10:00", "priority": "normal"},
     "302 404 302 302 403 404 302 302"),
    ("task edit", "get", lambda w: reverse("sales:task_edit", args=[w.task.pk]), None,
     "200 404 200 200 404 404 200 302"),
    ("task complete", "post", lambda w: reverse("sales:task_complete", args=[w.task.pk]),
     lambda w: {"version": w.task.version}, "302 404 302 302 404 404 302 302"),
    ("task cancel", "post", lambda w: reverse("sales:task_cancel", args=[w.task.pk]),
     lambda w: {"version": w.task.version}, "302 404 302 302 404 404 302 302"),
    ("task postpone", "post", lambda w: reverse("sales:task_postpone", args=[w.task.pk]),
     lambda w: {"version": w.task.version}, "302 404 302 302 404 404 302 302"),
    ("task reopen", "post", lambda w: reverse("sales:task_reopen", args=[w.task.pk]),
     lambda w: {"version": w.task.version}, "302 404 302 302 404 404 302 302"),
    ("calendar", "get", lambda w: reverse("sales:calendar") + "?view=week", None,
     "200 200 200 200 200 200 200 302"),
    ("calendar feed", "get", lambda w: reverse("sales:calendar_feed"), None,
     "200 200 200 200 200 200 200 302"),
    ("calendar feed reset", "post", lambda w: reverse("sales:calendar_feed"), lambda w: {},
     "302 302 302 302 302 302 302 302"),
    ("ics", "get", lambda w: reverse("sales:calendar_ics", args=[w.feed.token]), None,
     "200 200 200 200 200 200 200 200"),
    ("activity create", "get",
     lambda w: reverse("sales:activity_create") + A.format(w.account.pk), None,
     "200 404 200 200 403 404 200 302"),
    ("activity create post", "post",
     lambda w: reverse("sales:activity_create") + A.format(w.account.pk),
     lambda w: {"kind": "call", "status": "done", "subject": "电话"},
     "302 404 302 302 403 404 302 302"),
    ("activity detail", "get", lambda w: reverse("sales:activity_detail", args=[w.visit.pk]),
     None, "200 404 200 200 200 404 200 302"),
    ("activity edit", "get", lambda w: reverse("sales:activity_edit", args=[w.visit.pk]),
     None, "200 404 200 403 403 404 200 302"),
    ("activity done", "post", lambda w: reverse("sales:activity_done", args=[w.visit.pk]),
     lambda w: {"version": w.visit.version}, "302 404 302 403 403 404 302 302"),
    ("activity cancel", "post",
     lambda w: reverse("sales:activity_cancel", args=[w.visit.pk]),
     lambda w: {"version": w.visit.version}, "302 404 302 403 403 404 302 302"),
    # Deciders are sent to the one approvals inbox; ``?mine`` is everyone's history page.
    ("support requests", "get", lambda w: reverse("sales:support_requests"), None,
     "200 200 302 200 200 200 302 302"),
    ("support requests, mine", "get", lambda w: reverse("sales:support_requests") + "?mine=1",
     None, "200 200 200 200 200 200 200 302"),
    ("support decide", "post", lambda w: reverse("sales:support_decide", args=[w.support.pk]),
     lambda w: {"version": w.support.version, "decision": "approve"},
     "403 404 302 403 403 404 302 302"),
    ("support withdraw", "post",
     lambda w: reverse("sales:support_withdraw", args=[w.support.pk]),
     lambda w: {"version": w.support.version}, "302 404 403 403 403 404 403 302"),
    ("email templates", "get", lambda w: reverse("sales:email_templates"), None,
     "403 403 200 403 403 403 200 302"),
    ("email template create", "get", lambda w: reverse("sales:email_template_create"), None,
     "403 403 200 403 403 403 200 302"),
    ("email template create post", "post",
     lambda w: reverse("sales:email_template_create"),
     lambda w: {"name": "报价跟进", "language": "zh-hans", "subject": "报价",
                "body": "{{ account.name }}", "active": "on"},
     "403 403 302 403 403 403 302 302"),
    ("email template edit", "get",
     lambda w: reverse("sales:email_template_edit", args=[w.template.pk]), None,
     "403 403 200 403 403 403 200 302"),
    ("email compose", "get",
     lambda w: reverse("sales:email_compose") + A.format(w.account.pk), None,
     "200 404 200 200 403 404 200 302"),
    ("email compose preview", "post",
     lambda w: reverse("sales:email_compose") + A.format(w.account.pk),
     lambda w: {"contact": w.contact.pk, "template": w.template.pk,
                "action": "use_template"},
     "200 404 200 200 403 404 200 302"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_page_matrix(case, org, pages, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    name, method, url, data, expected = case
    wrong = []
    for persona, status in zip(PERSONAS, expected.split(), strict=True):
        client = Client()
        if persona != "anon":
            client.force_login(getattr(org, persona))
        with transaction.atomic():
            args = [url(pages)] + ([data(pages)] if method == "post" else [])
            response = getattr(client, method)(*args)
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status})")
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def test_every_work_url_is_in_the_matrix(pages):
    """A new page must join the matrix."""
    from guanxi.sales.views import activities as a_views
    from guanxi.sales.views import email as e_views
    from guanxi.sales.views import tasks as t_views

    names = {p.name for p in [*a_views.urls, *t_views.urls, *e_views.urls]}
    covered = {resolve(url(pages).split("?")[0]).url_name for _n, _m, url, *_r in CASES}
    assert names == covered


@pytest.fixture
def rep_client(client, org):
    client.force_login(org.rep)
    return client


def test_customer_page_shows_the_work_and_its_buttons(rep_client, org, pages):
    page = rep_client.get(reverse("customers:detail", args=[pages.account.pk])).content.decode()
    assert "Log activity" in page and "Send e-mail" in page and "New task" in page
    assert "寄样品" in page and "拜访" in page  # open task, planned visit
    assert "Support request waiting for a decision" in page


def test_finance_sees_the_customer_page_without_work_buttons(client, org, pages):
    client.force_login(org.finance)
    page = client.get(reverse("customers:detail", args=[pages.account.pk])).content.decode()
    assert "Log activity" not in page


def test_log_a_visit_from_the_customer_page_in_the_modal(rep_client, org, work):
    Account.objects.filter(pk=work.account.pk).update(last_follow_up_at=None)
    url = reverse("sales:activity_create") + f"?account={work.account.pk}&next=/customers/"
    response = rep_client.post(url, {"kind": "visit", "status": "done", "subject": "上门拜访",
                                     "contact": work.contact.pk, "body": "谈交货期"},
                               HTTP_HX_REQUEST="true", HTTP_HX_TARGET="modal-content")
    assert response.status_code == 200 and response["HX-Redirect"] == "/customers/"
    work.account.refresh_from_db()
    assert work.account.last_follow_up_at is not None
    assert TimelineEvent.objects.filter(account=work.account, kind="sales.visit").exists()


def test_bad_activity_input_shows_at_the_field_and_changes_nothing(rep_client, org, work):
    url = reverse("sales:activity_create") + f"?account={work.account.pk}"
    response = rep_client.post(url, {"kind": "campaign", "subject": "攻关",
                                     "budget": "-5"})
    assert response.status_code == 400
    assert "budget" in response.content.decode()
    response = rep_client.post(url, {"kind": "call", "status": "done", "subject": "电话",
                                     "contact": work.other_contact.pk})
    assert response.status_code == 400
    assert not Activity.objects.exists()


def test_support_request_is_decided_inline(client, org, pages):
    client.force_login(org.manager)
    inbox = client.get(reverse("sales:support_requests"), follow=True).content.decode()
    assert "攻关" in inbox and "Approve" in inbox
    url = reverse("sales:support_decide", args=[pages.support.pk])
    response = client.post(url, {"decision": "decline", "comment": "", "version": 1},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "Say why you decline" in response.content.decode()
    response = client.post(url, {"decision": "decline", "comment": "预算超标", "version": 1},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Declined" in response.content.decode()
    assert SupportRequest.objects.get().status == "declined"


def test_today_quick_complete_with_htmx(rep_client, org, pages):
    page = rep_client.get(reverse("sales:today")).content.decode()
    assert "寄样品" in page and "拜访" in page
    response = rep_client.post(reverse("sales:task_complete", args=[pages.task.pk]),
                               {"version": pages.task.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Reopen" in response.content.decode()
    assert Task.objects.get(pk=pages.task.pk).status == "done"
    # A second click with the old version: the row says so, nothing changes.
    response = rep_client.post(reverse("sales:task_complete", args=[pages.task.pk]),
                               {"version": pages.task.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409


def test_calendar_month_shows_my_items_only(client, org, pages):
    client.force_login(org.rep)
    day = timezone.localdate().isoformat()
    page = client.get(reverse("sales:calendar") + f"?date={day}").content.decode()
    assert "拜访" in page and "寄样品" in page
    assert reverse("sales:activity_detail", args=[pages.visit.pk]) in page
    client.force_login(org.manager)
    page = client.get(reverse("sales:calendar") + f"?date={day}").content.decode()
    assert "寄样品" not in page


def test_calendar_survives_a_bad_date(rep_client, org):
    assert rep_client.get(reverse("sales:calendar") + "?date=2026-13-45").status_code == 200


def test_home_shows_todays_counts(rep_client, org, pages):
    page = rep_client.get(reverse("customers:home")).content.decode()
    assert reverse("sales:today") in page and "Overdue tasks" in page


def test_email_template_with_bad_syntax_is_refused_at_the_field(client, org):
    client.force_login(org.manager)
    response = client.post(reverse("sales:email_template_create"), {
        "name": "坏模板", "language": "zh-hans", "subject": "x",
        "body": "{% debug %}", "active": "on"})
    assert response.status_code == 400 and not EmailTemplate.objects.exists()


def test_opportunity_page_shows_its_activities_and_tasks(rep_client, org, work):
    activities.log_activity(org.rep, {"kind": "meeting", "subject": "方案评审会"},
                            opportunity=work.opportunity)
    tasks.create_task(org.rep, {"title": "准备技术方案", "due_at": timezone.now()},
                      opportunity=work.opportunity)
    page = rep_client.get(reverse("sales:opportunity", args=[work.opportunity.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "方案评审会" in text and "准备技术方案" in text
    assert f"?opportunity={work.opportunity.pk}" in text  # log activity / new task buttons


def test_feed_page_says_when_a_calendar_last_read_it(client, org):
    feed = tasks.calendar_feed(org.rep)
    client.force_login(org.rep)
    assert "No calendar has read" in client.get(reverse("sales:calendar_feed")).content.decode()
    client.get(reverse("sales:calendar_ics", args=[feed.token]))
    assert "Last read by a calendar" in client.get(
        reverse("sales:calendar_feed")).content.decode()


@pytest.mark.parametrize("url", ["sales:today", "sales:tasks", "sales:calendar",
                                 "sales:support_requests", "customers:detail",
                                 "sales:opportunity"])
def test_work_pages_make_the_same_queries_for_many_rows(rep_client, org, work, url):
    """No query per row: ten more tasks and visits cost no extra query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for i in range(n):
            tasks.create_task(org.rep, {"title": f"任务{i}", "due_at": timezone.now()},
                              account=work.account, opportunity=work.opportunity)
            activities.log_activity(org.rep, {"kind": "campaign", "subject": f"攻关{i}",
                                              "starts_at": timezone.now()},
                                    account=work.account, contact=work.contact,
                                    support={"people": "总工"})

    def count():
        args = {"customers:detail": [work.account.pk],
                "sales:opportunity": [work.opportunity.pk]}.get(url, [])
        with CaptureQueriesContext(connection) as ctx:
            assert rep_client.get(reverse(url, args=args)).status_code == 200
        return len(ctx)

    add(2)
    count()  # the first view notes the record among the recently opened ones, and counts
    # the sidebar's badges (then read for a minute without a query)
    before = count()
    add(10)
    assert count() == before
