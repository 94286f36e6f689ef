"""Everything that can wait for a manager's decision, once each kind (five quote discounts):
rep's quotes beyond the customer's 10% rate, an expense claim, a customer an assistant entered,
a terms change, a key-account support request; and other_rep's claim (another region's)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from guanxi.customers import services as customer_services
from guanxi.orders.services import expenses
from guanxi.orders.services import quotes as quote_services
from guanxi.orders.tests import test_quotes_fixtures as qf
from guanxi.sales.services import activities

world = qf.world


def claim(by, account, amount: str):
    made = expenses.create_claim(by, expenses.ClaimInput.parse({
        "account": account.pk, "category": "travel", "amount": amount,
        "spent_on": dt.date(2026, 1, 5), "description": "拜访客户"}))
    expenses.submit_claim(by, made, made.version)
    made.refresh_from_db()
    return made


@pytest.fixture
def waiting(world, make_account):
    o = world.org
    quotes = []
    for n in range(5):
        quote = qf.make_quote(world, str(12 + n), "0")
        quote_services.submit_quote(o.rep, quote, quote.version)
        quote.refresh_from_db()
        quotes.append(quote)
    entered = make_account(by=o.assistant, name="苏州新客户有限公司")
    terms = customer_services.request_terms_change(o.rep, world.account,
                                                   {"payment_terms_days": 60}, "大单")
    campaign = activities.log_activity(o.rep, {"kind": "campaign", "subject": "攻关明珠"},
                                       account=world.account, support={"budget": "5000"})
    far = make_account(by=o.other_rep, name="深圳华强电子有限公司")
    return SimpleNamespace(
        **vars(world), quotes=quotes, claim=claim(o.rep, world.account, "1234.5"),
        entered=entered, terms=terms, support=campaign.support_request,
        far_claim=claim(o.other_rep, far, "90"))
