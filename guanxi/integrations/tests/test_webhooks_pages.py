"""Webhook, automation and notification-settings pages: who may open them, and what an
administrator does there."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.test import Client

from guanxi.integrations.models import AutomationRule, WebhookDelivery, WebhookSubscription
from guanxi.integrations.services import automation, webhooks

PUBLIC_URL = "https://93.184.215.14/hooks/guanxi"
PERSONAS = ["rep", "manager", "assistant", "finance", "other_rep", "executive", "admin"]
RULE = {"name": "报价提醒", "trigger": "stage_changed", "value": "quotation",
        "actions": [{"type": "create_task", "title": "准备报价单", "due_in_days": 2}]}


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world(org, make_account):
    sub = webhooks.create_subscription(org.admin, {
        "name": "ERP", "url": PUBLIC_URL, "events": ["customers.account.created"]})
    make_account(name="日志客户有限公司")
    rule = automation.create_rule(org.admin, RULE)
    return SimpleNamespace(sub=sub, delivery=WebhookDelivery.objects.get(), rule=rule)


# (method, url, data, status for the admin); everyone else but anonymous gets 403
ADMIN_PAGES = [
    ("get", lambda w: "/data/webhooks/", lambda w: None, 200),
    ("get", lambda w: "/data/webhooks/new/", lambda w: None, 200),
    ("post", lambda w: "/data/webhooks/new/",
     lambda w: {"name": "BI", "url": PUBLIC_URL, "events": ["sales.lead.created"],
                "active": "on"}, 302),
    ("get", lambda w: f"/data/webhooks/{w.sub.pk}/", lambda w: None, 200),
    ("get", lambda w: f"/data/webhooks/{w.sub.pk}/edit/", lambda w: None, 200),
    ("post", lambda w: f"/data/webhooks/{w.sub.pk}/edit/",
     lambda w: {"name": "ERP2", "url": PUBLIC_URL, "events": ["customers.account.created"],
                "version": w.sub.version}, 302),
    ("post", lambda w: f"/data/webhooks/{w.sub.pk}/rotate-secret/",
     lambda w: {"version": w.sub.version}, 302),
    ("post", lambda w: f"/data/webhooks/deliveries/{w.delivery.pk}/redeliver/",
     lambda w: {}, 302),
    ("post", lambda w: f"/data/webhooks/{w.sub.pk}/delete/",
     lambda w: {}, 302),
    ("get", lambda w: "/data/automation/", lambda w: None, 200),
    ("get", lambda w: "/data/automation/new/", lambda w: None, 200),
    ("post", lambda w: "/data/automation/new/",
     lambda w: {"definition": json.dumps(RULE)}, 302),
    ("get", lambda w: f"/data/automation/{w.rule.pk}/", lambda w: None, 200),
    ("post", lambda w: f"/data/automation/{w.rule.pk}/",
     lambda w: {"definition": json.dumps({**RULE, "name": "改"}),
                "version": w.rule.version}, 302),
    ("post", lambda w: f"/data/automation/{w.rule.pk}/active/",
     lambda w: {"active": "0", "version": w.rule.version}, 302),
    ("post", lambda w: f"/data/automation/{w.rule.pk}/delete/",
     lambda w: {}, 302),
    ("get", lambda w: "/data/automation/runs/", lambda w: None, 200),
    ("get", lambda w: f"/data/automation/runs/?rule={w.rule.pk}", lambda w: None, 200),
]


@pytest.mark.parametrize("case", ADMIN_PAGES, ids=[f"{c[0]} {i}" for i, c in
                                                   enumerate(ADMIN_PAGES)])
def test_only_administrators_reach_webhook_and_automation_pages(case, org, world):
    from django.db import transaction

    method, url, data, admin_status = case
    wrong = []
    for persona in [*PERSONAS, None]:
        user = getattr(org, persona) if persona else None
        with transaction.atomic():
            args = [url(world)] + ([data(world)] if method == "post" else [])
            response = getattr(client_for(user), method)(*args)
            transaction.set_rollback(True)
        expected = admin_status if persona == "admin" else 403 if persona else 302
        if response.status_code != expected:
            wrong.append(f"{persona}: {response.status_code} (expected {expected})")
        if persona is None:
            assert "/accounts/login/" in response["Location"]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_manages_their_own_notification_settings(org, persona):
    user = getattr(org, persona)
    client = client_for(user)
    assert client.get("/data/notification-settings/").status_code == 200
    response = client.post("/data/notification-settings/", {"email": ["sales.task"]})
    assert response.status_code == 302
    page = client.get("/data/notification-settings/").content.decode()
    assert 'value="sales.task" id="pref-2" checked' in page
    assert 'value="sales.lead.assigned" id="pref-1">' in page


def test_anonymous_cannot_open_notification_settings(db):
    response = Client().get("/data/notification-settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_every_page_is_in_the_matrix():
    """A new page of these areas must join the matrix above."""
    from guanxi.integrations.views import automation as automation_views
    from guanxi.integrations.views import webhooks as webhook_views

    names = {p.name for p in [*webhook_views.urls, *automation_views.urls]}
    assert names == {"webhooks", "webhook_create", "webhook", "webhook_edit", "webhook_rotate",
                     "webhook_delete", "webhook_redeliver", "automation", "automation_create",
                     "automation_edit", "automation_toggle", "automation_delete",
                     "automation_runs"}


def test_new_webhook_shows_its_secret_once(org):
    client = client_for(org.admin)
    response = client.post("/data/webhooks/new/", {"name": "ERP", "url": PUBLIC_URL,
                                                   "events": ["customers.account.created"],
                                                   "active": "on"}, follow=True)
    sub = WebhookSubscription.objects.get()
    assert sub.secret in response.content.decode()
    assert sub.secret not in client.get(f"/data/webhooks/{sub.pk}/").content.decode()


def test_internal_address_is_shown_at_the_field(org, settings):
    settings.GUANXI_WEBHOOK_ALLOW_PRIVATE = False
    response = client_for(org.admin).post("/data/webhooks/new/", {
        "name": "x", "url": "http://10.0.0.1/", "events": ["customers.account.created"]})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="field-url"' in page and "internal address" in page
    assert not WebhookSubscription.objects.exists()


def test_delivery_log_lists_the_events(org, world):
    page = client_for(org.admin).get(f"/data/webhooks/{world.sub.pk}/").content.decode()
    assert f'id="delivery-{world.delivery.pk}"' in page
    assert "日志客户有限公司" in page


def test_rule_editor_shows_errors_and_keeps_the_input(org):
    bad = {**RULE, "actions": [{"type": "create_task", "title": "", "due_in_days": 2}]}
    response = client_for(org.admin).post("/data/automation/new/",
                                          {"definition": json.dumps(bad)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Fill in every action." in page
    assert json.dumps("报价提醒") in page  # the editor starts from what was sent
    assert not AutomationRule.objects.exists()


def test_rule_created_from_the_editor(org):
    response = client_for(org.admin).post("/data/automation/new/",
                                          {"definition": json.dumps(RULE)})
    assert response.status_code == 302
    rule = AutomationRule.objects.get()
    assert (rule.trigger, rule.value, rule.actions[0]["title"]) == (
        "stage_changed", "quotation", "准备报价单")
    listing = client_for(org.admin).get("/data/automation/").content.decode()
    assert f'id="rule-{rule.pk}"' in listing


def test_settings_navigation_links_for_administrators(org):
    page = client_for(org.admin).get("/data/webhooks/").content.decode()
    assert 'href="/data/automation/"' in page
    profile = client_for(org.rep).get("/me/").content.decode()
    assert 'href="/data/notification-settings/"' in profile
