"""Quote-to-cash lists export with the user's scope: finance gets every invoice, a rep only
their customers'."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from guanxi.core.tests.api_client import as_
from guanxi.orders.models import Invoice


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def _invoice(account, number, total):
    return Invoice.objects.create(
        number=number, account=account, net_amount=total, tax_amount=Decimal("0"),
        total=total, outstanding=total, issue_date=dt.date(2026, 10, 1),
        due_date=dt.date(2026, 10, 31), owner=account.owner, team=account.team)


def test_invoice_export_follows_the_document_scope(org, make_account):
    mine = _invoice(make_account(by=org.rep, name="上海明珠机电有限公司"), "04412345",
                    Decimal("1130.00"))
    theirs = _invoice(make_account(by=org.other_rep, name="深圳华强电子有限公司"), "04412346",
                      Decimal("565.00"))

    rows = _csv(as_(org.finance).get("/data/exports/invoices/", format="csv"))
    assert rows[0][0] == "VAT invoice number"
    assert sorted(r[0] for r in rows[1:]) == [mine.number, theirs.number]

    rows = _csv(as_(org.rep).get("/data/exports/invoices/", format="csv"))
    assert [r[0] for r in rows[1:]] == [mine.number]
    outstanding = rows[0].index("Outstanding")
    assert rows[1][outstanding] == "1130.00"


def test_open_orders_export_holds_the_undelivered_orders(org, make_account):
    """``status=open`` means "not delivered yet" on the page, the API and the export alike."""
    from guanxi.orders.models import SalesOrder
    from guanxi.orders.tests.receivables_fixtures import make_order

    account = make_account(by=org.rep, name="上海明珠机电有限公司")
    confirmed = make_order(account, "1130.00")
    delivered = make_order(account, "565.00", status=SalesOrder.Status.DELIVERED)

    rows = _csv(as_(org.finance).get("/data/exports/orders/", format="csv", status="open"))
    assert [r[0] for r in rows[1:]] == [confirmed.number]
    api = as_(org.finance).get("orders", status="open").json()["items"]
    assert [o["number"] for o in api] == [confirmed.number]
    rows = _csv(as_(org.finance).get("/data/exports/orders/", format="csv",
                                     status="delivered"))
    assert [r[0] for r in rows[1:]] == [delivered.number]
