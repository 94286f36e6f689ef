"""Reviews: every page and API endpoint against every persona.

The world: rep's expense claim of 800 waiting for the sales manager (the manager of the east
region, above rep's team A)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from guanxi.core.tests.api_client import as_
from guanxi.core.tests.matrix import (
    api_clients,
    assert_api_case,
    assert_every_endpoint_in,
    assert_page_case,
    page_clients,
)
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
    claim = svc.create_claim(o.rep, svc.ClaimInput.parse({
        "account": world.acc.pk, "category": "travel", "amount": "800",
        "spent_on": dt.date(2026, 1, 5), "description": "拜访客户"}))
    svc.submit_claim(o.rep, claim, claim.version)
    claim.refresh_from_db()
    world.claim, world.review = claim, claim.review
    world.rule = ReviewRule.objects.filter(flow="expense").first()
    return world


#                                                  rep tm  hz  mgr fin oth omg adm mkt anon
PAGE_CASES = [
    # What waits for a decision opens in the one approvals inbox.
    ("reviews", "get", lambda w: [], None, "302 302 302 302 302 302 302 302 302 302"),
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
    assert_page_case(name, page_clients(waiting.org, PERSONAS), waiting, method, url, data,
                     expected)


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
    clients = api_clients(waiting.org, API_PERSONAS)
    assert_api_case(name, clients, waiting, method, path, body, expected)


def test_every_endpoint_is_in_the_matrix(org):
    assert_every_endpoint_in(as_(org.rep), {"Reviews"}, API_CASES)
