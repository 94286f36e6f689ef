"""Pages with date, time and number inputs, rendered for records with those values set, in
Chinese and English: every such input carries the ISO / plain value browsers accept (a
localised 2027/03/31 is dropped by the browser, and the next save clears the stored date).
A new page with such a form is one more line in PAGES."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.core.tests.inputs import input_problems, submitted, valued_inputs
from guanxi.orders.models import ExpenseClaim, PriceList
from guanxi.orders.tests.test_quotes_fixtures import make_quote, world  # noqa: F401
from guanxi.sales.models import Task
from guanxi.sales.services import opportunities as opp_svc

CLOSE = dt.date(2027, 3, 31)
LANGUAGES = ["zh-hans", "en"]


def _client(user, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    session = client.session
    session["guanxi_language"] = language
    session.save()
    return client


@pytest.fixture
def records(world):  # noqa: F811
    w = world
    opp_svc.update_opportunity(w.org.rep, w.opp, w.opp.version, opp_svc.OpportunityInput(
        expected_close=CLOSE, amount=Decimal("1234567.50"), probability=35))
    w.opp.refresh_from_db()
    w.quote = make_quote(w, "5", valid_until=CLOSE, discount_percent="2.5")
    w.claim = ExpenseClaim.objects.create(
        claimant=w.org.rep, team=w.org.rep.team, account=w.account, category="travel",
        amount=Decimal("1234.50"), spent_on=CLOSE, description="拜访客户")
    w.price_list = PriceList.objects.create(name="2027 经销价", valid_from=dt.date(2027, 1, 15),
                                            valid_until=CLOSE)
    w.task = Task.objects.create(
        title="回访", assignee=w.org.rep, created_by=w.org.rep, account=w.account,
        due_at=timezone.make_aware(dt.datetime(2027, 3, 31, 14, 5)))
    return w


# (page, persona, url, the inputs that must carry a value)
PAGES = [
    ("opportunity edit", "rep", lambda w: reverse("sales:opportunity_edit", args=[w.opp.pk]),
     {"expected_close": "2027-03-31", "amount": "1234567.50", "probability": "35"}),
    ("quote edit", "rep", lambda w: reverse("orders:quote_edit", args=[w.quote.pk]),
     {"valid_until": "2027-03-31", "issue_date": None, "discount_percent": "2.50"}),
    ("expense edit", "rep", lambda w: reverse("orders:expense_edit", args=[w.claim.pk]),
     {"spent_on": "2027-03-31", "amount": "1234.50"}),
    ("expense report", "manager",
     lambda w: reverse("orders:expense_report") + "?period=custom&start=2027-01-15&end=2027-03-31",
     {"start": "2027-01-15", "end": "2027-03-31"}),
    ("price list edit", "admin", lambda w: reverse("orders:price_list_edit",
                                                   args=[w.price_list.pk]),
     {"valid_from": "2027-01-15", "valid_until": "2027-03-31"}),
    ("task edit", "rep", lambda w: reverse("sales:task_edit", args=[w.task.pk]),
     {"due_at": "2027-03-31T14:05"}),
    ("forecast", "manager", lambda w: reverse("sales:forecast"), {"from": None, "to": None}),
    ("receivables aging", "finance", lambda w: reverse("orders:receivables") + "?as_of=2027-03-31",
     {"as_of": "2027-03-31"}),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_date_and_number_inputs_carry_iso_values(records, page, language):
    _name, persona, url, expected = page
    response = _client(getattr(records.org, persona), language).get(url(records))
    assert response.status_code == 200
    html = response.content.decode()
    assert not input_problems(html)
    values = valued_inputs(html)
    for name, value in expected.items():
        assert name in values, f"{name} has no value"
        if value is not None:
            assert values[name] == value


def test_saving_the_opportunity_in_chinese_keeps_its_close_date(records):
    client = _client(records.org.rep, "zh-hans")
    url = reverse("sales:opportunity_edit", args=[records.opp.pk])
    data = submitted(client.get(url).content.decode(), url)
    data["next_step"] = "报价"
    response = client.post(url, data)
    assert response.status_code == 302
    records.opp.refresh_from_db()
    assert records.opp.next_step == "报价"
    assert records.opp.expected_close == CLOSE

