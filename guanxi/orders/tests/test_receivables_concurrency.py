"""Two finance users allocating to the same invoice at the same moment never over-allocate
(PostgreSQL: real concurrent transactions; the stale-read case on both databases is in
test_receivables_services)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from guanxi.core.errors import DomainError
from guanxi.core.tests.concurrency import run_together
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

    def allocate(user, payment: Payment) -> str:
        try:
            svc.allocate(user, payment,
                         AllocationInput.rows([{"invoice": invoice.pk, "amount": "800"}]),
                         payment.version)
        except DomainError as exc:
            return exc.code
        return "ok"

    outcomes = run_together(*(lambda u=user, p=payment: allocate(u, p)
                              for user, payment in zip((org.finance, org.admin), payments,
                                                       strict=True)))
    assert len(outcomes) == 2 and outcomes.count("ok") == 1, outcomes
    invoice.refresh_from_db()
    assert invoice.outstanding == Decimal("200.00")
    assert invoice.paid_amount == Decimal("800.00")
    assert Allocation.objects.count() == 1
    assert sorted(Payment.objects.values_list("unallocated", flat=True)) == \
        [Decimal("0.00"), Decimal("800.00")]
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PARTIAL
