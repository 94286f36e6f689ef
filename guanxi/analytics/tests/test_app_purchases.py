"""Purchases the value models learn from: analytics records one transaction per confirmed
sales order from the orders' events, and takes it back when the order is cancelled."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.analytics.models import Transaction
from guanxi.core.errors import DomainError
from guanxi.customers.models import Account
from guanxi.orders.services import execution, reviews
from guanxi.orders.services import orders as svc
from guanxi.orders.services.execution import ShipmentInput, ShipmentLineInput
from guanxi.orders.services.orders import OrderInput
from guanxi.orders.tests import fulfilment_fixtures as fx
from guanxi.orders.tests.fulfilment_fixtures import TODAY, make_quote

shop = fx.shop  # the orders' world, in place of the analytics one of the same name


def _custom(shop):
    quote = make_quote(shop.account, shop.org.rep, [(shop.custom, "2"), (shop.stock, "1")])
    return svc.order_from_quote(shop.org.rep, quote,
                                OrderInput.parse({"delivery_owner": shop.org.delivery.pk}),
                                today=TODAY)


def _decide(review, user, decision, comment=""):
    review.refresh_from_db()
    return reviews.decide(user, review, decision, comment)


def test_a_confirmed_stock_order_is_one_purchase_however_often_converted(shop):
    order = svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    txn = Transaction.objects.get(source="order", external_id=order.number)
    assert txn.account_id == shop.account.pk
    assert (txn.amount, txn.cost, txn.date) == (Decimal("1500.00"), Decimal("900.00"), TODAY)
    assert Transaction.objects.filter(source="order").count() == 1


def test_a_custom_order_counts_once_the_review_confirms_it(shop):
    order = _custom(shop)
    assert not Transaction.objects.exists()
    _decide(order.review, shop.org.delivery, "approve")
    assert not Transaction.objects.exists()
    _decide(order.review, shop.org.manager, "approve")
    assert Transaction.objects.filter(external_id=order.number).count() == 1


def test_a_rejected_order_counts_for_nothing(shop):
    order = _custom(shop)
    _decide(order.review, shop.org.delivery, "reject", "交期无法满足")
    assert not Transaction.objects.exists()


def test_an_order_refused_for_credit_counts_for_nothing(shop):
    Account.objects.filter(pk=shop.account.pk).update(credit_limit=Decimal("1000"))
    shop.quote.account.refresh_from_db()
    with pytest.raises(DomainError):
        svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    assert not Transaction.objects.exists()


def test_a_failed_order_leaves_no_purchase(shop, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("standing down")

    monkeypatch.setattr(svc, "promote_standing", broken)
    with pytest.raises(RuntimeError):
        svc.order_from_quote(shop.org.rep, shop.quote, None, today=TODAY)
    assert not Transaction.objects.exists()


def test_cancelling_takes_the_purchase_back_and_a_shipped_order_keeps_it(shop):
    org = shop.org
    order = svc.order_from_quote(org.rep, shop.quote,
                                 OrderInput.parse({"delivery_owner": org.delivery.pk}),
                                 today=TODAY)
    svc.cancel_order(org.rep, order, "客户取消", order.version)
    assert not Transaction.objects.exists()

    other = make_quote(shop.account, org.rep, [(shop.stock, "1")])
    shipped = svc.order_from_quote(org.rep, other,
                                   OrderInput.parse({"delivery_owner": org.delivery.pk}),
                                   today=TODAY)
    execution.add_shipment(org.delivery, shipped, ShipmentInput.parse({"shipped_on": TODAY}),
                           ShipmentLineInput.rows([
        {"order_line": shipped.lines.first().pk, "quantity": "1"}]), shipped.version,
        today=TODAY)
    shipped.refresh_from_db()
    with pytest.raises(DomainError):
        svc.cancel_order(org.rep, shipped, "客户取消", shipped.version)
    assert list(Transaction.objects.values_list("external_id", flat=True)) == [shipped.number]
