"""Every analytics page and API endpoint against every persona: analysts (executive,
administrator, managers, marketing) see the dashboard and runs, only administrators and
executives start a run, everyone sees metrics inside their customer scope."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver

from guanxi.core.tests.api_client import as_

pytestmark = pytest.mark.django_db

PERSONAS = ["rep", "other_rep", "manager", "other_manager", "marketing", "executive", "admin",
            "finance", "anon", "readonly"]

# (name, method, path, body, expected status per persona in PERSONAS order)
#                                          rep orp mgr omg mkt exe adm fin anon ro
API_CASES = [
    ("metrics list", "get", lambda w: "analytics/customers", None,
     "200 200 200 200 200 200 200 200 401 200"),
    ("metrics of a customer", "get", lambda w: f"analytics/customers/{w.c1.pk}", None,
     "200 404 200 404 200 200 200 200 401 200"),
    ("dashboard", "get", lambda w: "analytics/dashboard", None,
     "403 403 200 200 200 200 200 403 401 403"),
    ("runs", "get", lambda w: "analytics/runs", None,
     "403 403 200 200 200 200 200 403 401 403"),
    ("run", "get", lambda w: f"analytics/runs/{w.run.pk}", None,
     "403 403 200 200 200 200 200 403 401 403"),
    ("start run", "post", lambda w: "analytics/runs", lambda w: {"until": "2026-06-30"},
     "403 403 403 403 403 202 202 403 401 403"),
    ("recommendations of a customer", "get",
     lambda w: f"analytics/customers/{w.c1.pk}/recommendations", None,
     "200 404 200 404 200 200 200 200 401 200"),
    ("cross-sell rules", "get", lambda w: "analytics/cross-sell/rules", None,
     "403 403 200 200 200 200 200 403 401 403"),
]

# (url name, method, path, expected status per persona; anonymous visitors go to sign-in)
#                                           rep orp mgr omg mkt exe adm fin anon
PAGE_CASES = [
    ("dashboard", "get", lambda w: "/analytics/", "403 403 200 200 200 200 200 403 302"),
    ("runs", "get", lambda w: "/analytics/runs/", "403 403 200 200 200 200 200 403 302"),
    ("run", "get", lambda w: f"/analytics/runs/{w.run.pk}/",
     "403 403 200 200 200 200 200 403 302"),
    ("run_start", "post", lambda w: "/analytics/runs/start/",
     "403 403 403 403 403 302 302 403 302"),
    ("customers", "get", lambda w: "/analytics/customers/",
     "200 200 200 200 200 200 200 200 302"),
    ("import", "get", lambda w: "/analytics/import/", "403 403 403 403 403 403 200 200 302"),
    ("settings", "get", lambda w: "/analytics/settings/", "403 403 403 403 403 403 200 403 302"),
]


@pytest.mark.parametrize("case", API_CASES, ids=[c[0] for c in API_CASES])
def test_api_permission_matrix(case, analysed):
    name, method, path, body, expected = case
    org = analysed.org
    clients = {p: as_(getattr(org, p)) for p in PERSONAS[:8]}
    clients["anon"] = as_(None)
    clients["readonly"] = as_(org.rep, scope="read")
    wrong = []
    for persona, status in zip(PERSONAS, expected.split(), strict=True):
        args = [path(analysed)] + ([body(analysed)] if method == "post" else [])
        with transaction.atomic():
            response = getattr(clients[persona], method)(*args)
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status}) "
                         f"{response.content[:200]!r}")
        elif response.status_code >= 400:
            assert response.json()["detail"], persona
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("case", PAGE_CASES, ids=[c[0] for c in PAGE_CASES])
def test_page_permission_matrix(case, analysed):
    name, method, path, expected = case
    wrong = []
    for persona, status in zip(PERSONAS[:9], expected.split(), strict=True):
        client = Client()
        if persona != "anon":
            client.force_login(getattr(analysed.org, persona))
        with transaction.atomic():
            response = getattr(client, method)(path(analysed))
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status})")
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


TAGS = {"analytics"}


def test_every_endpoint_is_in_the_matrix(org):
    paths = as_(org.admin).get("openapi.json").json()["paths"]
    documented = {(m, p) for p, ops in paths.items() for m, op in ops.items()
                  if TAGS & set(op.get("tags", []))}
    assert len(documented) == len(API_CASES), sorted(documented)
    assert {m for _n, m, *_r in API_CASES} == {m for m, _p in documented}


def test_every_page_is_in_the_matrix():
    names = {p.name for p in get_resolver("guanxi.analytics.urls").url_patterns}
    assert names == {c[0] for c in PAGE_CASES}


def test_pages_render_with_figures(analysed):
    client = Client()
    client.force_login(analysed.org.executive)
    page = client.get("/analytics/").content.decode()
    assert "analytics-data" in page and "Valuable customers at risk" in page
    runs_page = client.get("/analytics/runs/").content.decode()
    assert f"#{analysed.run.pk}" in runs_page and "log-likelihood" in runs_page
    table = client.get("/analytics/customers/", {"segment": "champions"}).content.decode()
    assert "上海明珠机电有限公司" in table and "杭州西湖茶业有限公司" not in table


def test_run_now_from_the_runs_page_queues_a_run(analysed):
    from guanxi.analytics.models import AnalysisRun

    client = Client()
    client.force_login(analysed.org.admin)
    response = client.post("/analytics/runs/start/")
    assert response.status_code == 302
    queued = AnalysisRun.objects.get(status=AnalysisRun.Status.QUEUED)
    assert queued.requested_by == analysed.org.admin
    # While it is under way a second one is refused, with a message.
    response = client.post("/analytics/runs/start/", follow=True)
    assert "already running" in response.content.decode()
    assert AnalysisRun.objects.filter(status=AnalysisRun.Status.QUEUED).count() == 1
