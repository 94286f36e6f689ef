"""Quote-to-cash actions by record state: for an opportunity open, won or lost, a quote in
draft, in approval or accepted, a contract in draft or signed, an order confirmed or shipped,
an invoice open or paid and a review pending or finished, each persona's record page offers
an action exactly when the API performs it (see ``core.tests.matrix.run_state_case``)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse

from guanxi.core.tests.matrix import StateCase, assert_state_cases
from guanxi.orders.models import Contract, Quote, SalesOrder
from guanxi.orders.services import expenses, reviews
from guanxi.orders.tests.fulfilment_fixtures import make_contract, make_product, make_quote
from guanxi.orders.tests.receivables_fixtures import make_invoice, make_order
from guanxi.sales.models import Opportunity
from guanxi.sales.services import opportunities

PERSONAS = ["rep", "teammate", "manager", "assistant", "finance", "collection", "other_rep",
            "admin"]


@pytest.fixture
def world(org, make_account):
    account = make_account(by=org.rep, name="上海明珠机电有限公司")
    w = SimpleNamespace(account=account)
    for kind in ("open", "won", "lost"):
        values = opportunities.OpportunityInput.parse({"name": f"项目 {kind}",
                                                       "amount": "100000"})
        opp = opportunities.create_opportunity(org.rep, account, values)
        if kind != "open":
            Opportunity.objects.filter(pk=opp.pk).update(
                stage=opp.pipeline.stages.filter(kind=kind).first())
        setattr(w, f"opp_{kind}", Opportunity.objects.get(pk=opp.pk))
    product = make_product("P-1", "100.00")
    for status in (Quote.Status.DRAFT, Quote.Status.IN_APPROVAL, Quote.Status.ACCEPTED):
        setattr(w, f"quote_{status}", make_quote(account, org.rep, [(product, "1")],
                                                 status=status))
    w.contract_draft = make_contract(account, org.rep, status=Contract.Status.DRAFT)
    w.contract_signed = make_contract(account, org.rep, status=Contract.Status.SIGNED)
    w.order_confirmed = make_order(account, "1130.00")
    w.order_shipped = make_order(account, "1130.00", status=SalesOrder.Status.SHIPPED)
    today = dt.date.today()
    w.invoice_open = make_invoice(account, "1130.00", issued=today - dt.timedelta(days=60),
                                  collection_owner=org.collection)
    w.invoice_paid = make_invoice(account, "1130.00", issued=today - dt.timedelta(days=60),
                                  collection_owner=org.collection, outstanding="0")
    for state in ("pending", "finished"):
        claim = expenses.create_claim(org.rep, expenses.ClaimInput.parse(
            {"account": account.pk, "category": "travel", "amount": "800", "spent_on": today,
             "description": "拜访客户"}))
        expenses.submit_claim(org.rep, claim, claim.version)
        claim.refresh_from_db()
        if state == "finished":
            reviews.decide(org.manager, claim.review, "approve", "", claim.review.version)
            claim.refresh_from_db()
        setattr(w, f"claim_{state}", claim)
    return w


def page(name: str, attr: str):
    return lambda w: reverse(name, args=[getattr(w, attr).pk])


def edit(kind: str, api: str, detail: str, attr: str, expected: str) -> StateCase:
    """Change a field the record page's Edit link changes."""
    return (f"edit {attr.replace('_', ' ')}", "patch",
            lambda w: f"{api}/{getattr(w, attr).pk}",
            lambda w: {"version": getattr(w, attr).version, kind: "改一下"},
            page(detail, attr), page(f"{detail}_edit", attr), expected)


def order_cancel(attr: str, expected: str) -> StateCase:
    return (f"cancel {attr.replace('_', ' ')}", "post",
            lambda w: f"orders/{getattr(w, attr).pk}/cancel",
            lambda w: {"version": getattr(w, attr).version, "reason": "客户取消"},
            page("orders:order", attr),
            lambda w: reverse("orders:order_action", args=[getattr(w, attr).pk, "cancel"]),
            expected)


def remind(attr: str, expected: str) -> StateCase:
    return (f"remind {attr.replace('_', ' ')}", "post",
            lambda w: f"invoices/{getattr(w, attr).pk}/remind", lambda w: {},
            page("orders:invoice", attr), page("orders:dunning_send", attr), expected)


def decide(attr: str, expected: str) -> StateCase:
    return (f"decide the review of {attr.replace('_', ' ')}", "post",
            lambda w: f"reviews/{getattr(w, attr).review_id}/decide",
            lambda w: {"decision": "approve", "version": getattr(w, attr).review.version},
            page("orders:expense", attr),
            lambda w: reverse("orders:review_decide", args=[getattr(w, attr).review_id]),
            expected)


#                                                                rep tm  mgr ast fin col oth adm
CASES: list[StateCase] = [
    edit("next_step", "opportunities", "sales:opportunity", "opp_open", "y - y n n - - y"),
    edit("next_step", "opportunities", "sales:opportunity", "opp_won", "y - y n n - - y"),
    edit("next_step", "opportunities", "sales:opportunity", "opp_lost", "y - y n n - - y"),
    edit("notes", "quotes", "orders:quote", "quote_draft", "y - y y n - - y"),
    edit("notes", "quotes", "orders:quote", "quote_in_approval", "n - n n n - - n"),
    edit("notes", "quotes", "orders:quote", "quote_accepted", "n - n n n - - n"),
    edit("notes", "contracts", "orders:contract", "contract_draft", "y - y y n - - y"),
    edit("notes", "contracts", "orders:contract", "contract_signed", "n - n n n - - n"),
    order_cancel("order_confirmed", "y - y y n - - y"),
    order_cancel("order_shipped", "n - n n n - - n"),
    remind("invoice_open", "n - n n y y - y"),
    remind("invoice_paid", "n - n n n n - n"),
    decide("claim_pending", "n - y - n - - y"),
    decide("claim_finished", "n - n - n - - n"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_page_and_api_agree_by_state(case, org, world):
    assert_state_cases(org, world, PERSONAS, [case])
