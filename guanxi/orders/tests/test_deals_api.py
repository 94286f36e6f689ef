"""Tender and contract API: every endpoint against every persona, and what a client relies
on (field errors, 409 on stale versions, the review steps with where it waits)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.core.tests.api_client import as_
from guanxi.core.tests.matrix import api_clients, assert_api_case, assert_every_endpoint_in
from guanxi.orders.documents import store_upload
from guanxi.orders.models import Contract, Document, Review, Tender
from guanxi.orders.services import contracts, reviews
from guanxi.orders.services import tenders as tender_svc
from guanxi.orders.services.contracts import ContractInput
from guanxi.orders.services.tenders import TenderInput
from guanxi.orders.tests import deals_world
from guanxi.orders.tests.deals_world import EXE, PDF, upload

world, media = deals_world.world, deals_world.media

PERSONAS = ["rep", "teammate", "hz_rep", "manager", "assistant", "finance", "other_rep",
            "delivery", "executive", "admin", "anon", "readonly"]


def approve_all(w, contract) -> Contract:
    contracts.submit_contract(w.org.rep, contract, contract.version)
    for persona in ("manager", "delivery", "finance"):
        review = Review.objects.get(pk=Contract.objects.get(pk=contract.pk).review_id)
        reviews.decide(getattr(w.org, persona), review, "approve", "", review.version)
    return Contract.objects.get(pk=contract.pk)


@pytest.fixture
def w(world):
    o = world.org
    world.document = store_upload(o.rep, upload("投标文件.pdf", PDF), tender=world.tender)
    second = contracts.create_contract(o.rep, world.account, ContractInput.parse(
        {"title": "二期合同", "amount": "50000"}))
    world.approved = approve_all(world, second)
    world.tender.refresh_from_db()
    world.contract.refresh_from_db()
    return world


def _upload_body():
    return {"file": upload("补充.pdf", PDF), "kind": "澄清"}


# (name, method, path, body, expected status per persona in PERSONAS order)
#                                       rep tm  hz  mgr ast fin oth del exe adm anon ro
READ = "200 404 404 200 200 200 404 404 200 200 401 200"
WRITE = "200 404 404 200 200 403 404 404 403 200 401 403"
CREATE = "201 404 404 201 201 403 404 404 403 201 401 403"
CASES = [
    ("list tenders", "get", lambda w: "tenders", None,
     "200 200 200 200 200 200 200 200 200 200 401 200"),
    ("create tender", "post", lambda w: "tenders", lambda w: {
        "account_id": w.account.pk, "number": "ZB-9", "title": "电缆", "issuer": "国网",
        "deadline": (timezone.now() + dt.timedelta(days=9)).isoformat()}, CREATE),
    ("get tender", "get", lambda w: f"tenders/{w.tender.pk}", None, READ),
    ("update tender", "patch", lambda w: f"tenders/{w.tender.pk}",
     lambda w: {"version": w.tender.version, "title": "变电站设备采购（二）"}, WRITE),
    ("result", "post", lambda w: f"tenders/{w.tender.pk}/result",
     lambda w: {"version": w.tender.version, "result": "submitted"}, WRITE),
    ("bond", "post", lambda w: f"tenders/{w.tender.pk}/bond",
     lambda w: {"version": w.tender.version, "bond_status": "paid"},
     "200 404 404 200 200 200 404 404 403 200 401 403"),
    ("tender documents", "get", lambda w: f"tenders/{w.tender.pk}/documents", None, READ),
    ("upload tender document", "upload", lambda w: f"tenders/{w.tender.pk}/documents",
     lambda w: _upload_body(), CREATE),
    ("download", "get", lambda w: f"documents/{w.document.pk}", None, READ),
    ("delete document", "delete", lambda w: f"documents/{w.document.pk}", None,
     "204 404 404 403 403 403 404 404 403 204 401 403"),
    ("list contracts", "get", lambda w: "contracts", None,
     "200 200 200 200 200 200 200 200 200 200 401 200"),
    ("create contract", "post", lambda w: "contracts",
     lambda w: {"account_id": w.account.pk, "title": "三期", "amount": "1000"}, CREATE),
    ("get contract", "get", lambda w: f"contracts/{w.contract.pk}", None, READ),
    ("update contract", "patch", lambda w: f"contracts/{w.contract.pk}",
     lambda w: {"version": w.contract.version, "payment_terms": "预付 30%"}, WRITE),
    ("submit", "post", lambda w: f"contracts/{w.contract.pk}/submit",
     lambda w: {"version": w.contract.version}, WRITE),
    # The technical reviewer sees the contract they reviewed but cannot sign it.
    ("sign", "post", lambda w: f"contracts/{w.approved.pk}/sign",
     lambda w: {"version": w.approved.version,
                "signed_on": timezone.localdate().isoformat()},
     "200 404 404 200 200 403 404 403 403 200 401 403"),
    ("cancel", "post", lambda w: f"contracts/{w.contract.pk}/cancel",
     lambda w: {"version": w.contract.version, "reason": "客户取消"}, WRITE),
    ("contract documents", "get", lambda w: f"contracts/{w.contract.pk}/documents", None,
     READ),
    ("upload contract document", "upload",
     lambda w: f"contracts/{w.contract.pk}/documents", lambda w: _upload_body(), CREATE),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_permission_matrix(case, w):
    name, method, path, body, expected = case
    assert_api_case(name, api_clients(w.org, PERSONAS), w, method, path, body, expected)


def test_every_endpoint_is_in_the_matrix(org):
    assert_every_endpoint_in(as_(org.rep), {"Tenders", "Contracts"}, CASES)


def test_field_errors_and_stale_versions(w):
    api = as_(w.org.rep)
    response = api.post("tenders", {
        "account_id": w.account.pk, "number": "ZB-9", "title": "电缆", "issuer": "国网",
        "deadline": (timezone.now() - dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and response.json()["field"] == "deadline"
    response = api.post("tenders", {
        "account_id": w.account.pk, "number": "ZB-9", "title": "电缆", "issuer": "国网",
        "deadline": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "bond_amount": "-5", "bond_status": "to_pay"})
    assert response.status_code == 400 and "bond_amount" in response.json()["errors"]
    assert Tender.objects.count() == 1
    response = api.patch(f"tenders/{w.tender.pk}", {"version": w.tender.version - 1,
                                                   "title": "旧"})
    assert response.status_code == 409
    response = api.patch(f"contracts/{w.approved.pk}", {"version": w.approved.version,
                                                        "amount": "1"})
    assert response.status_code == 400 and response.json()["code"] == "not_editable"


def test_contract_shows_every_step_and_where_it_waits(w):
    api = as_(w.org.rep)
    response = api.post(f"contracts/{w.contract.pk}/submit", {"version": w.contract.version})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_review" and body["waiting_step"] == "Sales manager"
    assert body["waiting_since"] and body["overdue"] is False
    assert [s["status"] for s in body["steps"]] == ["waiting", "queued", "queued"]
    assert body["steps"][0]["waiting_since"] and body["steps"][0]["decider"]
    approved = api.get(f"contracts/{w.approved.pk}").json()
    assert approved["status"] == "approved"
    assert [s["decided_by"] for s in approved["steps"]] == ["陈经理", "郑交付", "周会计"]
    listed = api.get("contracts", waiting="review").json()["items"]
    assert [c["id"] for c in listed] == [w.contract.pk]


def test_contract_from_an_accepted_quote(w):
    from decimal import Decimal

    from guanxi.orders.models import Quote

    quote = Quote.objects.create(number="Q2026-00009", account=w.account, currency="CNY",
                                 status=Quote.Status.ACCEPTED, issue_date=dt.date(2026, 11, 1),
                                 total=Decimal("88000.00"), owner=w.org.rep,
                                 team=w.org.team_a)
    response = as_(w.org.rep).post("contracts", {"quote_id": quote.pk})
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "88000.00"
    assert response.json()["account_id"] == w.account.pk
    assert as_(w.org.other_rep).post("contracts", {"quote_id": quote.pk}).status_code == 404


def test_uploads_are_checked_and_downloads_are_attachments(w):
    api = as_(w.org.rep)
    response = api.client.post(f"/api/tenders/{w.tender.pk}/documents",
                               {"file": upload("报价.pdf", EXE)})
    assert response.status_code == 400 and response.json()["field"] == "file"
    assert Document.objects.count() == 1
    response = api.get(f"documents/{w.document.pk}")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_lists_cost_the_same_queries_for_more_rows(w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(path, **params):
        api = as_(w.org.manager)
        api.get(path, **params)  # warm the session and the user's roles
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path, **params).status_code == 200
        return len(queries)

    def more(first, last):
        for n in range(first, last):
            c = contracts.create_contract(w.org.rep, w.account,
                                          ContractInput.parse({"title": f"合同{n}",
                                                                 "amount": "1000"}))
            contracts.submit_contract(w.org.rep, c, c.version)
            tender_svc.create_tender(w.org.rep, w.account, TenderInput.parse({
                "number": f"ZB-{n}", "title": "项目", "issuer": "国网",
                "deadline": timezone.now() + dt.timedelta(days=n + 1)}))

    from guanxi.orders.models import ReviewStep

    more(0, 1)
    before = (count("contracts"), count("tenders"), count("contracts", waiting="review"))
    more(1, 4)
    after = (count("contracts"), count("tenders"), count("contracts", waiting="review"))
    assert before == after
    late = timezone.now() - dt.timedelta(days=5)
    ReviewStep.objects.filter(pk=ReviewStep.objects.filter(status="waiting").first().pk) \
        .update(started_at=late)
    overdue = count("contracts", waiting="overdue")
    ReviewStep.objects.filter(status="waiting").update(
        started_at=timezone.now() - dt.timedelta(days=5))
    assert count("contracts", waiting="overdue") == overdue
    assert len(as_(w.org.manager).get("contracts", waiting="overdue").json()["items"]) == 4
