"""A small hand-made transaction table whose RFM codes, segments and ABC classes are worked
out by hand in the tests (``until`` = 2026-06-30).

    customer  purchases  last purchase   revenue  average  →  R F M  segment          ABC
    c1 (rep)        5    2 days before     700     140.00     5 5 5  champions          A
    c2 (rep)        4    10 days before    130      32.50     4 4 3  loyal              A
    c3 (rep)        3    40 days before    120      40.00     3 3 4  need_attention     B
    c4 (other)      2    100 days before    40      20.00     2 2 2  hibernating        C
    c5 (other)      1    200 days before    10      10.00     1 1 1  lost               C

ABC by revenue (total 1,000): the share before c2 is 70% (< 80%: A), before c3 83% (B),
before c4 95% (C).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

UNTIL = dt.date(2026, 6, 30)

# customer → [(days before UNTIL, amount)]
PURCHASES = {
    "c1": [(300, 140), (200, 140), (100, 140), (30, 140), (2, 140)],
    "c2": [(250, 30), (150, 35), (60, 32), (10, 33)],
    "c3": [(280, 40), (160, 40), (40, 40)],
    "c4": [(300, 20), (100, 20)],
    "c5": [(200, 10)],
}


def add_transactions(accounts: dict, purchases: dict = PURCHASES, until: dt.date = UNTIL,
                     cost_share: Decimal = Decimal("0.7")) -> None:
    from guanxi.analytics.models import Transaction

    rows = []
    for key, items in purchases.items():
        for days, amount in items:
            value = Decimal(amount)
            rows.append(Transaction(account=accounts[key], date=until - dt.timedelta(days=days),
                                    amount=value, cost=(value * cost_share).quantize(
                                        Decimal("0.01")), source="demo"))
    Transaction.objects.bulk_create(rows)


@pytest.fixture
def shop(org, make_account):
    """Five customers (c1–c3 the rep's, c4–c5 the other team's rep's) with transactions."""
    accounts = {
        "c1": make_account(by=org.rep, name="上海明珠机电有限公司"),
        "c2": make_account(by=org.rep, name="杭州西湖茶业有限公司"),
        "c3": make_account(by=org.rep, name="苏州园林设计有限公司"),
        "c4": make_account(by=org.other_rep, name="深圳湾电子有限公司"),
        "c5": make_account(by=org.other_rep, name="广州塔贸易有限公司"),
    }
    add_transactions(accounts)
    return SimpleNamespace(org=org, **accounts, accounts=accounts)


@pytest.fixture
def analysed(shop):
    """The shop after one analysis run."""
    from guanxi.analytics.services import runs

    shop.run = runs.run_now(None, UNTIL)
    return shop
