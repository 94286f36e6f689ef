"""Invoices, payments and allocation: the rules finance relies on, every refusal naming the
field and changing nothing, stale versions refused, and the notices people get."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.models import AuditEntry, Notification
from guanxi.customers.models import TimelineEvent
from guanxi.orders.models import Allocation, Invoice, Payment, SalesOrder
from guanxi.orders.services import receivables as svc
from guanxi.orders.services.receivables import AllocationInput, InvoiceInput, PaymentInput
from guanxi.orders.tests.receivables_fixtures import (  # noqa: F401
    TODAY,
    make_invoice,
    make_order,
    rworld_fixture,
)

Inv = InvoiceInput.parse
Pay = PaymentInput.parse

D = Decimal


def _snapshot(*objs):
    out = []
    for obj in objs:
        obj.refresh_from_db()
        out.append({f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields})
    return out


def _counts():
    return (Invoice.objects.count(), Payment.objects.count(), Allocation.objects.count())


# --- Invoices --------------------------------------------------------------------------------

def test_invoice_for_an_order_defaults_to_the_remainder(rworld):
    org, order = rworld.org, rworld.order
    invoice = svc.issue_invoice(org.finance, rworld.mine, Inv({"number": "04400123"}), order=order,
                                today=TODAY)
    assert invoice.total == D("11300.00")
    assert invoice.net_amount + invoice.tax_amount == invoice.total
    assert invoice.net_amount == order.net_amount
    assert invoice.outstanding == invoice.total and invoice.status == Invoice.Status.OPEN
    assert invoice.due_date == TODAY + dt.timedelta(days=rworld.mine.payment_terms_days)
    assert invoice.buyer_tax_id == "91310000MA1FL8XQ37"
    assert invoice.collection_owner == org.collection and invoice.owner == org.rep
    order.refresh_from_db()
    assert order.invoiced_amount == D("11300.00")
    assert AuditEntry.objects.filter(action="orders.invoice.created").count() == 1
    assert TimelineEvent.objects.filter(account=rworld.mine, kind="orders.invoice").exists()


def test_partial_invoices_then_beyond_the_order_total_is_refused(rworld):
    org, order = rworld.org, rworld.order
    svc.issue_invoice(org.finance, rworld.mine, Inv({"number": "04400124", "net_amount": "5000",
                                                     "tax_amount": "650"}),
                      order=order, today=TODAY)
    second = svc.issue_invoice(org.finance, rworld.mine, Inv({"number": "04400125"}), order=order,
                               today=TODAY)
    assert second.total == D("5650.00")
    before = _snapshot(order)
    with pytest.raises(FieldErrors) as exc:
        svc.issue_invoice(org.finance, rworld.mine, Inv({"number": "04400126", "net_amount": "1"}),
                          order=order, today=TODAY)
    assert exc.value.field == "total"
    assert _snapshot(order) == before and Invoice.objects.count() == 2


@pytest.mark.parametrize(("data", "field"), [
    ({"number": ""}, "number"),
    ({"number": "12-34"}, "number"),
    ({"number": "1234567"}, "number"),
    ({"number": "123456789012345678901"}, "number"),
    ({"net_amount": "-1"}, "net_amount"),
    ({"tax_amount": "abc"}, "tax_amount"),
    ({"net_amount": "0", "tax_amount": "0"}, "total"),
    ({"net_amount": "1.001"}, "net_amount"),
    ({"issue_date": "2026-07-01"}, "issue_date"),
    ({"issue_date": "yesterday"}, "issue_date"),
    ({"due_date": "2026-01-01"}, "due_date"),
    ({"kind": "receipt"}, "kind"),
    ({"total": "999"}, "total"),
])
def test_bad_invoice_input_names_the_field_and_changes_nothing(rworld, data, field):
    body = {"number": "04400200", "net_amount": "100", "tax_amount": "13"} | data
    with pytest.raises(DomainError) as exc:
        svc.issue_invoice(rworld.org.finance, rworld.mine, Inv(body), today=TODAY)
    assert field in getattr(exc.value, "errors", {exc.value.field: []})
    assert Invoice.objects.count() == 0


def test_duplicate_invoice_number_is_a_field_error(rworld):
    data = {"number": "04400300", "net_amount": "100", "tax_amount": "13"}
    svc.issue_invoice(rworld.org.finance, rworld.mine, Inv(data), today=TODAY)
    with pytest.raises(FieldErrors) as exc:
        svc.issue_invoice(rworld.org.finance, rworld.theirs, Inv(data | {"number": "04400300 "}),
                          today=TODAY)
    assert exc.value.field == "number"
    assert Invoice.objects.count() == 1


def test_order_of_another_customer_is_refused(rworld):
    with pytest.raises(FieldErrors) as exc:
        svc.issue_invoice(rworld.org.finance, rworld.theirs, Inv({"number": "04400301"}),
                          order=rworld.order, today=TODAY)
    assert exc.value.field == "order"
    rworld.order.refresh_from_db()
    assert rworld.order.invoiced_amount == 0


@pytest.mark.parametrize("persona", ["rep", "manager", "collection", "executive", "assistant"])
def test_only_finance_and_admins_issue_invoices_and_record_payments(rworld, persona):
    user = getattr(rworld.org, persona)
    with pytest.raises(Forbidden):
        svc.issue_invoice(user, rworld.mine, Inv({"number": "04400400"}), order=rworld.order,
                          today=TODAY)
    with pytest.raises(Forbidden):
        svc.record_payment(user, rworld.mine, Pay({"amount": "100"}), today=TODAY)
    assert _counts() == (0, 0, 0)


def test_admin_may_issue_invoices(rworld):
    invoice = svc.issue_invoice(rworld.org.admin, rworld.mine, Inv({"number": "04400401"}),
                                order=rworld.order, today=TODAY)
    assert invoice.pk


def test_cancel_only_without_allocations_and_with_the_current_version(rworld):
    org = rworld.org
    invoice = svc.issue_invoice(org.finance, rworld.mine, Inv({"number": "04400500"}),
                                order=rworld.order, today=TODAY)
    with pytest.raises(Conflict):
        svc.cancel_invoice(org.finance, invoice, invoice.version + 1)
    svc.cancel_invoice(org.finance, invoice, invoice.version)
    invoice.refresh_from_db()
    rworld.order.refresh_from_db()
    assert invoice.status == Invoice.Status.CANCELLED and invoice.outstanding == 0
    assert rworld.order.invoiced_amount == 0
    paid = svc.issue_invoice(org.finance, rworld.mine, Inv({"number": "04400501"}),
                             order=rworld.order, today=TODAY)
    svc.record_payment(org.finance, rworld.mine, Pay({"amount": "100"}),
                       AllocationInput.rows([{"invoice": paid.pk, "amount": "100"}]), today=TODAY)
    paid.refresh_from_db()
    with pytest.raises(Conflict):
        svc.cancel_invoice(org.finance, paid, paid.version)
    paid.refresh_from_db()
    assert paid.status == Invoice.Status.PARTIAL


# --- Payments and allocation -----------------------------------------------------------------

def test_payment_allocated_to_an_invoice_counts_for_its_order_and_notifies(rworld):
    org, order = rworld.org, rworld.order
    invoice = svc.issue_invoice(org.finance, rworld.mine, Inv({"number": "04400600"}), order=order,
                                today=TODAY)
    payment = svc.record_payment(org.finance, rworld.mine,
                                 Pay({"amount": "12000", "reference": "ICBC 889"}),
                                 AllocationInput.rows([
                                     {"invoice": invoice.pk, "amount": "11300"}]), today=TODAY)
    assert payment.number.startswith("RC2026-")
    payment.refresh_from_db()
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert payment.unallocated == D("700.00")
    assert invoice.status == Invoice.Status.PAID and invoice.outstanding == 0
    assert order.paid_amount == D("11300.00")
    assert Allocation.objects.get().order_id == order.pk
    told = set(Notification.objects.filter(kind="orders.payment")
               .values_list("recipient__username", flat=True))
    assert told == {"rep", "collection"}
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"orders.payment.received", "orders.payment.allocated"} <= actions
    titles = [e.title for e in TimelineEvent.objects.filter(account=rworld.mine,
                                                           kind="orders.payment")]
    assert any(payment.number in t and "12,000.00" in t for t in titles), titles
    assert any("04400600" in t for t in titles), titles


def test_advance_to_an_order_counts_for_the_order_only(rworld):
    org, order = rworld.org, rworld.order
    svc.record_payment(org.finance, rworld.mine, Pay({"amount": "3000"}),
                       AllocationInput.rows([{"order": order.pk, "amount": "3000"}]), today=TODAY)
    order.refresh_from_db()
    assert order.paid_amount == D("3000.00") and order.invoiced_amount == 0
    assert not Notification.objects.filter(kind="orders.payment").exists()


def _bad_allocation_cases(w, invoice, other_invoice):
    return [
        ([{"invoice": invoice.pk, "amount": "600"}], "over the payment"),
        ([{"invoice": invoice.pk, "amount": "300"}, {"invoice": invoice.pk, "amount": "300"}],
         "split over the payment"),
        ([{"invoice": other_invoice.pk, "amount": "10"}], "another customer's invoice"),
        ([{"order": w.other_order.pk, "amount": "10"}], "another customer's order"),
        ([{"invoice": invoice.pk, "amount": "0"}], "zero"),
        ([{"invoice": invoice.pk, "amount": "-5"}], "negative"),
        ([{"invoice": invoice.pk, "amount": "x"}], "not a number"),
        ([{"amount": "5"}], "no target"),
        ([{"invoice": invoice.pk, "order": w.order.pk, "amount": "5"}], "two targets"),
        ([{"invoice": 999999, "amount": "5"}], "missing invoice"),
        ([], "nothing"),
    ]


def test_bad_allocations_are_refused_at_allocations_and_change_nothing(rworld):
    org, w = rworld.org, rworld
    w.other_order = make_order(w.theirs, "500")
    invoice = make_invoice(w.mine, "1000", issued=TODAY, order=None)
    other_invoice = make_invoice(w.theirs, "1000", issued=TODAY)
    payment = svc.record_payment(org.finance, w.mine, Pay({"amount": "500"}), today=TODAY)
    for rows, why in _bad_allocation_cases(w, invoice, other_invoice):
        before = _snapshot(payment, invoice, other_invoice, w.order, w.other_order)
        with pytest.raises(FieldErrors) as exc:
            svc.allocate(org.finance, payment, AllocationInput.rows(rows), payment.version)
        assert exc.value.field.startswith("allocations"), why  # or allocations[0].amount
        assert _snapshot(payment, invoice, other_invoice, w.order, w.other_order) == before, why
        assert not Allocation.objects.exists(), why


def test_more_than_an_invoice_has_outstanding_is_refused(rworld):
    org = rworld.org
    invoice = make_invoice(rworld.mine, "100", issued=TODAY)
    with pytest.raises(FieldErrors) as exc:
        svc.record_payment(org.finance, rworld.mine, Pay({"amount": "500"}),
                           AllocationInput.rows([
                               {"invoice": invoice.pk, "amount": "150"}]), today=TODAY)
    assert exc.value.field == "allocations"
    assert _counts() == (1, 0, 0)  # the payment itself is not kept either


@pytest.mark.parametrize(("data", "field"), [
    ({"amount": "0"}, "amount"), ({"amount": "-3"}, "amount"), ({"amount": ""}, "amount"),
    ({"amount": "10", "received_on": "2026-07-02"}, "received_on"),
    ({"amount": "10", "method": "barter"}, "method"),
])
def test_bad_payment_input(rworld, data, field):
    with pytest.raises(FieldErrors) as exc:
        svc.record_payment(rworld.org.finance, rworld.mine, Pay(data), today=TODAY)
    assert exc.value.field == field
    assert Payment.objects.count() == 0


def test_stale_payment_version_is_a_conflict(rworld):
    org = rworld.org
    invoice = make_invoice(rworld.mine, "1000", issued=TODAY)
    payment = svc.record_payment(org.finance, rworld.mine, Pay({"amount": "500"}), today=TODAY)
    svc.allocate(org.finance, payment,
                 AllocationInput.rows([{"invoice": invoice.pk, "amount": "100"}]),
                 payment.version)
    with pytest.raises(Conflict) as exc:
        svc.allocate(org.finance, payment,
                     AllocationInput.rows([{"invoice": invoice.pk, "amount": "100"}]), 1)
    assert exc.value.status == 409
    invoice.refresh_from_db()
    assert invoice.outstanding == D("900.00")


def test_stale_invoice_state_cannot_over_allocate(rworld):
    """Two finance users read the same invoice; the second one's check passed on stale
    numbers, the conditional UPDATE still refuses and nothing of the second write stays."""
    org = rworld.org
    invoice = make_invoice(rworld.mine, "1000", issued=TODAY)
    first = svc.record_payment(org.finance, rworld.mine, Pay({"amount": "800"}), today=TODAY)
    second = svc.record_payment(org.admin, rworld.mine, Pay({"amount": "800"}), today=TODAY)
    stale = Invoice.objects.get(pk=invoice.pk)
    svc.allocate(org.finance, first,
                 AllocationInput.rows([{"invoice": invoice.pk, "amount": "800"}]), first.version)
    # The second writer's view of the invoice predates the first allocation.
    wanted = [svc.Wanted(D("800"), invoice=stale)]
    original = svc._wanted
    svc._wanted = lambda payment, rows: wanted
    try:
        with pytest.raises(Conflict):
            svc.allocate(org.admin, second,
                         AllocationInput.rows([{"invoice": invoice.pk, "amount": "800"}]),
                         second.version)
    finally:
        svc._wanted = original
    invoice.refresh_from_db()
    second.refresh_from_db()
    assert invoice.outstanding == D("200.00") and invoice.paid_amount == D("800.00")
    assert second.unallocated == D("800.00")
    assert Allocation.objects.count() == 1


def test_auto_allocation_fills_the_oldest_invoices_first(rworld):
    org = rworld.org
    old = make_invoice(rworld.mine, "300", issued=TODAY - dt.timedelta(days=90))
    middle = make_invoice(rworld.mine, "500", issued=TODAY - dt.timedelta(days=40))
    new = make_invoice(rworld.mine, "700", issued=TODAY - dt.timedelta(days=5))
    payment = svc.record_payment(org.finance, rworld.mine, Pay({"amount": "1000"}), auto=True,
                                 today=TODAY)
    for inv in (old, middle, new):
        inv.refresh_from_db()
    assert (old.outstanding, middle.outstanding, new.outstanding) == (0, 0, D("500.00"))
    assert new.status == Invoice.Status.PARTIAL
    payment.refresh_from_db()
    assert payment.unallocated == 0


def test_unallocate_puts_everything_back(rworld):
    org, order = rworld.org, rworld.order
    invoice = svc.issue_invoice(org.finance, rworld.mine, Inv({"number": "04400700"}), order=order,
                                today=TODAY)
    payment = svc.record_payment(org.finance, rworld.mine, Pay({"amount": "11300"}),
                                 AllocationInput.rows([
                                     {"invoice": invoice.pk, "amount": "11300"}]), today=TODAY)
    allocation = Allocation.objects.get()
    with pytest.raises(Forbidden):
        svc.unallocate(org.rep, allocation)
    svc.unallocate(org.finance, allocation)
    payment.refresh_from_db()
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert payment.unallocated == D("11300.00")
    assert (invoice.outstanding, invoice.paid_amount, invoice.status) == \
        (D("11300.00"), 0, Invoice.Status.OPEN)
    assert order.paid_amount == 0
    with pytest.raises(Conflict):
        svc.unallocate(org.finance, allocation)


def test_invoice_allocation_beyond_what_the_order_has_left_is_refused(rworld):
    """An advance already paid the order: the invoice for it cannot be paid again."""
    org, order = rworld.org, rworld.order
    svc.record_payment(org.finance, rworld.mine, Pay({"amount": "11300"}),
                       AllocationInput.rows([{"order": order.pk, "amount": "11300"}]), today=TODAY)
    invoice = svc.issue_invoice(org.finance, rworld.mine, Inv({"number": "04400800"}), order=order,
                                today=TODAY)
    with pytest.raises(FieldErrors) as exc:
        svc.record_payment(org.finance, rworld.mine, Pay({"amount": "100"}),
                           AllocationInput.rows([
                               {"invoice": invoice.pk, "amount": "100"}]), today=TODAY)
    assert exc.value.field == "allocations"
    order.refresh_from_db()
    assert order.paid_amount == D("11300.00")
    assert SalesOrder.objects.get(pk=order.pk).paid_amount <= order.total
