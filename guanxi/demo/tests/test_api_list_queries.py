"""Every list of the API reads a page in a fixed number of queries, whatever its length: no
query per row (an N+1 grows with the page) and no exact count over a whole table.

On the demo data, each GET operation without path parameters that takes ``limit`` is read
with a page of 2 and a page of 50 rows as an administrator; the longer page may take at most
a few more queries (one per kind of document a mixed page holds), never one per row, and
none may COUNT (but the reader's own unread notifications, the bell's badge). SQLite only:
the queries an endpoint makes do not depend on the database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("sqlite" not in settings.DATABASES["default"]["ENGINE"],
                       reason="the queries of an endpoint do not depend on the database"),
]


# Counts that stay: bounded by one reader, read through an index.
COUNTS_ALLOWED = {"/api/notifications": "core_notification"}
# Extra queries a longer page may take: look-ups per kind of thing on the page, not per row.
SLACK = 3


def _queries(client: Client, path: str, token: str) -> tuple[int, list[str], int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    body = response.json() if response.status_code == 200 else {}
    rows = len(body.get("items", body) if isinstance(body, dict) else body)
    return response.status_code, [q["sql"] for q in captured.captured_queries], rows


def test_api_lists_read_a_page_in_queries_independent_of_its_length():
    from guanxi.accounts.services import create_token
    from guanxi.demo.build import build

    org = build(12).org
    _token, secret = create_token(org.users["admin"], "list queries", "read")
    client = Client()
    document = client.get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    lists = [path for path, ops in document["paths"].items()
             if "{" not in path and "get" in ops
             and any(p["name"] == "limit" for p in ops["get"].get("parameters", []))]
    assert "/api/customers" in lists and len(lists) >= 15
    checked, problems, thin = [], [], []
    for path in lists:
        _queries(client, f"{path}?limit=1", secret)  # first use: caches, token last used
        status_small, small, rows_small = _queries(client, f"{path}?limit=2", secret)
        status_big, big, rows_big = _queries(client, f"{path}?limit=50", secret)
        if status_small != 200 or status_big != 200:
            continue  # needs a filter to answer (named in its 4xx); not a plain list
        checked.append(path)
        counts = [sql for sql in small + big if "COUNT(" in sql.upper()
                  and COUNTS_ALLOWED.get(path, "-") not in sql]
        if counts:
            problems.append(f"{path} counts: {counts[0][:200]}")
        if rows_big < rows_small + 5:
            thin.append(path)
        if len(big) > len(small) + SLACK:
            problems.append(f"{path}: {len(small)} queries for {rows_small} rows, "
                            f"{len(big)} for {rows_big}")
    assert "/api/customers" in checked and len(checked) >= 15, checked
    print(f"\n{len(checked)} lists checked; too few demo rows to tell: {thin}")
    assert problems == [], "\n".join(problems)
