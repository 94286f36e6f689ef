"""The webhook and automation API as an administrator's script sees it."""

from __future__ import annotations

from guanxi.core.tests.api_client import as_
from guanxi.integrations.models import WebhookDelivery

PUBLIC_URL = "https://93.184.215.14/hooks/guanxi"


def test_secret_is_shown_once_and_rotates(org):
    api = as_(org.admin)
    created = api.post("webhooks", {"name": "ERP", "url": PUBLIC_URL,
                                    "events": ["customers.account.created"]})
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    again = api.get(f"webhooks/{body['id']}").json()
    assert "secret" not in again
    rotated = api.post(f"webhooks/{body['id']}/rotate-secret", {"version": body["version"]})
    assert rotated.json()["secret"] not in ("", body["secret"])
    stale = api.post(f"webhooks/{body['id']}/rotate-secret", {"version": body["version"]})
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")


def test_internal_address_is_a_400_naming_the_field(org, settings):
    settings.GUANXI_WEBHOOK_ALLOW_PRIVATE = False
    response = as_(org.admin).post("webhooks", {"name": "x", "url": "http://169.254.169.254/",
                                                "events": ["customers.account.created"]})
    assert response.status_code == 400
    assert response.json()["field"] == "url"


def test_unknown_event_is_refused(org):
    response = as_(org.admin).post("webhooks", {"name": "x", "url": PUBLIC_URL,
                                                "events": ["customers.account.viewed"]})
    assert (response.status_code, response.json()["field"]) == (400, "events")


def test_delivery_log_and_redeliver(org, make_account):
    api = as_(org.admin)
    sub = api.post("webhooks", {"name": "ERP", "url": PUBLIC_URL,
                                "events": ["customers.account.created"]}).json()
    account = make_account()
    page = api.get(f"webhooks/{sub['id']}/deliveries").json()
    (item,) = page["items"]
    assert (item["event_type"], item["status"], item["payload"]["object"]["id"]) == (
        "customers.account.created", "pending", str(account.pk))
    again = api.post(f"webhook-deliveries/{item['id']}/redeliver")
    assert again.status_code == 201
    assert again.json()["event_id"] == item["event_id"]
    assert WebhookDelivery.objects.count() == 2
    assert len(api.get(f"webhooks/{sub['id']}/deliveries", status="pending").json()["items"]) \
        == 2


def test_rules_through_the_api(org):
    api = as_(org.admin)
    rule = {"name": "报价提醒", "trigger": "stage_changed", "value": "quotation",
            "actions": [{"type": "create_task", "title": "准备报价单", "due_in_days": 2}]}
    created = api.post("automation-rules", rule)
    assert created.status_code == 201
    body = created.json()
    assert body["actions"] == [{"type": "create_task", "title": "准备报价单",
                                "due_in_days": 2, "priority": "normal", "to": "owner"}]
    off = api.put(f"automation-rules/{body['id']}/active",
                  {"active": False, "version": body["version"]})
    assert off.json()["active"] is False
    bad = api.put(f"automation-rules/{body['id']}", {**rule, "days": None, "trigger": "x",
                                                     "version": off.json()["version"]})
    assert (bad.status_code, bad.json()["field"]) == (400, "trigger")
    stale = api.put(f"automation-rules/{body['id']}", {**rule, "version": body["version"]})
    assert stale.status_code == 409
    assert api.get("automation-runs").json() == {"items": [], "next": None}


def test_preferences_round_trip(org):
    api = as_(org.rep)
    rows = api.put("me/notification-preferences",
                   {"email": {"sales.lead.assigned": True}}).json()
    assert {r["kind"]: r["email"] for r in rows}["sales.lead.assigned"] is True
    assert {r["kind"]: r["email"] for r in api.get("me/notification-preferences").json()}[
        "sales.lead.assigned"] is True
    assert as_(org.teammate).get("me/notification-preferences").json()[0]["email"] is False
    bad = api.put("me/notification-preferences", {"email": {"nope": True}})
    assert (bad.status_code, bad.json()["field"]) == (400, "email")
