"""A small world of customers, opportunities, expense claims and orders for the expense tests.

rep owns 上海明珠 (with an opportunity) and 苏州精工; teammate owns 上海一号; hz_rep (Hangzhou,
same region) owns 杭州西湖; other_rep (Shenzhen, another region) owns 深圳华强."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from guanxi.orders.models import ExpenseClaim, SalesOrder
from guanxi.sales.services import opportunities as opp_svc
from guanxi.sales.services.opportunities import OpportunityInput

D = Decimal
SPENT = dt.date(2026, 1, 10)


@pytest.fixture
def world(org, make_account):
    w = SimpleNamespace(org=org)
    w.acc = make_account(by=org.rep, name="上海明珠机电有限公司")
    w.acc2 = make_account(by=org.rep, name="苏州精工机械有限公司")
    w.acc_tm = make_account(by=org.teammate, name="上海一号贸易有限公司")
    w.acc_hz = make_account(by=org.hz_rep, name="杭州西湖电器有限公司")
    w.acc_other = make_account(by=org.other_rep, name="深圳华强电子有限公司")
    w.opp = opp_svc.create_opportunity(org.rep, w.acc, OpportunityInput.parse({"name": "变压器项目",
                                                                               "amount": "120000"}))
    w.opp2 = opp_svc.create_opportunity(org.rep, w.acc2, OpportunityInput.parse({"name": "机床改造",
                                                                                "amount": "80000"}))
    return w


def claim(by, account, amount, spent_on=SPENT, category="travel", status="approved",
          opportunity=None, description="拜访客户"):
    """A claim straight in the table (the reports read approved claims)."""
    return ExpenseClaim.objects.create(
        claimant=by, team=by.team, account=account, opportunity=opportunity,
        category=category, amount=D(amount), spent_on=spent_on, description=description,
        status=status)


_numbers = iter(range(1, 100000))


def order(account, net, order_date, status=SalesOrder.Status.CONFIRMED, owner=None):
    return SalesOrder.objects.create(
        number=f"SO-T-{next(_numbers)}", account=account, order_date=order_date,
        status=status, net_amount=D(net), total=D(net) * D("1.13"), owner=owner,
        team=getattr(owner, "team", None))


@pytest.fixture
def ledger(world):
    """Approved and other claims from January to April 2026, and orders of 上海明珠."""
    o = world.org
    w = world
    w.c1 = claim(o.rep, w.acc, "1000.00", dt.date(2026, 1, 10), "travel")
    w.c2 = claim(o.rep, w.acc, "250.50", dt.date(2026, 2, 3), "gifts", opportunity=w.opp)
    w.c3 = claim(o.rep, w.acc, "999.00", dt.date(2026, 2, 4), "travel", status="submitted")
    w.c4 = claim(o.teammate, w.acc_tm, "300.00", dt.date(2026, 4, 1), "travel")
    w.c5 = claim(o.hz_rep, w.acc_hz, "700.00", dt.date(2026, 2, 20), "samples")
    w.c6 = claim(o.other_rep, w.acc_other, "5000.00", dt.date(2026, 3, 3), "entertainment")
    w.c7 = claim(o.rep, w.acc, "80.00", dt.date(2025, 12, 30), "travel")   # last year
    order(w.acc, "50000.00", dt.date(2026, 1, 20), owner=o.rep)
    order(w.acc, "25000.00", dt.date(2026, 5, 1), SalesOrder.Status.DELIVERED, owner=o.rep)
    order(w.acc, "10000.00", dt.date(2026, 2, 1), SalesOrder.Status.CANCELLED, owner=o.rep)
    order(w.acc, "9000.00", dt.date(2026, 3, 1), SalesOrder.Status.IN_REVIEW, owner=o.rep)
    order(w.acc, "4000.00", dt.date(2025, 12, 31), owner=o.rep)
    return w
