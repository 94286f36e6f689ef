"""Every webhook, automation and notification-preference endpoint against every persona: only
administrators manage webhooks and rules; everyone manages their own preferences."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction

from guanxi.core.tests.api_client import as_
from guanxi.integrations.models import AutomationRun, WebhookDelivery
from guanxi.integrations.services import automation, webhooks

PERSONAS = ["rep", "teammate", "manager", "assistant", "finance", "other_rep", "admin", "anon",
            "readonly"]
PUBLIC_URL = "https://93.184.215.14/hooks/guanxi"
RULE = {"name": "报价提醒", "trigger": "stage_changed", "value": "quotation",
        "actions": [{"type": "create_task", "title": "准备报价单", "due_in_days": 2}]}


@pytest.fixture
def world(org, make_account):
    sub = webhooks.create_subscription(org.admin, {
        "name": "ERP", "url": PUBLIC_URL, "events": ["customers.account.created"]})
    account = make_account()
    delivery = WebhookDelivery.objects.get()
    rule = automation.create_rule(org.admin, RULE)
    AutomationRun.objects.create(rule=rule, object_type="customers.account",
                                 object_id=str(account.pk), result="done")
    return SimpleNamespace(sub=sub, delivery=delivery, rule=rule)


ADMIN_READ = "403 403 403 403 403 403 200 401 403"
ADMIN_WRITE = "403 403 403 403 403 403 {} 401 403"
# (name, method, path, body, query, expected status per persona in PERSONAS order)
CASES = [
    ("event types", "get", lambda w: "webhook-events", None, None, ADMIN_READ),
    ("list webhooks", "get", lambda w: "webhooks", None, None, ADMIN_READ),
    ("create webhook", "post", lambda w: "webhooks",
     lambda w: {"name": "BI", "url": PUBLIC_URL, "events": ["sales.lead.created"]}, None,
     ADMIN_WRITE.format(201)),
    ("get webhook", "get", lambda w: f"webhooks/{w.sub.pk}", None, None, ADMIN_READ),
    ("update webhook", "patch", lambda w: f"webhooks/{w.sub.pk}",
     lambda w: {"version": w.sub.version, "active": False}, None, ADMIN_WRITE.format(200)),
    ("delete webhook", "delete", lambda w: f"webhooks/{w.sub.pk}", None, None,
     ADMIN_WRITE.format(204)),
    ("rotate secret", "post", lambda w: f"webhooks/{w.sub.pk}/rotate-secret",
     lambda w: {"version": w.sub.version}, None, ADMIN_WRITE.format(200)),
    ("deliveries", "get", lambda w: f"webhooks/{w.sub.pk}/deliveries", None, None,
     ADMIN_READ),
    ("redeliver", "post", lambda w: f"webhook-deliveries/{w.delivery.pk}/redeliver", None,
     None, ADMIN_WRITE.format(201)),
    ("list rules", "get", lambda w: "automation-rules", None, None, ADMIN_READ),
    ("create rule", "post", lambda w: "automation-rules", lambda w: RULE, None,
     ADMIN_WRITE.format(201)),
    ("get rule", "get", lambda w: f"automation-rules/{w.rule.pk}", None, None, ADMIN_READ),
    ("update rule", "put", lambda w: f"automation-rules/{w.rule.pk}",
     lambda w: {**RULE, "name": "改名", "version": w.rule.version}, None,
     ADMIN_WRITE.format(200)),
    ("delete rule", "delete", lambda w: f"automation-rules/{w.rule.pk}", None, None,
     ADMIN_WRITE.format(204)),
    ("enable rule", "put", lambda w: f"automation-rules/{w.rule.pk}/active",
     lambda w: {"active": False, "version": w.rule.version}, None, ADMIN_WRITE.format(200)),
    ("rule runs", "get", lambda w: "automation-runs", None, lambda w: {"rule": w.rule.pk},
     ADMIN_READ),
    ("my preferences", "get", lambda w: "me/notification-preferences", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("set my preferences", "put", lambda w: "me/notification-preferences",
     lambda w: {"email": {"sales.lead.assigned": True}}, None,
     "200 200 200 200 200 200 200 401 403"),
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
            response = getattr(clients[persona], method)(*args, **(query(world) if query else {}))
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status}) "
                         f"{response.content[:200]!r}")
        elif response.status_code >= 400:
            assert response.json()["detail"], persona
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


# The tags of the endpoints this matrix covers; other areas keep matrices of their own.
TAGS = {"webhooks", "automation", "notification preferences"}


def test_every_endpoint_is_in_the_matrix(org):
    paths = as_(org.rep).get("openapi.json").json()["paths"]
    documented = {(m, p) for p, ops in paths.items() for m, op in ops.items()
                  if TAGS & set(op.get("tags", []))}
    assert len(documented) == len(CASES), sorted(documented)
    assert {m for _n, m, *_rest in CASES} == {m for m, _p in documented}
