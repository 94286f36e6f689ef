"""Receivables aging against a hand-computed table at the bucket edges, per customer and
"others", and through each person's scope; the collection owner's overdue list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.orders.models import Invoice
from guanxi.orders.selectors import receivables as sel
from guanxi.orders.tests.receivables_fixtures import TODAY, make_invoice, rworld_fixture  # noqa: F401

D = Decimal


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def edges(rworld):
    """Invoices aged 0, 30, 31, 60, 61, 90 and 91 days (due 30 days after issue) worth
    1, 2, 4, … 64, plus a paid one, a cancelled one and one issued after the as-of date."""
    for n, age in enumerate((0, 30, 31, 60, 61, 90, 91)):
        make_invoice(rworld.mine, 2 ** n, issued=ago(age))
    make_invoice(rworld.mine, "1000", issued=ago(45), outstanding="0")
    cancelled = make_invoice(rworld.mine, "2000", issued=ago(45))
    Invoice.objects.filter(pk=cancelled.pk).update(status=Invoice.Status.CANCELLED,
                                                   outstanding=0)
    make_invoice(rworld.mine, "4000", issued=TODAY + dt.timedelta(days=1))
    return rworld


# bucket: age (days since the invoice date) → amounts that fall in it
EXPECTED = {"0_30": D("3.00"),      # day 0 (1) + day 30 (2)
            "31_60": D("12.00"),    # day 31 (4) + day 60 (8)
            "61_90": D("48.00"),    # day 61 (16) + day 90 (32)
            "90_plus": D("64.00")}  # day 91 (64)


def test_bucket_edges_by_invoice_date(edges):
    report = sel.aging(edges.org.finance, as_of=TODAY)
    assert report.totals.buckets == EXPECTED
    assert report.totals.total == D("127.00") and report.totals.count == 7
    # Overdue: due 30 days after issue, so everything older than 30 days.
    assert report.totals.overdue == D("124.00")
    assert [(r.name, r.total) for r in report.customers] == [("上海明珠机电有限公司", D("127.00"))]
    assert report.others is None


def test_a_day_later_everything_moves_one_day(edges):
    report = sel.aging(edges.org.finance, as_of=TODAY + dt.timedelta(days=1))
    # The invoice issued tomorrow now counts; day 30 → 31, day 60 → 61, day 90 → 91.
    assert report.totals.buckets == {"0_30": D("4001.00"), "31_60": D("6.00"),
                                     "61_90": D("24.00"), "90_plus": D("96.00")}


def test_top_customers_and_others(rworld, make_account):
    org = rworld.org
    third = make_account(by=org.rep, name="杭州第三电气有限公司")
    make_invoice(rworld.mine, "500", issued=ago(10))
    make_invoice(rworld.theirs, "300", issued=ago(70))
    make_invoice(third, "100", issued=ago(100))
    make_invoice(third, "50", issued=ago(5))
    report = sel.aging(org.finance, as_of=TODAY, top=2)
    assert [(r.name, r.total) for r in report.customers] == [
        ("上海明珠机电有限公司", D("500.00")), ("深圳南方电子有限公司", D("300.00"))]
    assert report.customers[1].buckets["61_90"] == D("300.00")
    assert report.others.total == D("150.00") and report.others.count == 2
    assert report.others.buckets == {"0_30": D("50.00"), "31_60": D("0.00"),
                                     "61_90": D("0.00"), "90_plus": D("100.00")}


def test_scope_rep_manager_collector(rworld):
    org = rworld.org
    make_invoice(rworld.mine, "500", issued=ago(10))
    make_invoice(rworld.theirs, "300", issued=ago(40), collection_owner=org.collection)
    totals = {p: sel.aging(getattr(org, p), as_of=TODAY).totals.total
              for p in ("rep", "teammate", "manager", "other_rep", "other_manager",
                        "collection", "finance", "executive", "admin")}
    assert totals == {"rep": D("500.00"), "teammate": D("0.00"), "manager": D("500.00"),
                      "other_rep": D("300.00"), "other_manager": D("300.00"),
                      "collection": D("300.00"), "finance": D("800.00"),
                      "executive": D("800.00"), "admin": D("800.00")}
    # Filters narrow within the scope, never widen it.
    assert sel.aging(org.rep, as_of=TODAY, account=rworld.theirs).totals.total == 0
    assert sel.aging(org.finance, as_of=TODAY,
                     collection_owner=org.collection).totals.total == D("300.00")
    assert sel.aging(org.finance, as_of=TODAY, team=org.east.pk).totals.total == D("500.00")


def test_aging_is_a_few_queries_whatever_the_size(rworld, django_assert_max_num_queries,
                                                  make_account):
    for n in range(5):
        account = make_account(by=rworld.org.rep, name=f"客户{n}号有限公司")
        make_invoice(account, 100 + n, issued=ago(n * 20))
    # The user's roles, the totals, the biggest customers, their buckets, their names: a
    # fixed number of queries, never one per invoice or customer.
    with django_assert_max_num_queries(5):
        report = sel.aging(rworld.org.finance, as_of=TODAY)
    assert len(report.customers) == 5


def test_collection_list_oldest_first_with_phone_and_days(rworld):
    org = rworld.org
    late = make_invoice(rworld.mine, "500", issued=ago(70), due=ago(40),
                        collection_owner=org.collection)
    later = make_invoice(rworld.mine, "600", issued=ago(40), due=ago(10),
                         collection_owner=org.collection)
    make_invoice(rworld.mine, "700", issued=ago(5), due=TODAY + dt.timedelta(days=25),
                 collection_owner=org.collection)       # not yet due
    make_invoice(rworld.mine, "800", issued=ago(70), due=ago(40),
                 collection_owner=org.collection, outstanding="0")  # paid
    make_invoice(rworld.theirs, "900", issued=ago(70), due=ago(40))  # someone else's
    items = sel.overdue_for_collector(org.collection, TODAY)
    assert [(i.invoice.pk, i.days_overdue) for i in items] == [(late.pk, 40), (later.pk, 10)]
    assert items[0].phone == "+8613812345678" and items[0].contact == "张会计"
    assert items[0].reminders == 0
    assert sel.overdue_for_collector(org.rep, TODAY) == []


def test_scoped_one_pass_matches_the_full_view(rworld, make_account):
    """A rep's aging (one pass with a window) and finance's (totals, then the biggest
    customers) agree when the rep sees every open invoice."""
    org = rworld.org
    second = make_account(by=org.rep, name="杭州第二电气有限公司")
    third = make_account(by=org.rep, name="杭州第三电气有限公司")
    for account, amounts in ((rworld.mine, (500, 20)), (second, (300, 7)), (third, (100, 50))):
        for n, amount in enumerate(amounts):
            make_invoice(account, amount, issued=ago(25 + 40 * n))
    mine, everything = (sel.aging(user, as_of=TODAY, top=2) for user in (org.rep, org.finance))
    assert mine.totals == everything.totals
    assert mine.customers == everything.customers
    assert mine.others == everything.others
    assert [c.name for c in mine.customers] == ["上海明珠机电有限公司", "杭州第二电气有限公司"]
    assert mine.others.total == D("150.00") and mine.others.buckets["31_60"] == D("0.00")
