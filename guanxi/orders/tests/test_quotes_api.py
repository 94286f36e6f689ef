"""Quote API: every endpoint against every persona, field errors, stale versions, the PDF."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from guanxi.core.tests.api_client import as_
from guanxi.core.tests.matrix import api_clients, assert_api_case, assert_every_endpoint_in
from guanxi.orders.models import Quote, QuoteLine
from guanxi.orders.services import quotes as svc
from guanxi.orders.services.quotes import QuoteInput, QuoteLineInput
from guanxi.orders.tests.test_quotes_fixtures import lines, make_quote, world

QL = QuoteLineInput.rows

__all__ = ["world"]
PERSONAS = ["rep", "teammate", "manager", "assistant", "finance", "executive", "other_rep",
            "admin", "anon", "readonly"]


@pytest.fixture
def w(world):
    draft = make_quote(world, title="草稿")
    approved = make_quote(world, title="已批准")
    svc.submit_quote(world.org.rep, approved, approved.version)
    approved.refresh_from_db()
    return SimpleNamespace(**vars(world), draft=draft, approved=approved)


def _body(w, **extra):
    return {"version": w.approved.version, **extra}


# (name, method, path, body, expected status per persona in PERSONAS order)
#                                                          rep tm  mgr ast fin exe oth adm anon ro
CASES = [
    ("list", "get", lambda w: "quotes", None, "200 200 200 200 200 200 200 200 401 200"),
    ("create", "post", lambda w: "quotes",
     lambda w: {"account_id": w.account.pk, "lines": lines(w)},
     "201 404 201 201 403 403 404 201 401 403"),
    ("get", "get", lambda w: f"quotes/{w.draft.pk}", None,
     "200 404 200 200 200 200 404 200 401 200"),
    ("update", "patch", lambda w: f"quotes/{w.draft.pk}",
     lambda w: {"version": w.draft.version, "title": "改"},
     "200 404 200 200 403 403 404 200 401 403"),
    ("submit", "post", lambda w: f"quotes/{w.draft.pk}/submit",
     lambda w: {"version": w.draft.version},
     "200 404 200 200 403 403 404 200 401 403"),
    ("send", "post", lambda w: f"quotes/{w.approved.pk}/send",
     lambda w: _body(w, to="zhangsan@mingzhu.example"),
     "200 404 200 200 403 403 404 200 401 403"),
    ("accept", "post", lambda w: f"quotes/{w.approved.pk}/accept", lambda w: _body(w),
     "200 404 200 200 403 403 404 200 401 403"),
    ("decline", "post", lambda w: f"quotes/{w.approved.pk}/decline",
     lambda w: _body(w, reason="太贵"), "200 404 200 200 403 403 404 200 401 403"),
    ("revise", "post", lambda w: f"quotes/{w.approved.pk}/revise", lambda w: _body(w),
     "201 404 201 201 403 403 404 201 401 403"),
    ("cancel", "post", lambda w: f"quotes/{w.approved.pk}/cancel", lambda w: _body(w),
     "200 404 200 200 403 403 404 200 401 403"),
    ("pdf", "get", lambda w: f"quotes/{w.approved.pk}/pdf", None,
     "200 404 200 200 200 200 404 200 401 200"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_permission_matrix(case, org, w):
    name, method, path, body, expected = case
    assert_api_case(name, api_clients(org, PERSONAS), w, method, path, body, expected)


def test_every_endpoint_is_in_the_matrix(org):
    assert_every_endpoint_in(as_(org.rep), {"Quotes"}, CASES)


def test_create_returns_lines_and_decimal_totals(org, world):
    response = as_(org.rep).post("quotes", {
        "account_id": world.account.pk, "contact_id": world.contact.pk,
        "opportunity_id": world.opp.pk, "discount_percent": "2",
        "lines": [{"product": world.transformer.pk, "quantity": "2", "discount_percent": "5"},
                  {"product": world.switch.pk, "quantity": 3}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["currency"] == "CNY"
    assert body["net_amount"] == "25516.27" and Decimal(body["total"]) == (
        Decimal(body["net_amount"]) + Decimal(body["tax_amount"]))
    assert [li["name_zh"] for li in body["lines"]] == ["油浸式变压器", "真空断路器"]
    assert body["lines"][0]["name_en"] == "Oil-immersed transformer"
    assert sum(Decimal(li["net_amount"]) for li in body["lines"]) == Decimal("25516.27")


@pytest.mark.parametrize("line, field", [
    ({"quantity": "-2"}, "lines[0].quantity"),
    ({"product": 999999}, "lines[0].product"),
    ({"discount_percent": "101"}, "lines[0].discount_percent"),
])
def test_bad_input_is_a_400_naming_the_field(org, world, line, field):
    before = (Quote.objects.count(), QuoteLine.objects.count())
    response = as_(org.rep).post("quotes", {
        "account_id": world.account.pk,
        "lines": [{"product": world.transformer.pk, "quantity": "1", **line}]})
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert (Quote.objects.count(), QuoteLine.objects.count()) == before


def test_workflow_through_the_api_and_409(org, world):
    api = as_(org.rep)
    quote = api.post("quotes", {"account_id": world.account.pk,
                                "lines": lines(world, "20")}).json()
    stale = quote["version"]
    quote = api.patch(f"quotes/{quote['id']}", {"version": stale,
                                                "lines": lines(world, "25")}).json()
    assert quote["max_discount"] == "25.00"
    response = api.post(f"quotes/{quote['id']}/submit", {"version": stale})
    assert response.status_code == 409 and response.json()["field"] == "version"
    quote = api.post(f"quotes/{quote['id']}/submit", {"version": quote["version"]}).json()
    assert quote["status"] == "in_approval" and quote["review_id"]
    response = api.post(f"quotes/{quote['id']}/send", {"version": quote["version"],
                                                      "to": "a@b.example"})
    assert response.status_code == 400 and response.json()["code"] == "wrong_status"


def test_revise_links_versions(org, w):
    api = as_(org.rep)
    new = api.post(f"quotes/{w.approved.pk}/revise", {"version": w.approved.version}).json()
    assert new["revision"] == 2 and new["previous_id"] == w.approved.pk
    old = api.get(f"quotes/{w.approved.pk}").json()
    assert old["status"] == "superseded" and old["next_id"] == new["id"]
    listed = [q["id"] for q in api.get("quotes").json()["items"]]
    assert new["id"] in listed and w.approved.pk not in listed


def test_pdf_download(org, w):
    response = as_(org.rep).get(f"quotes/{w.approved.pk}/pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert w.approved.number in response["Content-Disposition"]


def test_list_and_get_query_counts_do_not_grow(org, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = as_(org.manager)
    quote = make_quote(world)
    with CaptureQueriesContext(connection) as one:
        api.get("quotes")
    with CaptureQueriesContext(connection) as get_few:
        api.get(f"quotes/{quote.pk}")
    for _ in range(6):
        make_quote(world)
    many = make_quote(world)
    svc.update_quote(org.rep, many, QuoteInput(), QL(lines(world) * 10), many.version)
    with CaptureQueriesContext(connection) as more:
        api.get("quotes")
    with CaptureQueriesContext(connection) as get_many:
        api.get(f"quotes/{many.pk}")
    assert len(more) == len(one)
    assert len(get_many) == len(get_few)
