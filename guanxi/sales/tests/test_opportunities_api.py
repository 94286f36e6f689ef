"""Opportunity and pipeline API: every endpoint against every persona, and the behaviour a
client relies on (field errors, 409 on stale versions, stage history, board totals)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction

from guanxi.core.tests.api_client import as_
from guanxi.sales.models import Opportunity, Pipeline, StageChange
from guanxi.sales.services import opportunities as svc
from guanxi.sales.services import pipelines
from guanxi.sales.services.opportunities import OpportunityInput

PERSONAS = ["rep", "teammate", "hz_rep", "manager", "finance", "other_rep", "admin", "anon",
            "readonly"]


@pytest.fixture
def world(org, make_account):
    account = make_account(by=org.rep, name="上海明珠机电有限公司")
    opp = svc.create_opportunity(org.rep, account, OpportunityInput.parse(
        {"name": "变压器项目", "amount": "120000", "finder": org.hz_rep}))
    svc.add_member(org.rep, opp, org.marketing, "技术支持")
    pipeline = Pipeline.objects.get(is_default=True)
    spare = pipelines.add_stage(org.admin, pipeline, {"name_en": "Spare"})
    opp.refresh_from_db()
    pipeline.refresh_from_db()
    return SimpleNamespace(account=account, opp=opp, pipeline=pipeline, spare=spare, org=org)


# (name, method, path, body, query, expected status per persona in PERSONAS order)
#                                                      rep tm  hz  mgr fin oth adm anon ro
CASES = [
    ("list", "get", lambda w: "opportunities", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("board", "get", lambda w: "opportunities/board", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("mine", "get", lambda w: "opportunities/mine", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("create", "post", lambda w: "opportunities",
     lambda w: {"account_id": w.account.pk, "name": "二期", "amount": "5000"}, None,
     "201 404 404 201 403 404 201 401 403"),
    ("get", "get", lambda w: f"opportunities/{w.opp.pk}", None, None,
     "200 404 200 200 200 404 200 401 200"),
    ("update", "patch", lambda w: f"opportunities/{w.opp.pk}",
     lambda w: {"version": w.opp.version, "next_step": "技术交流"}, None,
     "200 404 403 200 403 404 200 401 403"),
    ("move", "post", lambda w: f"opportunities/{w.opp.pk}/move",
     lambda w: {"version": w.opp.version, "stage": "quotation"}, None,
     "200 404 403 200 403 404 200 401 403"),
    ("team", "put", lambda w: f"opportunities/{w.opp.pk}/team",
     lambda w: {"version": w.opp.version, "role": "delivery_owner",
                "user_id": w.org.teammate.pk}, None,
     "200 404 403 200 403 404 200 401 403"),
    ("add member", "post", lambda w: f"opportunities/{w.opp.pk}/members",
     lambda w: {"user_id": w.org.teammate.pk, "role": "报价"}, None,
     "201 404 403 201 403 404 201 401 403"),
    ("remove member", "delete",
     lambda w: f"opportunities/{w.opp.pk}/members/{w.org.marketing.pk}", None, None,
     "204 404 403 204 403 404 204 401 403"),
    ("list pipelines", "get", lambda w: "pipelines", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("get pipeline", "get", lambda w: f"pipelines/{w.pipeline.pk}", None, None,
     "200 200 200 200 200 200 200 401 200"),
    ("create pipeline", "post", lambda w: "pipelines", lambda w: {"name_en": "Projects"}, None,
     "403 403 403 403 403 403 201 401 403"),
    ("update pipeline", "patch", lambda w: f"pipelines/{w.pipeline.pk}",
     lambda w: {"version": w.pipeline.version, "name_zh": "销售流程"}, None,
     "403 403 403 403 403 403 200 401 403"),
    ("add stage", "post", lambda w: f"pipelines/{w.pipeline.pk}/stages",
     lambda w: {"name_en": "Survey", "probability": 30}, None,
     "403 403 403 403 403 403 201 401 403"),
    ("reorder stages", "put", lambda w: f"pipelines/{w.pipeline.pk}/stage-order",
     lambda w: {"stage_ids": list(w.pipeline.stages.values_list("pk", flat=True))[::-1]},
     None, "403 403 403 403 403 403 200 401 403"),
    ("update stage", "patch", lambda w: f"stages/{w.spare.pk}",
     lambda w: {"version": w.spare.version, "probability": 40}, None,
     "403 403 403 403 403 403 200 401 403"),
    ("delete stage", "delete", lambda w: f"stages/{w.spare.pk}", None, None,
     "403 403 403 403 403 403 204 401 403"),
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
            response = getattr(clients[persona], method)(*args, **(query(world) if query
                                                                     else {}))
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status}) "
                         f"{response.content[:200]!r}")
        elif response.status_code >= 400:
            assert response.json()["detail"], persona
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


TAGS = {"opportunities", "pipelines"}


def test_every_endpoint_is_in_the_matrix(org):
    paths = as_(org.rep).get("openapi.json").json()["paths"]
    documented = {(m, p) for p, ops in paths.items() for m, op in ops.items()
                  if TAGS & set(op.get("tags", []))}
    assert len(documented) == len(CASES), sorted(documented)
    assert {m for _n, m, *_rest in CASES} == {m for m, _p in documented}
    assert any("pipelines" in op.get("tags", []) for ops in paths.values()
               for op in ops.values())


def test_create_errors_name_the_field_and_change_nothing(org, world):
    api = as_(org.rep)
    other = pipelines.create_pipeline(org.admin, {"name_en": "Service"})
    count = Opportunity.objects.count()
    for body, field in (
        ({"amount": "-10"}, "amount"),
        ({"stage": "nope"}, "stage"),
        ({"stage": other.stages.get(key="open").pk}, "stage"),
        ({"expected_close": "2000-01-01"}, "expected_close"),
    ):
        response = api.post("opportunities", {"account_id": world.account.pk, "name": "x",
                                              **body})
        assert response.status_code == 400, body
        assert response.json()["field"] == field
    assert Opportunity.objects.count() == count


def test_move_history_and_409(org, world):
    api = as_(org.rep)
    opp = world.opp
    response = api.post(f"opportunities/{opp.pk}/move", {"version": opp.version,
                                                         "stage": "tender"})
    body = response.json()
    assert body["stage"]["key"] == "tender" and body["probability"] == 65
    assert [h["to_stage"]["key"] for h in body["stage_history"]] == ["discovery", "tender"]
    assert body["finder"]["id"] == org.hz_rep.pk and body["members"][0]["role"] == "技术支持"
    stale = api.post(f"opportunities/{opp.pk}/move", {"version": opp.version,
                                                      "stage": "quotation"})
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    lost = api.post(f"opportunities/{opp.pk}/move", {"version": body["version"],
                                                     "stage": "lost"})
    assert lost.status_code == 400 and lost.json()["field"] == "loss_reason"
    assert StageChange.objects.filter(opportunity=opp).count() == 2


def test_a_stale_version_is_409_even_when_nothing_would_change(org, world):
    """The caller decided on a record that is no longer there: telling them "done" would
    hide the other person's change."""
    api = as_(org.rep)
    opp = world.opp
    read = opp.version
    api.patch(f"opportunities/{opp.pk}", {"version": read, "next_step": "拜访"})
    same_stage = api.post(f"opportunities/{opp.pk}/move", {"version": read,
                                                           "stage": opp.stage.key})
    assert same_stage.status_code == 409 and same_stage.json()["field"] == "version"


def test_board_columns_and_my_work(org, world):
    body = as_(org.rep).get("opportunities/board").json()
    columns = {c["stage"]["key"]: c for c in body["columns"]}
    assert columns["discovery"]["count"] == 1
    assert columns["discovery"]["amount"] in ("120000.00", "120000")
    assert columns["discovery"]["cards"][0]["name"] == "变压器项目"
    assert as_(org.other_rep).get("opportunities/board").json()["columns"][0]["count"] == 0
    mine = as_(org.hz_rep).get("opportunities/mine").json()
    assert [o["id"] for o in mine["finder"]] == [world.opp.pk] and mine["owner"] == []
