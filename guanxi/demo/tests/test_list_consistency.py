"""Every list answers the same records on its page, its API endpoint and its export, for the
same query string and the same person: one filter selector per list serves all three.

The table below is the whole test: per list, the page (URL, the context key of its rows and
how it pages), the API path, the export key and the filter combinations. Each combination is
run for each persona (a rep, a manager over two teams, finance, an administrator) on the demo
company, and compares record ids: the page's rows (every page), the API's items (every
cursor), and the export — the CSV's row count and the ids it was written from.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client

from guanxi.core.tests.api_client import as_

PERSONAS = ("rep", "manager", "finance", "admin")


@dataclass(frozen=True)
class ListCase:
    key: str                       # the export key
    api: str                       # the API list path
    combos: tuple[dict[str, str], ...]
    page: str | None = None        # the list page, None where the list has none
    rows: str = "rows"             # the page's context key of its rows
    paging: str = "none"           # "page" (?page=n), "after" (cursor) or "none"


# "{account}" stands for a customer that has records in the list (the first one's).
CASES = (
    ListCase("customers", "/api/customers", (
        {}, {"standing": "customer"}, {"standing": "prospect"}, {"owner": "me"},
        {"in_pool": "true"}, {"industry": "manufacturing", "completeness_lt": "80"},
        {"q": "上海"}, {"cf_grade": "A"},
    ), page="/customers/", paging="page"),
    ListCase("contacts", "/api/contacts", ({}, {"account": "{account}"})),
    ListCase("leads", "/api/leads", (
        {}, {"status": "open"}, {"status": "converted"}, {"owner": "me"}, {"owner": "none"},
        {"timeframe": "3m"},
    ), page="/sales/leads/", paging="page"),
    ListCase("opportunities", "/api/opportunities", (
        {}, {"status": "won"}, {"status": "all"}, {"owner": "me"}, {"status": "all",
                                                                      "account": "{account}"},
    ), page="/sales/opportunities/", paging="after"),
    ListCase("activities", "/api/activities", (
        {}, {"status": "planned"}, {"mine": "true"}, {"account": "{account}"},
    )),
    ListCase("tasks", "/api/tasks", (
        {}, {"status": "all", "assignee": "all"}, {"status": "done", "assignee": "all"},
        {"assignee": "created", "status": "all"}, {"due": "overdue", "assignee": "all"},
    ), page="/sales/tasks/", rows="tasks"),
    ListCase("quotes", "/api/quotes", (
        {}, {"status": "live"}, {"status": "all"}, {"status": "approved"}, {"owner": "me"},
        {"account": "{account}"},
    ), page="/orders/quotes/", paging="after"),
    ListCase("tenders", "/api/tenders", (
        {}, {"result": "open"}, {"result": "won"}, {"account": "{account}"},
    ), page="/orders/tenders/"),
    ListCase("contracts", "/api/contracts", (
        {}, {"status": "signed"}, {"waiting": "review"}, {"account": "{account}"},
    ), page="/orders/contracts/"),
    ListCase("orders", "/api/orders", (
        {}, {"status": "open"}, {"status": "delivered"}, {"kind": "custom"},
        {"mine": "owner"}, {"alert": "late"}, {"account": "{account}"},
    ), page="/orders/sales-orders/", paging="after"),
    ListCase("shipments", "/api/shipments", (
        {}, {"delivered": "true"}, {"delivered": "false"}, {"account": "{account}"},
    )),
    ListCase("invoices", "/api/invoices", (
        {}, {"status": "open"}, {"status": "paid"}, {"overdue": "true"},
        {"account": "{account}"},
    ), page="/orders/invoices/", paging="after"),
    ListCase("payments", "/api/payments", (
        {}, {"unallocated": "true"}, {"account": "{account}"},
    ), page="/orders/payments/", paging="after"),
    ListCase("expenses", "/api/expenses", (
        {}, {"show": "all"}, {"show": "team"}, {"show": "all", "status": "approved"},
        {"show": "all", "account": "{account}"},
    ), page="/orders/expenses/"),
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo company (every list has records in several states), built once for the
    module inside a transaction that is rolled back at the end."""
    from guanxi.demo.build import build

    with django_db_blocker.unblock(), transaction.atomic():
        result = build(12)
        yield result.org
        transaction.set_rollback(True)


def _account_with(key: str) -> int:
    from guanxi.core import exports

    entry = exports.get(key)
    model = entry.model
    field = "order__account_id" if key == "shipments" else "account_id"
    return model.objects.exclude(**{field: None}).order_by("id").values_list(
        field, flat=True).first()


def _params(case: ListCase, combo: dict[str, str]) -> dict[str, str]:
    return {k: (str(_account_with(case.key)) if v == "{account}" else v)
            for k, v in combo.items()}


def _page_ids(user, case: ListCase, params: dict[str, str]) -> set[int]:
    client = Client()
    client.force_login(user)
    ids: list[int] = []
    extra: dict[str, Any] = {}
    for _n in range(100):
        response = client.get(case.page, params | extra)
        assert response.status_code == 200, response.content[:300]
        ctx = response.context
        ids += [r.pk for r in ctx[case.rows]]
        if case.paging == "page" and ctx.get("has_next"):
            extra = {"page": ctx["page"] + 1}
        elif case.paging == "after" and ctx.get("next_cursor"):
            extra = {"after": ctx["next_cursor"]}
        else:
            assert not ctx.get("more"), "the page shows only the first rows"
            break
    assert len(ids) == len(set(ids))
    return set(ids)


def _api_ids(user, case: ListCase, params: dict[str, str]) -> set[int]:
    api = as_(user)
    ids: list[int] = []
    cursor: dict[str, str] = {}
    for _n in range(100):
        response = api.get(case.api, **params, **cursor, limit=200)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        ids += [item["id"] for item in body["items"]]
        if not body["next"]:
            break
        cursor = {"cursor": body["next"]}
    assert len(ids) == len(set(ids))
    return set(ids)


def _export_ids(user, case: ListCase, params: dict[str, str]) -> set[int]:
    from guanxi.integrations.services import exports

    client = Client()
    client.force_login(user)
    response = client.get(f"/data/exports/{case.key}/?" + urlencode(params | {"format": "csv"}))
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))[1:]
    ids = set(exports.start(user, case.key, params, "csv").queryset.values_list("pk", flat=True))
    assert len(rows) == len(ids)
    return ids


RUNS = [pytest.param(case, combo, persona, id=f"{case.key}-{persona}-{urlencode(combo) or 'all'}")
        for case in CASES for combo in case.combos for persona in PERSONAS]


@pytest.mark.parametrize(("case", "combo", "persona"), RUNS)
def test_page_api_and_export_agree(demo, db, case: ListCase, combo: dict[str, str],
                                   persona: str) -> None:
    user = demo.users[persona]
    params = _params(case, combo)
    api = _api_ids(user, case, params)
    assert _export_ids(user, case, params) == api
    if case.page:
        assert _page_ids(user, case, params) == api


def test_the_demo_gives_every_list_records(demo, db) -> None:
    """Guards the table above: an empty list would agree trivially."""
    from guanxi.core import exports

    for case in CASES:
        assert exports.get(case.key).model.objects.exists(), case.key
