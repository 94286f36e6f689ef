"""The expense report against sums worked out by hand, and who sees which expenses.

Approved claims January–April 2026 (fixtures): rep 1,000.00 (Jan, travel) and 250.50 (Feb,
gifts) on 上海明珠; teammate 300.00 (Apr, travel) on 上海一号; hz_rep 700.00 (Feb, samples) on
杭州西湖; other_rep 5,000.00 (Mar, entertainment) on 深圳华强. Not counted: rep's 999.00 still
waiting and 80.00 from December 2025. 上海明珠's revenue in the first half: 50,000 confirmed +
25,000 delivered (not the cancelled 10,000, the 9,000 in review or December's 4,000)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.orders.selectors import expenses as sel
from guanxi.orders.tests import expenses_fixtures

world = expenses_fixtures.world
ledger = expenses_fixtures.ledger

D = Decimal
H1 = sel.Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30))


def table(rows, *keys):
    return [tuple(r[k] for k in ("label", *keys)) for r in rows]


def test_per_customer_with_revenue_and_ratio(ledger):
    rows = sel.by_customer(ledger.org.finance, H1)
    assert table(rows, "count", "amount", "revenue", "ratio") == [
        ("深圳华强电子有限公司", 1, D("5000.00"), D("0"), None),
        ("上海明珠机电有限公司", 2, D("1250.50"), D("75000.00"), D("1.67")),
        ("杭州西湖电器有限公司", 1, D("700.00"), D("0"), None),
        ("上海一号贸易有限公司", 1, D("300.00"), D("0"), None),
    ]
    assert sel.totals(rows) == {"count": 5, "amount": D("7250.50")}
    # Only January: 1,000 against 50,000 = 2 %.
    jan = sel.Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    assert table(sel.by_customer(ledger.org.finance, jan), "amount", "revenue", "ratio") == [
        ("上海明珠机电有限公司", D("1000.00"), D("50000.00"), D("2.00"))]


def test_per_rep_and_per_period(ledger):
    o = ledger.org
    assert table(sel.by_rep(o.finance, H1), "count", "amount") == [
        (o.other_rep.display_name, 1, D("5000.00")), (o.rep.display_name, 2, D("1250.50")),
        (o.hz_rep.display_name, 1, D("700.00")), (o.teammate.display_name, 1, D("300.00"))]
    assert table(sel.by_period(o.finance, H1, "month"), "count", "amount") == [
        ("2026-01", 1, D("1000.00")), ("2026-02", 2, D("950.50")),
        ("2026-03", 1, D("5000.00")), ("2026-04", 1, D("300.00"))]
    assert table(sel.by_period(o.finance, H1, "quarter"), "count", "amount") == [
        ("2026 Q1", 4, D("6950.50")), ("2026 Q2", 1, D("300.00"))]
    # Last year's December is in 2025 only.
    year_2025 = sel.Filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert table(sel.by_period(o.finance, year_2025, "month"), "amount") == [
        ("2025-12", D("80.00"))]


def test_filters_by_team_rep_and_category(ledger):
    o = ledger.org
    finance = o.finance

    def total(**kw):
        f = sel.Filters(start=H1.start, end=H1.end, **kw)
        return sel.totals(sel.by_rep(finance, f))["amount"]

    assert total(team=o.east.pk) == D("2250.50")         # team A and Hangzhou
    assert total(team=o.team_a2.pk) == D("700.00")
    assert total(rep=o.rep.pk) == D("1250.50")
    assert total(category="travel") == D("1300.00")
    assert total(category="travel", team=o.south.pk) == D("0")


@pytest.mark.parametrize("persona, expected", [
    ("rep", {"上海明珠机电有限公司": D("1250.50")}),
    ("teammate", {"上海一号贸易有限公司": D("300.00")}),
    ("manager", {"上海明珠机电有限公司": D("1250.50"), "上海一号贸易有限公司": D("300.00"),
                 "杭州西湖电器有限公司": D("700.00")}),
    ("other_manager", {"深圳华强电子有限公司": D("5000.00")}),
    ("other_rep", {"深圳华强电子有限公司": D("5000.00")}),
    ("executive", {"上海明珠机电有限公司": D("1250.50"), "上海一号贸易有限公司": D("300.00"),
                   "杭州西湖电器有限公司": D("700.00"), "深圳华强电子有限公司": D("5000.00")}),
    ("marketing", {}),
])
def test_each_sees_the_expenses_of_their_scope(ledger, persona, expected):
    rows = sel.by_customer(getattr(ledger.org, persona), H1)
    assert {r["label"]: r["amount"] for r in rows} == expected


def test_the_report_page_shows_the_three_tables(ledger):
    client = Client()
    client.force_login(ledger.org.manager)
    page = client.get(reverse("orders:expense_report"), {
        "period": "custom", "start": "2026-01-01", "end": "2026-06-30", "by": "quarter"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "上海明珠机电有限公司" in html and "75,000.00" in html and "1.67%" in html
    assert "深圳华强电子有限公司" not in html and ">5,000.00<" not in html
    assert "2026 Q1" in html and "2,250.50" in html
    page = client.get(reverse("orders:expense_report"), {
        "period": "custom", "start": "2026-01-01", "end": "2026-06-30",
        "team": ledger.org.team_a2.pk})
    assert "杭州西湖电器有限公司" in page.content.decode()
    assert "上海明珠机电有限公司" not in page.content.decode()


def test_the_customer_card_this_year(ledger, settings):
    from django.template.loader import render_to_string

    from guanxi.orders.models import ExpenseClaim

    # The card counts this year's approved claims: move two of them into this year.
    today = dt.date.today()
    ExpenseClaim.objects.filter(pk__in=[ledger.c1.pk, ledger.c2.pk]).update(
        spent_on=today.replace(month=1, day=5))
    html = render_to_string("orders/account/expenses.html",
                            {"account": ledger.acc, "user": ledger.org.rep})
    assert "1,250.50" in html and "account-expenses" in html
    assert render_to_string("orders/account/expenses.html", {
        "account": ledger.acc, "user": ledger.org.marketing}).strip() == ""
    assert render_to_string("orders/account/expenses.html", {
        "account": ledger.acc2, "user": ledger.org.rep}).strip() == ""
