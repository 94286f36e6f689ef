"""The customer's page puts the next thing to do on top (its soonest open task or planned
visit) with one click to mark it done or move it to tomorrow, and shows its related lists as
tabs counted in one query, counting only what the reader may see."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.sales.models import Task
from guanxi.sales.services import activities, tasks
from guanxi.sales.services import opportunities as opps
from guanxi.sales.services.opportunities import OpportunityInput


def test_next_action_done_or_tomorrow_and_counted_tabs(org, make_account):
    account = make_account(by=org.rep, name="华为技术有限公司",
                           contacts=[{"name": "张伟"}, {"name": "李娜"}])
    now = timezone.now().replace(microsecond=0)
    call = tasks.create_task(org.rep, {"title": "回电确认交期",
                                       "due_at": now + dt.timedelta(hours=2)}, account=account)
    activities.log_activity(org.rep, {"kind": "visit", "subject": "上门演示",
                                      "status": "planned",
                                      "starts_at": now + dt.timedelta(days=3)}, account=account)
    opps.create_opportunity(org.rep, account, OpportunityInput.parse({"name": "扩容项目"}))
    closing = opps.create_opportunity(org.rep, account, OpportunityInput.parse({"name": "旧项目"}))
    assert opps.close_lost(org.rep, closing, "price")

    client = Client()
    client.force_login(org.rep)
    url = reverse("customers:detail", args=[account.pk])
    page = client.get(url).content.decode()
    top = page[page.index('id="next-action"'):page.index("data-tabs")]
    assert "回电确认交期" in top and "上门演示" not in top
    def count(name: str) -> str:
        tab = page[page.index(f'data-tab="{name}"'):]
        return tab[:tab.index("</button>")].rpartition('<span class="tab-count">')[2][:1]

    assert count("customers.contacts") == "2"
    assert count("sales.opportunities") == "1"  # the open one

    # "Tomorrow": the same task, a day later; still the next thing (the visit is later).
    call.refresh_from_db()
    due = call.due_at
    response = client.post(reverse("sales:task_postpone", args=[call.pk]) + f"?next={url}",
                           {"version": call.version})
    assert response.status_code == 302 and response["Location"] == url
    call.refresh_from_db()
    assert call.due_at == due + dt.timedelta(days=1) and call.status == "open"
    # Someone who may not change it cannot move it.
    other = Client()
    other.force_login(org.other_rep)
    assert other.post(reverse("sales:task_postpone", args=[call.pk]),
                      {"version": call.version}).status_code in (403, 404)
    call.refresh_from_db()
    assert call.due_at == due + dt.timedelta(days=1)

    # Done: the planned visit is next.
    client.post(reverse("sales:task_complete", args=[call.pk]) + f"?next={url}",
                {"version": call.version})
    assert Task.objects.get(pk=call.pk).status == "done"
    page = client.get(url).content.decode()
    top = page[page.index('id="next-action"'):page.index("data-tabs")]
    assert "上门演示" in top and "回电确认交期" not in top
