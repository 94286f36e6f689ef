"""The leads and notifications API: every endpoint against every persona, and its behaviour."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.db import transaction

from guanxi.core.models import Notification
from guanxi.core.tests.api_client import as_
from guanxi.sales.models import Lead, LeadRoutingRule, Opportunity
from guanxi.sales.services.leads import create_lead
from guanxi.sales.tests import leads_fixtures

_inline_tasks = leads_fixtures.inline_tasks
rules = leads_fixtures.rules

PERSONAS = ["rep", "teammate", "manager", "other_manager", "finance", "admin", "anon",
            "readonly"]


@pytest.fixture
def world(org, rules):
    lead = create_lead(org.marketing, {"name": "张伟", "company": "苏州精工机械有限公司",
                                       "phone": "13900001111", "timeframe": "immediate",
                                       "budget": "300000"})
    lead.refresh_from_db()
    note = Notification.objects.get(recipient=org.rep)
    return SimpleNamespace(lead=lead, rule=rules["team"], note=note)


EDIT = "200 404 200 404 404 200 401 403"
ADMIN_W = "403 403 403 403 403 {ok} 401 403"
# (name, method, path template, path(w), body(w), query(w), expected per persona)
CASES = [
    ("list leads", "get", "/leads", lambda w: "leads", None, None,
     "200 200 200 200 200 200 401 200"),
    ("create lead", "post", "/leads", lambda w: "leads",
     lambda w: {"name": "新线索", "timeframe": "6m"}, None,
     "201 201 201 201 403 201 401 403"),
    ("get lead", "get", "/leads/{lead_id}", lambda w: f"leads/{w.lead.pk}", None, None,
     "200 404 200 404 404 200 401 200"),
    ("update lead", "patch", "/leads/{lead_id}", lambda w: f"leads/{w.lead.pk}",
     lambda w: {"interest": "数控机床", "version": w.lead.version}, None, EDIT),
    ("assign lead", "post", "/leads/{lead_id}/assign", lambda w: f"leads/{w.lead.pk}/assign",
     lambda w: {"owner_id": w.org.teammate.pk, "version": w.lead.version}, None,
     "403 404 200 404 404 200 401 403"),
    ("disqualify lead", "post", "/leads/{lead_id}/disqualify",
     lambda w: f"leads/{w.lead.pk}/disqualify",
     lambda w: {"reason": "无预算", "version": w.lead.version}, None, EDIT),
    ("convert lead", "post", "/leads/{lead_id}/convert", lambda w: f"leads/{w.lead.pk}/convert",
     lambda w: {"version": w.lead.version}, None, "201 404 201 404 404 201 401 403"),
    ("list rules", "get", "/lead-routing-rules", lambda w: "lead-routing-rules", None, None,
     "403 403 403 403 403 200 401 403"),
    ("create rule", "post", "/lead-routing-rules", lambda w: "lead-routing-rules",
     lambda w: {"name": "华北", "province": "北京", "user_id": w.org.hz_rep.pk}, None,
     ADMIN_W.format(ok=201)),
    ("update rule", "patch", "/lead-routing-rules/{rule_id}",
     lambda w: f"lead-routing-rules/{w.rule.pk}",
     lambda w: {"active": False, "version": w.rule.version}, None, ADMIN_W.format(ok=200)),
    ("delete rule", "delete", "/lead-routing-rules/{rule_id}",
     lambda w: f"lead-routing-rules/{w.rule.pk}", None, lambda w: {"version": w.rule.version},
     ADMIN_W.format(ok=204)),
    ("list notifications", "get", "/notifications", lambda w: "notifications", None, None,
     "200 200 200 200 200 200 401 200"),
    ("read notifications", "post", "/notifications/read", lambda w: "notifications/read",
     lambda w: {}, None, "200 200 200 200 200 200 401 403"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_api_permission_matrix(case, org, world):
    name, method, _template, path, body, query, expected = case
    world.org = org
    clients = {p: as_(getattr(org, p)) for p in PERSONAS[:6]}
    clients["anon"] = as_(None)
    clients["readonly"] = as_(org.rep, scope="read")
    wrong = []
    for persona, status in zip(PERSONAS, expected.split(), strict=True):
        args = [path(world)]
        if method in ("post", "put", "patch"):
            args.append(body(world) if body else None)
        with transaction.atomic():
            response = getattr(clients[persona], method)(*args, **(query(world) if query
                                                                   else {}))
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status}) "
                         f"{response.content[:200]!r}")
        elif response.status_code >= 400:
            assert response.json()["detail"], persona
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


TAGS = {"leads", "notifications"}


def test_every_endpoint_is_in_the_matrix(org):
    paths = as_(org.rep).get("openapi.json").json()["paths"]
    documented = {(m, re.sub(r"^/api", "", p)) for p, ops in paths.items()
                  for m, op in ops.items() if TAGS & set(op.get("tags", []))}
    covered = {(c[1], c[2]) for c in CASES}
    assert documented == covered


def test_list_filters_and_keyset_pages(org, world):
    for i in range(3):
        create_lead(org.rep, {"name": f"线索{i}", "timeframe": "12m", "source": "exhibition"})
    api = as_(org.rep)
    body = api.get("leads", timeframe="12m", limit=2).json()
    assert [r["name"] for r in body["items"]] == ["线索2", "线索1"] and body["next"]
    rest = api.get("leads", timeframe="12m", limit=2, cursor=body["next"]).json()
    assert [r["name"] for r in rest["items"]] == ["线索0"] and rest["next"] is None
    assert {r["name"] for r in api.get("leads", owner="me", status="assigned").json()["items"]} \
        == {"张伟"}
    top = api.get("leads", sort="-score").json()["items"][0]
    assert top["name"] == "张伟" and top["score_detail"][0]["reason"] == "Buys immediately"


def test_create_reports_duplicates_and_validates_each_field(org, world, make_account):
    customer = make_account(by=org.rep, name="苏州精工机械有限公司")
    api = as_(org.teammate)
    response = api.post("leads", {"name": "张伟", "company": "苏州精工机械有限公司",
                                  "phone": "139 0000 1111", "timeframe": "3m"})
    assert response.status_code == 201
    body = response.json()
    assert body["phone"] == "+8613900001111" and body["owner"]["id"] == org.teammate.pk
    assert body["duplicate_lead_ids"] == [world.lead.pk]
    assert body["duplicate_customers"][0]["id"] == customer.pk
    count = Lead.objects.count()
    for field, value in [("phone", "123"), ("email", "x@"), ("timeframe", "soon"),
                         ("budget", "-1"), ("source", "tv")]:
        response = api.post("leads", {"name": "坏线索", field: value})
        assert response.status_code == 400, field
        assert response.json()["field"] == field
    assert api.post("leads", {"name": "坏线索", "colour": "red"}).status_code == 422
    assert Lead.objects.count() == count


def test_update_is_versioned_and_rescored(org, world):
    api = as_(org.rep)
    body = api.patch(f"leads/{world.lead.pk}", {"email": "zw@example.cn",
                                                 "version": world.lead.version}).json()
    assert body["version"] == world.lead.version + 1
    assert body["score"] == world.lead.score + 4
    stale = api.patch(f"leads/{world.lead.pk}", {"email": "x@example.cn",
                                                  "version": world.lead.version})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert Lead.objects.get(pk=world.lead.pk).email == "zw@example.cn"


def test_disqualify_needs_a_reason(org, world):
    api = as_(org.rep)
    response = api.post(f"leads/{world.lead.pk}/disqualify",
                        {"reason": " ", "version": world.lead.version})
    assert response.status_code == 400 and response.json()["field"] == "reason"
    assert Lead.objects.get(pk=world.lead.pk).status == Lead.Status.ASSIGNED


def test_convert_through_the_api_and_duplicate_choice(org, world, make_account):
    existing = make_account(by=org.rep, name="苏州精工机械有限公司")
    api = as_(org.rep)
    response = api.post(f"leads/{world.lead.pk}/convert", {"version": world.lead.version})
    assert response.status_code == 409 and response.json()["code"] == "duplicate"
    assert not Opportunity.objects.exists()
    response = api.post(f"leads/{world.lead.pk}/convert",
                        {"version": world.lead.version, "customer_id": existing.pk})
    assert response.status_code == 201
    body = response.json()
    assert body["customer_id"] == existing.pk and body["lead"]["status"] == "converted"
    opp = Opportunity.objects.get(pk=body["opportunity_id"])
    assert opp.account == existing and opp.amount == world.lead.budget


def test_rules_api_validates(org, world):
    api = as_(org.admin)
    response = api.post("lead-routing-rules", {"name": "两者", "user_id": org.rep.pk,
                                               "team_id": org.team_a.pk})
    assert response.status_code == 400 and response.json()["field"] == "user"
    response = api.post("lead-routing-rules", {"name": "坏", "timeframe": "soon",
                                               "team_id": org.team_a.pk})
    assert response.status_code == 400 and response.json()["field"] == "timeframe"
    stale = api.patch(f"lead-routing-rules/{world.rule.pk}", {"active": False, "version": 99})
    assert stale.status_code == 409
    assert LeadRoutingRule.objects.get(pk=world.rule.pk).active


def test_notifications_list_and_mark_read(org, world):
    api = as_(org.rep)
    body = api.get("notifications").json()
    assert body["unread"] == 1 and "苏州精工" in body["items"][0]["title"]
    body = api.post("notifications/read", {"ids": [world.note.pk]}).json()
    assert body == {"marked": 1, "unread": 0}
    assert as_(org.teammate).post("notifications/read", {"ids": [world.note.pk]}).json()[
        "marked"] == 0
