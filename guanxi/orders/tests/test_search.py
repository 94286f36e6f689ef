"""The global search box finds a quote, an order or an invoice by the start of its number or
by its customer's name or pinyin, only where the user may see it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from guanxi.core.tests.api_client import as_
from guanxi.orders.models import Invoice, Quote


def _quote(account, number):
    return Quote.objects.create(number=number, account=account, issue_date=dt.date(2026, 11, 2),
                                total=Decimal("11300.00"), owner=account.owner,
                                team=account.team)


def test_documents_are_found_by_number_within_scope(org, make_account, client):
    mine = make_account(by=org.rep, name="上海明珠机电有限公司")
    theirs = make_account(by=org.other_rep, name="深圳华强电子有限公司")
    quote = _quote(mine, "Q2026-00017")
    _quote(theirs, "Q2026-00018")
    Invoice.objects.create(number="04419988", account=mine, total=Decimal("100.00"),
                           net_amount=Decimal("100.00"), outstanding=Decimal("100.00"),
                           issue_date=dt.date(2026, 11, 2), due_date=dt.date(2026, 12, 2))

    hits = as_(org.rep).get("search", q="q2026-0001", kind="document").json()
    assert [(h["kind"], h["name"]) for h in hits] == [("quote", "Q2026-00017")]
    assert hits[0]["url"] == reverse("orders:quote", args=[quote.pk])
    assert hits[0]["account_name"] == "上海明珠机电有限公司"

    finance = {h["name"] for h in as_(org.finance).get("search", q="Q2026", kind="document")
               .json()}
    assert finance == {"Q2026-00017", "Q2026-00018"}

    client.force_login(org.rep)
    page = client.get(reverse("customers:search"), {"q": "0441"}).content.decode()
    invoice = Invoice.objects.get()
    assert "04419988" in page and reverse("orders:invoice", args=[invoice.pk]) in page
    # By the customer's name, pinyin or initials: its documents, still only those one may see.
    for q in ("明珠", "mingzhu", "shmz"):
        found = {h["name"] for h in as_(org.rep).get("search", q=q, kind="document").json()}
        assert found == {"Q2026-00017", "04419988"}, q
    assert as_(org.rep).get("search", q="华强", kind="document").json() == []
    assert [h["name"] for h in as_(org.finance).get("search", q="huaqiang", kind="document")
            .json()] == ["Q2026-00018"]
