"""The work API: every endpoint against every persona, and what a client sees of the rules
(409 on a stale version, 400 naming the field, Decimal budgets, 502 for a failed send)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from guanxi.core.tests.api_client import as_
from guanxi.sales.models import Activity, EmailMessage, SupportRequest, Task
from guanxi.sales.services import activities, email, tasks
from guanxi.sales.tests import work_fixtures

work = work_fixtures.work

PERSONAS = ["rep", "teammate", "manager", "assistant", "finance", "other_rep", "admin", "anon",
            "readonly"]


@pytest.fixture
def world(org, work, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
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
    return SimpleNamespace(visit=visit, support=campaign.support_request, task=task,
                           template=template, **vars(work))


# (name, method, path, body, query, expected status per persona in PERSONAS order)
#                                                  rep tm  mgr ast fin oth adm anon ro
CASES = [
    ("list activities", "get", lambda w: "activities", None,
     lambda w: {"account_id": w.account.pk}, "200 200 200 200 200 200 200 401 200"),
    ("create activity", "post", lambda w: "activities",
     lambda w: {"kind": "call", "subject": "电话", "account_id": w.account.pk}, None,
     "201 404 201 201 403 404 201 401 403"),
    ("get activity", "get", lambda w: f"activities/{w.visit.pk}", None, None,
     "200 404 200 200 200 404 200 401 200"),
    ("update activity", "patch", lambda w: f"activities/{w.visit.pk}",
     lambda w: {"version": w.visit.version, "outcome": "谈妥"}, None,
     "200 404 200 403 403 404 200 401 403"),
    ("complete activity", "post", lambda w: f"activities/{w.visit.pk}/complete",
     lambda w: {"version": w.visit.version}, None,
     "200 404 200 403 403 404 200 401 403"),
    ("cancel activity", "post", lambda w: f"activities/{w.visit.pk}/cancel",
     lambda w: {"version": w.visit.version}, None,
     "200 404 200 403 403 404 200 401 403"),
    ("list support requests", "get", lambda w: "support-requests", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("decide support", "post", lambda w: f"support-requests/{w.support.pk}/decide",
     lambda w: {"version": w.support.version, "approve": True}, None,
     "403 404 200 403 403 404 200 401 403"),
    ("withdraw support", "post", lambda w: f"support-requests/{w.support.pk}/withdraw",
     lambda w: {"version": w.support.version}, None,
     "200 404 403 403 403 404 403 401 403"),
    ("list tasks", "get", lambda w: "tasks", None, lambda w: {"assignee": "all"},
     "200 200 200 200 200 200 200 401 200"),
    ("create task", "post", lambda w: "tasks",
     lambda w: {"title": "回访", "due_at": "2026-12-01T10:00:00+08:00",
                "account_id": w.account.pk}, None,
     "201 404 201 201 403 404 201 401 403"),
    ("get task", "get", lambda w: f"tasks/{w.task.pk}", None, None,
     "200 404 200 200 404 404 200 401 200"),
    ("update task", "patch", lambda w: f"tasks/{w.task.pk}",
     lambda w: {"version": w.task.version, "priority": "high"}, None,
     "200 404 200 200 404 404 200 401 403"),
    ("complete task", "post", lambda w: f"tasks/{w.task.pk}/complete",
     lambda w: {"version": w.task.version}, None,
     "200 404 200 200 404 404 200 401 403"),
    ("reopen task", "post", lambda w: f"tasks/{w.task.pk}/reopen",
     lambda w: {"version": w.task.version}, None,
     "409 404 409 409 404 404 409 401 403"),
    ("cancel task", "post", lambda w: f"tasks/{w.task.pk}/cancel",
     lambda w: {"version": w.task.version}, None,
     "200 404 200 200 404 404 200 401 403"),
    ("today", "get", lambda w: "today", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("calendar feed", "get", lambda w: "calendar-feed", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("reset calendar feed", "post", lambda w: "calendar-feed/reset", None, None,
     "200 200 200 200 200 200 200 401 403"),
    ("list email templates", "get", lambda w: "email-templates", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("create email template", "post", lambda w: "email-templates",
     lambda w: {"name": "报价", "subject": "报价单", "body": "{{ account.name }}"}, None,
     "403 403 201 403 403 403 201 401 403"),
    ("update email template", "patch", lambda w: f"email-templates/{w.template.pk}",
     lambda w: {"version": w.template.version, "subject": "您好！"}, None,
     "403 403 200 403 403 403 200 401 403"),
    ("deactivate email template", "delete", lambda w: f"email-templates/{w.template.pk}",
     None, lambda w: {"version": w.template.version},
     "403 403 204 403 403 403 204 401 403"),
    ("send email", "post", lambda w: "emails",
     lambda w: {"account_id": w.account.pk, "contact_id": w.contact.pk,
                "template_id": w.template.pk}, None,
     "201 404 201 201 403 404 201 401 403"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_permission_matrix(case, org, world):
    name, method, path, body, query, expected = case
    clients = {p: as_(getattr(org, p)) for p in PERSONAS[:7]}
    clients["anon"] = as_(None)
    clients["readonly"] = as_(org.rep, scope="read")
    wrong = []
    for persona, status in zip(PERSONAS, expected.split(), strict=True):
        args = [path(world)]
        if method in ("post", "put", "patch"):
            args.append(body(world) if body else None)
        with transaction.atomic():
            response = getattr(clients[persona], method)(*args,
                                                         **(query(world) if query else {}))
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status}) "
                         f"{response.content[:200]!r}")
        elif response.status_code >= 400:
            assert response.json()["detail"], persona
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


TAGS = {"activities", "support requests", "tasks", "e-mail"}


def test_every_endpoint_is_in_the_matrix(org):
    """A new endpoint must join the matrix: compare with the OpenAPI document."""
    paths = as_(org.rep).get("openapi.json").json()["paths"]
    documented = {(m, p) for p, ops in paths.items() for m, op in ops.items()
                  if TAGS & set(op.get("tags", []))}
    assert len(documented) == len(CASES), sorted(documented)
    covered = {(m, "/api/" + path(SimpleNamespace(
        visit=SimpleNamespace(pk="{activity_id}"), task=SimpleNamespace(pk="{task_id}"),
        support=SimpleNamespace(pk="{request_id}"),
        template=SimpleNamespace(pk="{template_id}")))) for _n, m, path, *_r in CASES}
    assert covered == documented


def test_campaign_with_a_decimal_budget_and_the_managers_decision(org, work):
    rep, manager = as_(org.rep), as_(org.manager)
    response = rep.post("activities", {"kind": "campaign", "subject": "攻关明珠",
                                       "account_id": work.account.pk,
                                       "support": {"people": "总工", "budget": "12345.60"}})
    assert response.status_code == 201, response.content
    activity_id = response.json()["support_request_id"]
    [request] = manager.get("support-requests").json()
    assert request["budget"] == "12345.60" and request["status"] == "pending"
    assert request["id"] == activity_id
    response = manager.post(f"support-requests/{request['id']}/decide",
                            {"version": 1, "approve": False})
    assert response.status_code == 400 and response.json()["field"] == "comment"
    response = manager.post(f"support-requests/{request['id']}/decide",
                            {"version": 1, "approve": False, "comment": "先做技术交流"})
    assert response.json()["status"] == "declined"
    assert rep.get("support-requests", box="mine").json()[0]["decision_note"] == "先做技术交流"


@pytest.mark.parametrize("body, field", [
    ({"kind": "campaign", "subject": "x", "support": {"budget": "-1"}}, "budget"),
    ({"kind": "visit", "subject": "x", "duration_minutes": 99999}, "duration_minutes"),
    ({"kind": "meal", "subject": "x"}, "kind"),
    ({"kind": "call", "subject": ""}, "subject"),
])
def test_bad_activity_input_names_the_field_and_changes_nothing(org, work, body, field):
    response = as_(org.rep).post("activities", {**body, "account_id": work.account.pk})
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Activity.objects.exists() and not SupportRequest.objects.exists()


def test_contact_of_another_customer_is_refused(org, work):
    response = as_(org.rep).post("activities", {"kind": "call", "subject": "x",
                                                "account_id": work.account.pk,
                                                "contact_id": work.other_contact.pk})
    assert response.status_code == 400 and response.json()["field"] == "contact"


def test_stale_task_edit_is_409_and_changes_nothing(org):
    client = as_(org.rep)
    task = client.post("tasks", {"title": "寄资料", "due_at": "2026-12-01T10:00:00+08:00",
                                 "all_day": False}).json()
    assert client.patch(f"tasks/{task['id']}", {"version": 1, "title": "寄样品"}).status_code \
        == 200
    response = client.patch(f"tasks/{task['id']}", {"version": 1, "title": "旧"})
    assert response.status_code == 409 and response.json()["field"] == "version"
    assert Task.objects.get().title == "寄样品"


def test_send_email_merges_and_reports_a_failure(org, work, settings):
    from guanxi.sales.tests.test_work_email import free_port

    template = email.create_template(org.manager, {
        "name": "t", "subject": "致{{ account.name }}", "body": "{{ contact.name }} {{ x.y }}"})
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = as_(org.rep)
    response = client.post("emails", {"account_id": work.account.pk,
                                      "contact_id": work.contact.pk,
                                      "template_id": template.pk})
    assert response.status_code == 201
    body = response.json()
    assert body["subject"] == "致上海明珠机电有限公司" and body["missing_fields"] == ["x.y"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    response = client.post("emails", {"account_id": work.account.pk,
                                      "contact_id": work.contact.pk, "subject": "s",
                                      "body": "b"})
    assert response.status_code == 502 and response.json()["code"] == "send_failed"
    assert EmailMessage.objects.filter(status="failed").count() == 1


def test_today_and_feed_reset(org, client):
    api = as_(org.rep)
    api.post("tasks", {"title": "过期", "due_at": "2020-01-01T10:00:00+08:00"})
    assert [t["title"] for t in api.get("today").json()["overdue"]] == ["过期"]
    old = api.get("calendar-feed").json()["url"]
    new = api.post("calendar-feed/reset").json()["url"]
    assert old != new
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
