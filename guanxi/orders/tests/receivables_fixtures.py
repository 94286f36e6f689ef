"""Receivables test data built straight from the models: customers, orders with lines,
invoices and payments, so these tests depend on nothing but the data model."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from types import SimpleNamespace

import pytest

from guanxi.orders.models import Invoice, OrderLine, Product, SalesOrder

TODAY = dt.date(2026, 6, 30)
_numbers = itertools.count(1)


def make_order(account, total: str | Decimal, *, owner=None, collection_owner=None,
               on: dt.date = TODAY, status=SalesOrder.Status.CONFIRMED) -> SalesOrder:
    """A confirmed order of ``total`` (VAT 13% included) with one line."""
    n = next(_numbers)
    total = Decimal(str(total))
    net = (total / Decimal("1.13")).quantize(Decimal("0.01"))
    owner = owner or account.owner
    order = SalesOrder.objects.create(
        number=f"SO2026-T{n:05d}", account=account, status=status, order_date=on,
        net_amount=net, tax_amount=total - net, total=total, owner=owner,
        team=owner.team if owner else None, collection_owner=collection_owner,
        created_by=owner)
    product, _ = Product.objects.get_or_create(code="RCV-1", defaults={
        "name_zh": "变压器", "list_price": Decimal("1000"), "cost": Decimal("600")})
    OrderLine.objects.create(order=order, position=1, product=product, quantity=Decimal("1"),
                             list_price=net, unit_price=net, tax_rate=Decimal("13"),
                             net_amount=net, tax_amount=total - net, total=total)
    return order


def invoice_number() -> str:
    return f"{44000000 + next(_numbers):08d}"


def make_invoice(account, total: str | Decimal, *, issued: dt.date, due: dt.date | None = None,
                 collection_owner=None, order=None, outstanding: str | Decimal | None = None,
                 ) -> Invoice:
    """An invoice written directly (no service): for aging tables with exact dates."""
    total = Decimal(str(total))
    left = total if outstanding is None else Decimal(str(outstanding))
    status = Invoice.Status.OPEN if left == total else (
        Invoice.Status.PAID if left == 0 else Invoice.Status.PARTIAL)
    owner = account.owner
    return Invoice.objects.create(
        number=invoice_number(), account=account, order=order, net_amount=total,
        tax_amount=Decimal("0"), total=total, paid_amount=total - left, outstanding=left,
        issue_date=issued, due_date=due or issued + dt.timedelta(days=30), status=status,
        collection_owner=collection_owner, owner=owner, team=owner.team if owner else None)


@pytest.fixture(name="rworld")
def rworld_fixture(org, make_account):
    """A customer of the rep (with a primary contact), one of the other team's rep, and an
    order of 11,300.00 on the rep's customer collected by the collection owner."""
    mine = make_account(by=org.rep, name="上海明珠机电有限公司",
                        registration_id="91310000MA1FL8XQ37",
                        contacts=[{"name": "张会计", "email": "zhang@mingzhu.example",
                                   "mobile": "13812345678", "is_primary": True}])
    theirs = make_account(by=org.other_rep, name="深圳南方电子有限公司")
    order = make_order(mine, "11300.00", collection_owner=org.collection)
    return SimpleNamespace(org=org, mine=mine, theirs=theirs, order=order)
