"""Receivables API: every endpoint against every persona, and the answers a client relies on
(field errors, 409, aging figures, the collection list)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from guanxi.core.tests.api_client import as_
from guanxi.core.tests.matrix import api_clients, assert_api_case, assert_every_endpoint_in
from guanxi.orders.models import Allocation, Invoice, Payment
from guanxi.orders.services import receivables as svc
from guanxi.orders.services.receivables import AllocationInput, InvoiceInput, PaymentInput
from guanxi.orders.tests.receivables_fixtures import make_invoice, rworld_fixture  # noqa: F401

Inv = InvoiceInput.parse
Pay = PaymentInput.parse

PERSONAS = ["rep", "teammate", "manager", "finance", "collection", "other_rep", "admin",
            "anon", "readonly"]


@pytest.fixture
def world(rworld):
    org = rworld.org
    today = timezone.localdate()
    invoice = svc.issue_invoice(org.finance, rworld.mine, Inv({"number": "04400900"}),
                                order=rworld.order)
    overdue = make_invoice(rworld.mine, "2000", issued=today - dt.timedelta(days=60),
                           due=today - dt.timedelta(days=20), collection_owner=org.collection)
    payment = svc.record_payment(org.finance, rworld.mine, Pay({"amount": "5000"}),
                                 AllocationInput.rows([{"invoice": invoice.pk, "amount": "1000"}]))
    payment.refresh_from_db()
    return SimpleNamespace(org=org, account=rworld.mine, order=rworld.order, invoice=invoice,
                           overdue=overdue, payment=payment,
                           allocation=Allocation.objects.get())


# (name, method, path, body, expected status per persona in PERSONAS order)
#                                                 rep tm  mgr fin col oth adm anon ro
CASES = [
    ("list invoices", "get", lambda w: "invoices", None,
     "200 200 200 200 200 200 200 401 200"),
    ("create invoice", "post", lambda w: "invoices",
     lambda w: {"account_id": w.account.pk, "number": "04401000", "net_amount": "100",
                "tax_amount": "13"},
     "403 404 403 201 404 404 201 401 403"),
    ("get invoice", "get", lambda w: f"invoices/{w.invoice.pk}", None,
     "200 404 200 200 200 404 200 401 200"),
    ("cancel invoice", "post", lambda w: f"invoices/{w.overdue.pk}/cancel",
     lambda w: {"version": w.overdue.version},
     "403 404 403 200 403 404 200 401 403"),
    ("remind", "post", lambda w: f"invoices/{w.overdue.pk}/remind", None,
     "403 404 403 201 201 404 201 401 403"),
    ("list payments", "get", lambda w: "payments", None,
     "200 200 200 200 200 200 200 401 200"),
    ("create payment", "post", lambda w: "payments",
     lambda w: {"account_id": w.account.pk, "amount": "100",
                "allocations": [{"invoice_id": w.overdue.pk, "amount": "100"}]},
     "403 404 403 201 404 404 201 401 403"),
    ("get payment", "get", lambda w: f"payments/{w.payment.pk}", None,
     "200 404 200 200 404 404 200 401 200"),
    ("allocate", "post", lambda w: f"payments/{w.payment.pk}/allocations",
     lambda w: {"version": w.payment.version,
                "allocations": [{"order_id": w.order.pk, "amount": "500"}]},
     "403 404 403 201 404 404 201 401 403"),
    ("unallocate", "delete", lambda w: f"allocations/{w.allocation.pk}", None,
     "403 404 403 204 404 404 204 401 403"),
    ("aging", "get", lambda w: "receivables/aging", None,
     "200 200 200 200 200 200 200 401 200"),
    ("overdue", "get", lambda w: "receivables/overdue", None,
     "200 200 200 200 200 200 200 401 200"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_permission_matrix(case, org, world):
    name, method, path, body, expected = case
    clients = api_clients(org, PERSONAS, readonly=org.finance)
    assert_api_case(name, clients, world, method, path, body, expected)


def test_every_endpoint_is_in_the_matrix(org):
    assert_every_endpoint_in(as_(org.rep), {"Invoices", "Payments", "Receivables"}, CASES)


def test_rep_sees_only_their_customers_invoices_and_aging(org, world, make_account):
    theirs = make_account(by=org.other_rep, name="深圳某电子有限公司")
    make_invoice(theirs, "999", issued=timezone.localdate())
    mine = as_(org.rep).get("invoices").json()["items"]
    assert {i["account"]["id"] for i in mine} == {world.account.pk}
    everything = as_(org.finance).get("invoices").json()["items"]
    assert len(everything) == 3
    aging = as_(org.rep).get("receivables/aging").json()
    assert aging["basis"] == "issue_date"
    assert aging["totals"]["total"] == "12300.00"  # 11,300 − 1,000 + 2,000
    assert as_(org.finance).get("receivables/aging").json()["totals"]["total"] == "13299.00"


def test_aging_of_a_team_that_does_not_exist_is_empty_for_everyone(org, world):
    # A rep's aging is one statement over their scope; an empty filter must not break it.
    for user in (org.rep, org.finance):
        aging = as_(user).get("receivables/aging", team_id=999999)
        assert aging.status_code == 200
        assert aging.json()["totals"]["count"] == 0 and aging.json()["customers"] == []


def test_api_errors_name_the_field_and_change_nothing(org, world, make_account):
    api = as_(org.finance)
    before = (Invoice.objects.count(), Payment.objects.count(), Allocation.objects.count())
    for body, field in (
        ({"number": "04400900", "net_amount": "1"}, "number"),
        ({"number": "04401001", "order_id": world.order.pk, "net_amount": "99999"}, "total"),
        ({"number": "04401002", "net_amount": "-1"}, "net_amount"),
    ):
        response = api.post("invoices", {"account_id": world.account.pk} | body)
        assert response.status_code == 400, (body, response.content)
        assert response.json()["field"] == field
    theirs = make_account(by=org.other_rep, name="深圳某电子有限公司")
    foreign = make_invoice(theirs, "999", issued=timezone.localdate())
    for rows in ([{"invoice_id": world.overdue.pk, "amount": "6000"}],
                 [{"invoice_id": foreign.pk, "amount": "10"}],
                 [{"invoice_id": world.overdue.pk, "amount": "0"}]):
        response = api.post(f"payments/{world.payment.pk}/allocations",
                            {"version": world.payment.version, "allocations": rows})
        assert response.status_code == 400, rows
        assert response.json()["field"] == "allocations"
        response = api.post("payments", {"account_id": world.account.pk, "amount": "100",
                                         "allocations": rows})
        assert response.status_code == 400
    assert before == (Invoice.objects.count() - 1, Payment.objects.count(),
                      Allocation.objects.count())  # only the foreign invoice was added
    typed = [{"invoice_id": world.overdue.pk, "amount": "lots"}]
    for path, body in ((f"payments/{world.payment.pk}/allocations",
                        {"version": world.payment.version}),
                       ("payments", {"account_id": world.account.pk, "amount": "100"})):
        typo = api.post(path, body | {"allocations": typed})
        assert typo.status_code == 400 and typo.json()["field"] == "allocations[0].amount"
    assert before == (Invoice.objects.count() - 1, Payment.objects.count(),
                      Allocation.objects.count())
    stale = api.post(f"payments/{world.payment.pk}/allocations",
                     {"version": world.payment.version - 1,
                      "allocations": [{"invoice_id": world.overdue.pk, "amount": "10"}]})
    assert stale.status_code == 409


def test_payment_with_auto_allocation_and_detail(org, world):
    api = as_(org.finance)
    response = api.post("payments", {"account_id": world.account.pk, "amount": "2500",
                                     "auto": True, "reference": "ICBC 12"})
    assert response.status_code == 201, response.content
    body = response.json()
    # Oldest first: the 60-day-old invoice (2,000), then 500 of today's order invoice.
    assert [(a["invoice"]["number"], a["amount"]) for a in body["allocations"]] == \
        [(world.overdue.number, "2000.00"), ("04400900", "500.00")]
    assert body["unallocated"] == "0.00"
    detail = api.get(f"invoices/{world.invoice.pk}").json()
    assert detail["paid_amount"] == "1500.00" and detail["status"] == "partial"
    assert len(detail["allocations"]) == 2


def test_collection_list_and_manual_reminder(org, world):
    rows = as_(org.collection).get("receivables/overdue").json()
    assert [r["invoice"]["number"] for r in rows] == [world.overdue.number]
    assert rows[0]["days_overdue"] == 20 and rows[0]["phone"] == "+8613812345678"
    assert as_(org.rep).get("receivables/overdue").json() == []
    response = as_(org.collection).post(f"invoices/{world.overdue.pk}/remind")
    assert response.status_code == 201
    assert response.json()["sent_to"] == "zhang@mingzhu.example"
    assert mail.outbox[-1].to == ["zhang@mingzhu.example"]
    assert as_(org.collection).get("receivables/overdue").json()[0]["reminders"] == 1
    detail = as_(org.finance).get(f"invoices/{world.overdue.pk}").json()
    assert detail["dunning_level"] == 1 and detail["reminders"][0]["status"] == "sent"
