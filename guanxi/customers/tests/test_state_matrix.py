"""Customer actions by record state: for a customer pending, rejected, approved or in the pool
and a terms request pending or decided, each persona's 360° or approvals page offers an
action exactly when the API performs it (see ``core.tests.matrix.run_state_case``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from guanxi.core.tests.matrix import StateCase, assert_state_cases
from guanxi.customers import services

PERSONAS = ["rep", "teammate", "manager", "assistant", "finance", "other_rep", "admin"]


@pytest.fixture
def world(org, make_account):
    approved = make_account(by=org.rep, name="已批准机电有限公司")
    pending = make_account(by=org.assistant, name="待审批贸易有限公司")
    rejected = make_account(by=org.assistant, name="被拒绝贸易有限公司")
    services.decide_new_customer(org.manager, rejected, False, "信息不全", rejected.version)
    pool = make_account(by=org.teammate, name="公海物流有限公司")
    services.release(org.teammate, pool)
    open_terms = services.request_terms_change(org.rep, approved, {"discount_rate": "10"})
    decided_owner = make_account(by=org.rep, name="已决定条款有限公司")
    decided = services.request_terms_change(org.rep, decided_owner, {"discount_rate": "8"})
    services.decide_terms_change(org.manager, decided, False, "太高", decided.version)
    for record in (approved, pending, rejected, pool, open_terms, decided):
        record.refresh_from_db()
    return SimpleNamespace(approved=approved, pending=pending, rejected=rejected, pool=pool,
                           open_terms=open_terms, decided=decided)


def detail(attr: str):
    return lambda w: reverse("customers:detail", args=[getattr(w, attr).pk])


def link(name: str, attr: str):
    return lambda w: reverse(f"customers:{name}", args=[getattr(w, attr).pk])


def approvals(w):
    # The page with the customers' own decision forms (the one inbox posts through
    # ``core.approvals``; its permissions are in orders/tests/test_approvals_inbox.py).
    return reverse("customers:my_approvals")


def request_terms(state: str, expected: str) -> StateCase:
    # The approved customer already has an open request: a second one is refused (409)
    # by the same service, so this row asks on a customer without one.
    return (f"request terms, customer {state}", "post",
            lambda w: f"customers/{getattr(w, state).pk}/terms-requests",
            lambda w: {"changes": {"payment_terms_days": 45}},
            detail(state), link("terms_request", state), expected)


#                                                      rep tm  mgr ast fin oth adm
CASES: list[StateCase] = [
    request_terms("pending", "-   -   n   n   n   -   n"),
    request_terms("rejected", "-   -   n   n   n   -   n"),
    request_terms("pool", "n   n   y   n   n   n   y"),
    ("claim, customer approved", "post", lambda w: f"customers/{w.approved.pk}/claim", None,
     detail("approved"), link("claim", "approved"), "n   -   n   n   n   -   n"),
    ("claim, customer in pool", "post", lambda w: f"customers/{w.pool.pk}/claim", None,
     detail("pool"), link("claim", "pool"), "y   y   y   n   n   y   y"),
    ("release, customer approved", "post", lambda w: f"customers/{w.approved.pk}/release",
     lambda w: {"version": w.approved.version, "reason": "不再跟进"},
     detail("approved"), link("release", "approved"), "y   -   y   y   n   -   y"),
    ("release, customer in pool", "post", lambda w: f"customers/{w.pool.pk}/release",
     lambda w: {"version": w.pool.version, "reason": "不再跟进"},
     detail("pool"), link("release", "pool"), "n   n   n   n   n   n   n"),
    ("approve, customer pending", "post", lambda w: f"customers/{w.pending.pk}/approve",
     lambda w: {"version": w.pending.version}, approvals, link("decide_customer", "pending"),
     "-   -   y   n   n   -   y"),
    ("approve, customer approved", "post", lambda w: f"customers/{w.approved.pk}/approve",
     lambda w: {"version": w.approved.version}, approvals,
     link("decide_customer", "approved"), "n   -   n   n   n   -   n"),
    ("approve, customer rejected", "post", lambda w: f"customers/{w.rejected.pk}/approve",
     lambda w: {"version": w.rejected.version}, approvals,
     link("decide_customer", "rejected"), "-   -   n   n   n   -   n"),
    ("decide terms, request pending", "post",
     lambda w: f"terms-requests/{w.open_terms.pk}/approve",
     lambda w: {"version": w.open_terms.version}, approvals,
     link("decide_terms", "open_terms"), "n   -   y   n   n   -   y"),
    ("decide terms, request decided", "post",
     lambda w: f"terms-requests/{w.decided.pk}/approve",
     lambda w: {"version": w.decided.version}, approvals,
     link("decide_terms", "decided"), "n   -   n   n   n   -   n"),
    ("withdraw terms, request pending", "post",
     lambda w: f"terms-requests/{w.open_terms.pk}/withdraw",
     lambda w: {"version": w.open_terms.version}, detail("approved"),
     link("withdraw_terms", "open_terms"), "y   -   y   n   n   -   y"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_page_and_api_agree_by_state(case, org, world):
    assert_state_cases(org, world, PERSONAS, [case])
