"""Shared setup of the quote tests: a customer of the rep with a contact, an opportunity and
three products with Chinese and English names (imported by the other quote test modules)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from guanxi.orders.models import Product
from guanxi.orders.services import quotes as svc
from guanxi.orders.services.quotes import QuoteInput, QuoteLineInput
from guanxi.sales.services import opportunities as opp_svc
from guanxi.sales.services.opportunities import OpportunityInput

Q = QuoteInput.parse
QL = QuoteLineInput.rows

TODAY = dt.date(2026, 3, 2)


def make_product(code: str, name_zh: str, name_en: str, price: str, *, cost: str = "0",
                 tax: str = "13.00", unit: str = "台") -> Product:
    return Product.objects.create(code=code, name_zh=name_zh, name_en=name_en,
                                  list_price=Decimal(price), cost=Decimal(cost),
                                  tax_rate=Decimal(tax), unit=unit)


@pytest.fixture
def world(org, make_account):
    account = make_account(by=org.rep, name="上海明珠机电有限公司",
                           contacts=[{"name": "张三", "email": "zhangsan@mingzhu.example"}])
    account.discount_rate = Decimal("10")
    account.save(update_fields=["discount_rate"])
    opp = opp_svc.create_opportunity(org.rep, account, OpportunityInput.parse(
        {"name": "变压器项目", "amount": "120000", "stage": "tracking"}))
    transformer = make_product("TR-100", "油浸式变压器", "Oil-immersed transformer", "10000.00",
                               cost="7000")
    switch = make_product("SW-20", "真空断路器", "Vacuum circuit breaker", "2345.67",
                          cost="1500", unit="套")
    service = make_product("SV-1", "安装调试服务", "Installation service", "800.00",
                           tax="6.00", unit="次")
    return SimpleNamespace(org=org, account=account, contact=account.contacts.first(),
                           opp=opp, transformer=transformer, switch=switch, service=service)


def lines(w, *discounts: str) -> list[dict]:
    """Two lines (transformer × 2, switch × 3) with the given line discounts."""
    d = list(discounts) + ["0"] * (2 - len(discounts))
    return [{"product": w.transformer.pk, "quantity": "2", "discount_percent": d[0]},
            {"product": w.switch.pk, "quantity": "3", "discount_percent": d[1]}]


def make_quote(w, *discounts: str, by=None, **data):
    return svc.create_quote(by or w.org.rep, w.account, Q({"contact": w.contact.pk, **data}),
                            QL(lines(w, *discounts)), opportunity=w.opp, today=TODAY)
