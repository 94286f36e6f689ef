"""Two finance users allocating to the same invoice at the same moment never over-allocate
(PostgreSQL: real concurrent transactions; the stale-read case on both databases is in
test_receivables_services)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from guanxi.core.errors import DomainError
from guanxi.orders.models import Allocation, Invoice, Payment
from guanxi.orders.services import receivables as svc
from guanxi.orders.services.receivables import AllocationInput, PaymentInput
from guanxi.orders.tests.receivables_fixtures import TODAY, make_invoice

Pay = PaymentInput.parse

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="needs concurrent writers (PostgreSQL)")


@pytest.mark.django_db(transaction=True)
def test_two_threads_allocating_the_same_invoice(org, make_account):
    account = make_account(by=org.rep, name="上海并发测试有限公司")
    invoice = make_invoice(account, "1000", issued=TODAY)
    payments = [svc.record_payment(user, account, Pay({"amount": "800"}), today=TODAY)
                for user in (org.finance, org.admin)]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def allocate(user, payment: Payment) -> None:
        try:
            start.wait()
            svc.allocate(user, payment,
                         AllocationInput.rows([{"invoice": invoice.pk, "amount": "800"}]),
                         payment.version)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate, args=(user, p))
               for user, p in zip((org.finance, org.admin), payments, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(outcomes) == 2 and outcomes.count("ok") == 1, outcomes
    invoice.refresh_from_db()
    assert invoice.outstanding == Decimal("200.00")
    assert invoice.paid_amount == Decimal("800.00")
    assert Allocation.objects.count() == 1
    assert sorted(Payment.objects.values_list("unallocated", flat=True)) == \
        [Decimal("0.00"), Decimal("800.00")]
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PARTIAL
