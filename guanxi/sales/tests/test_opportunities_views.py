"""Opportunity pages: every URL against every persona, and what the pages show and do."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.sales.models import Opportunity, Pipeline, StageChange
from guanxi.sales.plugins import load_opportunities
from guanxi.sales.selectors.opportunities import board
from guanxi.sales.services import opportunities as svc
from guanxi.sales.services.opportunities import OpportunityInput
from guanxi.sales.views.opportunities import urls as opportunity_urls

PERSONAS = ["rep", "teammate", "hz_rep", "manager", "finance", "other_rep", "admin", "anon"]


@pytest.fixture
def world(org, make_account):
    account = make_account(by=org.rep, name="上海明珠机电有限公司")
    opp = svc.create_opportunity(org.rep, account, OpportunityInput.parse(
        {"name": "变压器项目", "amount": "120000", "finder": org.hz_rep}))
    svc.add_member(org.rep, opp, org.marketing, "技术支持")
    pipeline = Pipeline.objects.get(is_default=True)
    stage = pipeline.stages.get(key="tracking")
    opp.refresh_from_db()
    return SimpleNamespace(account=account, opp=opp, pipeline=pipeline, stage=stage, org=org)


def _client(org, persona: str) -> Client:
    client = Client()
    if persona != "anon":
        client.force_login(getattr(org, persona))
    return client


# (url name, method, args, post data, expected status per persona in PERSONAS order)
#                                         rep tm  hz  mgr fin oth adm anon
CASES = [
    ("opportunities", "get", lambda w: [], None, "200 200 200 200 200 200 200 302"),
    ("opportunity_create", "get", lambda w: [], None, "200 200 200 200 403 200 200 302"),
    ("board", "get", lambda w: [], None, "200 200 200 200 200 200 200 302"),
    ("board_pipeline", "get", lambda w: [w.pipeline.pk], None,
     "200 200 200 200 200 200 200 302"),
    ("board_column", "get", lambda w: [w.pipeline.pk, w.opp.stage_id], None,
     "200 200 200 200 200 200 200 302"),
    ("my_work", "get", lambda w: [], None, "200 200 200 200 200 200 200 302"),
    ("opportunity", "get", lambda w: [w.opp.pk], None, "200 404 200 200 200 404 200 302"),
    ("opportunity_edit", "get", lambda w: [w.opp.pk], None,
     "200 404 403 200 403 404 200 302"),
    ("opportunity_card", "get", lambda w: [w.opp.pk], None,
     "200 404 200 200 200 404 200 302"),
    ("opportunity_move", "post", lambda w: [w.opp.pk],
     lambda w: {"stage": w.stage.pk, "version": w.opp.version},
     "302 404 403 302 403 404 302 302"),
    ("opportunity_close", "get", lambda w: [w.opp.pk], None,
     "200 404 403 200 403 404 200 302"),
    ("opportunity_team", "get", lambda w: [w.opp.pk], None,
     "200 404 403 200 403 404 200 302"),
    ("opportunity_member_add", "get", lambda w: [w.opp.pk], None,
     "200 404 403 200 403 404 200 302"),
    ("opportunity_member_remove", "post", lambda w: [w.opp.pk, w.org.marketing.pk], {},
     "302 404 403 302 403 404 302 302"),
    ("pipelines", "get", lambda w: [], None, "403 403 403 403 403 403 200 302"),
    ("pipeline_create", "get", lambda w: [], None, "403 403 403 403 403 403 200 302"),
    ("pipeline", "get", lambda w: [w.pipeline.pk], None, "403 403 403 403 403 403 200 302"),
    ("stage_create", "get", lambda w: [w.pipeline.pk], None,
     "403 403 403 403 403 403 200 302"),
    ("stage_edit", "get", lambda w: [w.stage.pk], None, "403 403 403 403 403 403 200 302"),
    ("stage_action", "post", lambda w: [w.stage.pk], lambda w: {"action": "down"},
     "403 403 403 403 403 403 302 302"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_page_permission_matrix(case, org, world):
    name, method, args, data, expected = case
    url = reverse(f"sales:{name}", args=args(world))
    wrong = []
    for persona, status in zip(PERSONAS, expected.split(), strict=True):
        client = _client(org, persona)
        with transaction.atomic():
            if method == "post":
                response = client.post(url, data(world) if callable(data) else (data or {}))
            else:
                response = client.get(url)
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status})")
        elif status == "302" and persona == "anon":
            assert "/accounts/login/" in response["Location"]
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def test_every_page_is_in_the_matrix():
    names = {p.name for p in opportunity_urls}
    assert names == {c[0] for c in CASES}


def test_create_from_a_customer_page_and_errors_at_the_field(org, world):
    client = _client(org, "rep")
    url = reverse("sales:opportunity_create") + f"?account={world.account.pk}"
    page = client.get(url)
    assert "上海明珠机电有限公司" in page.content.decode()
    count = Opportunity.objects.count()
    response = client.post(url, {"name": "二期", "amount": "-5", "currency": "CNY",
                                 "pipeline": world.pipeline.pk, "stage": world.stage.pk,
                                 "source": "manual"})
    assert response.status_code == 200
    assert "cannot be negative" in response.content.decode()
    assert Opportunity.objects.count() == count
    response = client.post(url, {"name": "二期", "amount": "80000", "currency": "CNY",
                                 "pipeline": world.pipeline.pk, "stage": world.stage.pk,
                                 "source": "manual", "expected_close": "2099-01-31"})
    opp = Opportunity.objects.get(name="二期")
    assert response.status_code == 302 and response["Location"].endswith(f"/{opp.pk}/")
    assert opp.account == world.account and opp.probability == 25
    # The customer page's opportunities card lists it with a "New opportunity" button.
    card = client.get(reverse("customers:detail", args=[world.account.pk])).content.decode()
    assert "二期" in card and f"{reverse('sales:opportunity_create')}?account=" in card
    teammate = SimpleNamespace(user=org.teammate)
    assert "二期" not in render_to_string("sales/_account_opportunities.html", {
        "account": world.account, **load_opportunities(teammate, world.account)})


def test_board_move_answers_json_with_totals_and_409_when_stale(org, world):
    client = _client(org, "rep")
    url = reverse("sales:opportunity_move", args=[world.opp.pk])
    json = {"HTTP_ACCEPT": "application/json"}
    response = client.post(url, {"stage": world.stage.pk, "version": world.opp.version}, **json)
    assert response.status_code == 200
    body = response.json()
    assert body["totals"][str(world.stage.pk)]["count"] == 1
    assert str(world.opp.stage_id) not in body["totals"]
    response = client.post(url, {"stage": world.opp.stage_id,
                                 "version": world.opp.version}, **json)
    assert response.status_code == 409 and response.json()["detail"]
    lost = world.pipeline.stages.get(kind="lost")
    response = client.post(url, {"stage": lost.pk, "version": body["version"]}, **json)
    assert response.status_code == 400 and response.json()["field"] == "loss_reason"
    assert StageChange.objects.filter(opportunity=world.opp).count() == 2


def test_close_lost_from_the_modal(org, world):
    client = _client(org, "rep")
    url = reverse("sales:opportunity_close", args=[world.opp.pk])
    response = client.post(url, {"outcome": "lost", "version": world.opp.version})
    assert response.status_code == 200 and "Say why" in response.content.decode()
    response = client.post(url, {"outcome": "lost", "loss_reason": "competitor",
                                 "loss_note": "对手", "version": world.opp.version})
    assert response.status_code == 302
    world.opp.refresh_from_db()
    assert world.opp.stage.kind == "lost" and world.opp.loss_reason == "competitor"


def test_my_work_groups_by_role(org, world):
    page = _client(org, "marketing").get(reverse("sales:my_work")).content.decode()
    assert "变压器项目" in page and "技术支持" in page and 'id="work-member"' in page
    page = _client(org, "hz_rep").get(reverse("sales:my_work")).content.decode()
    assert 'id="work-finder"' in page and 'id="work-owner"' not in page


def test_board_queries_do_not_grow_with_opportunities(org, world, make_account):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = _client(org, "rep").get(reverse("sales:board"))
            assert response.status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            svc.create_opportunity(org.rep, world.account, OpportunityInput.parse({
                "name": f"项目{i}", "amount": "1000",
                "stage": ["discovery", "quotation", "tender"][i % 3]}))

    add(3)
    count()  # the first page of a session counts the sidebar's badges (kept for a minute)
    first = count()
    add(63)  # more than a column shows: the "more" link appears, the queries stay the same
    assert count() == first
    columns = {c.stage.key: c for c in board(org.rep, world.pipeline)}
    assert columns["quotation"].count == 22 and len(columns["quotation"].cards) == 20
    assert columns["quotation"].amount == Decimal("22000.00") and columns["quotation"].next
    assert columns["discovery"].count == 23
    assert columns["won"].count == 0 and columns["won"].cards == []


def test_pipeline_admin_pages(org, world):
    client = _client(org, "admin")
    response = client.post(reverse("sales:pipeline_create"), {"name_en": "Projects",
                                                              "name_zh": "项目"})
    created = Pipeline.objects.get(name_en="Projects")
    assert response.status_code == 302
    response = client.post(reverse("sales:stage_create", args=[created.pk]),
                           {"name_en": "Survey", "name_zh": "勘察", "probability": 30,
                            "kind": "open"})
    assert created.stages.filter(key="survey").exists()
    used = world.opp.stage
    response = client.post(reverse("sales:stage_action", args=[used.pk]), {"action": "delete"},
                           follow=True)
    assert "deactivate it instead" in response.content.decode()
    assert type(used).objects.filter(pk=used.pk).exists()


def test_list_filters_and_sorting(org, world, make_account):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    other = make_account(by=org.rep, name="杭州西湖电力设备有限公司")
    soon = svc.create_opportunity(org.rep, other, OpportunityInput.parse(
        {"name": "配电柜", "amount": "50000", "expected_close": today}))
    later = svc.create_opportunity(org.rep, world.account, OpportunityInput.parse({
        "name": "远期项目", "amount": "900000", "owner": org.teammate,
        "expected_close": today + dt.timedelta(days=200)}))
    won = svc.create_opportunity(org.rep, world.account,
                                 OpportunityInput.parse({"name": "已赢项目", "amount": "1"}))
    svc.move_stage(org.rep, won, won.version, "won")
    client = _client(org, "manager")
    url = reverse("sales:opportunities")

    def names(who=client, **params) -> list[str]:
        page = who.get(url, params).content.decode()
        return [o.name for o in (world.opp, soon, later, won) if f">{o.name}<" in page]

    assert names() == ["变压器项目", "配电柜", "远期项目"]  # open ones by default
    assert names(status="won") == ["已赢项目"]
    assert names(sort="amount") == ["变压器项目", "配电柜", "远期项目"]
    assert names(closing="month") == ["配电柜"]
    assert names(q="西湖") == ["配电柜"]
    assert names(stage=world.opp.stage_id) == ["变压器项目", "配电柜", "远期项目"]
    assert names(owner="me") == []
    assert names(_client(org, "teammate"), owner="me") == ["远期项目"]
    page = client.get(url, {"sort": "-amount"}).content.decode()
    assert page.index("远期项目") < page.index("变压器项目") < page.index("配电柜")


def test_owner_names_the_delivery_owner_and_adds_a_supporting_member(org, world):
    client = _client(org, "rep")
    opp = world.opp
    response = client.post(reverse("sales:opportunity_team", args=[opp.pk]),
                           {"role": "delivery_owner", "user": org.teammate.pk,
                            "version": opp.version})
    assert response.status_code == 302, response.content[:300]
    opp.refresh_from_db()
    assert opp.delivery_owner == org.teammate
    response = client.post(reverse("sales:opportunity_member_add", args=[opp.pk]),
                           {"user": org.hz_rep.pk, "role": "技术支持"})
    assert response.status_code == 302, response.content[:300]
    assert opp.members.filter(user=org.hz_rep, role="技术支持").exists()
    stale = client.post(reverse("sales:opportunity_team", args=[opp.pk]),
                        {"role": "collection_owner", "user": org.teammate.pk,
                         "version": opp.version - 1})
    assert stale.status_code == 200  # the form again, with the conflict explained
    opp.refresh_from_db()
    assert opp.collection_owner is None
