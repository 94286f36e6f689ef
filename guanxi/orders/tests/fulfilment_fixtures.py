"""Test data for sales orders: products, accepted quotes and signed contracts made directly
with the models (priced with ``price_lines``), a customer with room on its credit limit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from guanxi.customers.models import Account
from guanxi.orders.models import Contract, Product, Quote, QuoteLine
from guanxi.orders.money import LineInput, price_lines

TODAY = dt.date(2026, 6, 1)


def make_product(code: str, price: str, kind: str = Product.Kind.STOCK,
                 cost: str = "0") -> Product:
    product = Product.objects.create(code=code, name_zh=f"产品{code}",
                                     name_en=f"Product {code}", list_price=Decimal(price),
                                     cost=Decimal(cost), kind=kind, unit="台")
    product.refresh_from_db()
    return product


def make_quote(account: Account, owner, items: list[tuple[Product, str]], *,
               status: str = Quote.Status.ACCEPTED, discount: str = "0",
               number: str | None = None, opportunity=None) -> Quote:
    """A quote with lines ``(product, quantity)`` at list price, ``discount`` % off the
    whole quote."""
    inputs = [LineInput(quantity=Decimal(q), list_price=p.list_price, unit_price=p.list_price,
                        tax_rate=p.tax_rate, cost=p.cost) for p, q in items]
    amounts, totals = price_lines(inputs, Decimal(discount))
    n = Quote.objects.count() + 1
    quote = Quote.objects.create(
        number=number or f"Q2026-{n:05d}", account=account, owner=owner,
        team_id=owner.team_id, status=status, issue_date=TODAY, created_by=owner,
        discount_percent=Decimal(discount), subtotal=totals.subtotal,
        discount_amount=totals.discount_amount, net_amount=totals.net, tax_amount=totals.tax,
        total=totals.total, max_discount=totals.max_discount, opportunity=opportunity)
    QuoteLine.objects.bulk_create([
        QuoteLine(quote=quote, position=i, product=p, description=p.name_zh, unit=p.unit,
                  quantity=li.quantity, list_price=li.list_price, unit_price=li.unit_price,
                  discount_percent=a.discount_percent, tax_rate=li.tax_rate, net_amount=a.net,
                  tax_amount=a.tax, total=a.total, cost=li.cost)
        for i, ((p, _q), li, a) in enumerate(zip(items, inputs, amounts, strict=True),
                                             start=1)])
    return quote


def make_contract(account: Account, owner, quote: Quote | None = None, *,
                  status: str = Contract.Status.SIGNED) -> Contract:
    n = Contract.objects.count() + 1
    return Contract.objects.create(
        number=f"HT2026-{n:05d}", title="供货合同", account=account, quote=quote,
        amount=quote.total if quote else Decimal("0"), status=status, owner=owner,
        team_id=owner.team_id, created_by=owner, signed_on=TODAY)


@pytest.fixture
def shop(org, make_account):
    """A customer of the rep with a credit limit of 1,000,000; a stock product (100 + 13 %
    VAT, cost 60) and a made-to-order one (1,000, cost 700)."""
    account = make_account(by=org.rep, name="上海明珠机电有限公司")
    Account.objects.filter(pk=account.pk).update(credit_limit=Decimal("1000000"))
    account.refresh_from_db()
    stock = make_product("P-100", "100.00", cost="60.00")
    custom = make_product("M-200", "1000.00", kind=Product.Kind.MADE_TO_ORDER, cost="700.00")
    quote = make_quote(account, org.rep, [(stock, "10"), (stock, "5")])
    return SimpleNamespace(org=org, account=account, stock=stock, custom=custom, quote=quote)
