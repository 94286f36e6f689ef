"""Credit exposure: unpaid live orders and loose invoices count against the limit; money
received in advance counts for the customer, so a prepaid order needs no override."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.errors import DomainError
from guanxi.customers.models import Account
from guanxi.orders.models import Payment, SalesOrder
from guanxi.orders.selectors.receivables import credit_exposure
from guanxi.orders.services.orders import order_from_quote
from guanxi.orders.tests.fulfilment_fixtures import shop  # noqa: F401


def test_an_advance_payment_lets_a_cash_customer_order(shop):  # noqa: F811
    Account.objects.filter(pk=shop.account.pk).update(credit_limit=Decimal("0"))
    shop.account.refresh_from_db()
    assert credit_exposure(shop.account) == Decimal("0.00")

    with pytest.raises(DomainError) as refused:
        order_from_quote(shop.org.rep, shop.quote)
    assert refused.value.code == "over_credit_limit"
    assert not SalesOrder.objects.exists()

    Payment.objects.create(number="RC2026-90001", account=shop.account,
                           amount=shop.quote.total, unallocated=shop.quote.total,
                           received_on=dt.date(2026, 11, 20))
    assert credit_exposure(shop.account) == -shop.quote.total
    order = order_from_quote(shop.org.rep, shop.quote)
    assert order.total == shop.quote.total and not order.credit_override_by_id
    # The order now uses the advance: nothing more may be ordered on credit.
    assert credit_exposure(shop.account) == Decimal("0.00")


def test_the_credit_room_is_read_again_inside_the_order_transaction(shop, monkeypatch):  # noqa: F811
    """Another order taking the room between the check and the write is caught: the room is
    read again under the customer's lock, and nothing is written."""
    from guanxi.core.errors import Conflict
    from guanxi.orders.services import orders as svc

    readings = iter([Decimal("0"), Decimal("999999")])  # before, then after the other order
    monkeypatch.setattr(svc, "credit_exposure", lambda account: next(readings))
    with pytest.raises(Conflict) as caught:
        order_from_quote(shop.org.rep, shop.quote)
    assert caught.value.code == "over_credit_limit"
    assert not SalesOrder.objects.exists()
