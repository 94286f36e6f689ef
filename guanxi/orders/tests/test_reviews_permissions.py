"""Reviews: every page and API endpoint against every persona.

The world: rep's expense claim of 800 waiting for the sales manager (the manager of the east
region, above rep's team A)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from guanxi.customers.tests.api_client import as_
from guanxi.orders.models import ReviewRule
from guanxi.orders.services import expenses as svc
from guanxi.orders.tests import expenses_fixtures
from guanxi.orders.views.reviews import urls as review_urls

world = expenses_fixtures.world

PERSONAS = ["rep", "teammate", "hz_rep", "manager", "finance", "other_rep", "other_manager",
            "admin", "marketing", "anon"]


@pytest.fixture
def waiting(world):
    o = world.org
    claim = svc.create_claim(o.rep, {"account": world.acc.pk, "category": "travel",
                                     "amount": "800", "spent_on": dt.date(2026, 1, 5),
                                     "description": "拜访客户"})
    svc.submit_claim(o.rep, claim, claim.version)
    claim.refresh_from_db()
    world.claim, world.review = claim, claim.review
    world.rule = ReviewRule.objects.filter(flow="expense").first()
    return world


def _client(org, persona):
    client = Client()
    if persona != "anon":
        client.force_login(getattr(org, persona))
    return client


#                                                  rep tm  hz  mgr fin oth omg adm mkt anon
PAGE_CASES = [
    ("reviews", "get", lambda w: [], None, "200 200 200 200 200 200 200 200 200 302"),
    ("review_decide", "post", lambda w: [w.review.pk],
     lambda w: {"decision": "approve", "version": w.review.version},
     "403 404 404 302 403 404 404 302 404 302"),
    ("review_withdraw", "post", lambda w: [w.review.pk],
     lambda w: {"version": w.review.version},
     "302 404 404 403 403 404 404 302 404 302"),
    ("review_rules", "get", lambda w: [], None, "403 403 403 403 403 403 403 200 403 302"),
    ("review_rule_create", "get", lambda w: [], None,
     "403 403 403 403 403 403 403 200 403 302"),
    ("review_rule_edit", "get", lambda w: [w.rule.pk], None,
     "403 403 403 403 403 403 403 200 403 302"),
]


@pytest.mark.parametrize("case", PAGE_CASES, ids=[c[0] for c in PAGE_CASES])
def test_page_permission_matrix(case, waiting):
    name, method, args, data, expected = case
    url = reverse(f"orders:{name}", args=args(waiting))
    wrong = []
    for persona, status in zip(PERSONAS, expected.split(), strict=True):
        client = _client(waiting.org, persona)
        with transaction.atomic():
            response = client.post(url, data(waiting)) if method == "post" \
                else client.get(url)
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status})")
        elif status == "302" and persona == "anon":
            assert "/accounts/login/" in response["Location"]
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def test_every_page_is_in_the_matrix():
    assert {p.name for p in review_urls} == {c[0] for c in PAGE_CASES}


API_PERSONAS = PERSONAS + ["readonly"]
#                                                  rep tm  hz  mgr fin oth omg adm mkt anon ro
API_CASES = [
    ("waiting", "get", lambda w: "reviews/waiting", None,
     "200 200 200 200 200 200 200 200 200 401 200"),
    ("get", "get", lambda w: f"reviews/{w.review.pk}", None,
     "200 404 404 200 200 404 404 200 404 401 200"),
    ("decide", "post", lambda w: f"reviews/{w.review.pk}/decide",
     lambda w: {"decision": "approve", "version": w.review.version},
     "403 404 404 200 403 404 404 200 404 401 403"),
    ("withdraw", "post", lambda w: f"reviews/{w.review.pk}/withdraw",
     lambda w: {"version": w.review.version},
     "200 404 404 403 403 404 404 200 404 401 403"),
    ("list rules", "get", lambda w: "review-rules", None,
     "403 403 403 403 403 403 403 200 403 401 403"),
    ("create rule", "post", lambda w: "review-rules",
     lambda w: {"flow": "expense", "name_en": "Executive", "approver_role": "executive",
                "condition": "amount_at_least", "threshold": "50000"},
     "403 403 403 403 403 403 403 201 403 401 403"),
    ("update rule", "patch", lambda w: f"review-rules/{w.rule.pk}",
     lambda w: {"version": w.rule.version, "due_hours": 24},
     "403 403 403 403 403 403 403 200 403 401 403"),
]


@pytest.mark.parametrize("case", API_CASES, ids=[c[0] for c in API_CASES])
def test_api_permission_matrix(case, waiting):
    name, method, path, body, expected = case
    org = waiting.org
    clients = {p: as_(getattr(org, p)) for p in PERSONAS if p != "anon"}
    clients["anon"] = as_(None)
    clients["readonly"] = as_(org.rep, scope="read")
    wrong = []
    for persona, status in zip(API_PERSONAS, expected.split(), strict=True):
        args = [path(waiting)]
        if method in ("post", "patch"):
            args.append(body(waiting) if body else None)
        with transaction.atomic():
            response = getattr(clients[persona], method)(*args)
            transaction.set_rollback(True)
        if response.status_code != int(status):
            wrong.append(f"{persona}: {response.status_code} (expected {status}) "
                         f"{response.content[:200]!r}")
        elif response.status_code >= 400:
            assert response.json()["detail"], persona
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def test_every_endpoint_is_in_the_matrix(org):
    paths = as_(org.rep).get("openapi.json").json()["paths"]
    documented = {(m, p) for p, ops in paths.items() for m, op in ops.items()
                  if "Reviews" in op.get("tags", [])}
    assert len(documented) == len(API_CASES), sorted(documented)
    assert sorted(m for _n, m, *_r in API_CASES) == sorted(m for m, _p in documented)
