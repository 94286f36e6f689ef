"""The whole path a sale takes, through the services of every area: a product and the
customer's price list, a quote with a discount beyond the customer's rate, the manager's
approval, the e-mail with the PDF, acceptance (线索客户), the order (正式客户, one analytics
transaction), a partial and a final shipment, finance's invoice and the payment that clears
it — with everything on the customer's timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core import mail

from guanxi.customers.models import Account, Standing
from guanxi.orders.models import Invoice, Quote, SalesOrder
from guanxi.orders.selectors.receivables import aging
from guanxi.orders.services import catalog, execution, quotes, receivables, reviews
from guanxi.orders.services.catalog import PriceItemInput, PriceListInput, ProductInput
from guanxi.orders.services.execution import ShipmentInput, ShipmentLineInput
from guanxi.orders.services.orders import OrderInput, order_from_quote
from guanxi.orders.services.quotes import QuoteInput, QuoteLineInput
from guanxi.orders.services.receivables import InvoiceInput, PaymentInput

Inv = InvoiceInput.parse
Pay = PaymentInput.parse

QL = QuoteLineInput.rows

P = ProductInput.parse
PL = PriceListInput.parse
PI = PriceItemInput.rows


def test_a_sale_from_quote_to_cash(org, make_account, settings,
                                   django_capture_on_commit_callbacks):
    from guanxi.core.tasks import queue

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = dt.date.today()
    account = make_account(by=org.rep, name="上海明珠机电有限公司", email="buy@mingzhu.cn")
    Account.objects.filter(pk=account.pk).update(credit_limit=Decimal("500000"),
                                                 discount_rate=Decimal("5"))
    account.refresh_from_db()
    pump = catalog.create_product(org.admin, P({
        "code": "hp-200", "name_zh": "液压泵", "name_en": "Hydraulic pump", "unit": "台",
        "list_price": "12000.00", "cost": "7000.00", "tax_rate": "13"}))
    group = catalog.create_customer_group(org.admin, "重点客户", accounts=[account])
    catalog.create_price_list(org.admin, PL({"name": "重点客户价", "currency": "CNY",
                                             "group": group.pk}),
                              items=PI([{"product": pump.pk, "unit_price": "11000.00"}]))

    # The rep quotes 10 pumps at 8 % off the customer's price: beyond their 5 % rate.
    quote = quotes.create_quote(org.rep, account, QuoteInput(), QL([
        {"product": pump.pk, "quantity": "10", "discount_percent": "8"}]))
    assert quote.lines.get().unit_price == Decimal("11000.00")
    assert quote.net_amount == Decimal("101200.00") and quote.total == Decimal("114356.00")
    quote = quotes.submit_quote(org.rep, quote, quote.version)
    assert quote.status == Quote.Status.IN_APPROVAL
    reviews.decide(org.manager, quote.review, "approve", "同意", quote.review.version)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.APPROVED

    before, queue.immediate = queue.immediate, True  # the worker's job, run here
    try:
        with django_capture_on_commit_callbacks(execute=True):  # it is queued after commit
            quote = quotes.send_quote(org.rep, quote, "buy@mingzhu.cn", "请查收报价",
                                      quote.version)
    finally:
        queue.immediate = before
    sent = [m for m in mail.outbox if "buy@mingzhu.cn" in m.to]
    assert sent and sent[0].attachments[0][2] == "application/pdf"
    quote.refresh_from_db()
    quote = quotes.accept_quote(org.rep, quote, quote.version)
    account.refresh_from_db()
    assert account.standing == Standing.LEAD

    order = order_from_quote(org.rep, quote,
                             OrderInput.parse({"promised_date": today + dt.timedelta(days=20),
                                              "delivery_owner": org.delivery.pk,
                                              "collection_owner": org.collection.pk}))
    assert order_from_quote(org.rep, quote).pk == order.pk  # once, however often
    assert order.status == SalesOrder.Status.CONFIRMED and order.total == quote.total
    account.refresh_from_db()
    assert account.standing == Standing.CUSTOMER

    line = order.lines.get()
    execution.add_shipment(org.delivery, order, ShipmentInput.parse({"carrier": "顺丰速运",
                                                  "tracking_number": "SF1234567890"}),
                           ShipmentLineInput.rows([
                               {"order_line": line.pk, "quantity": "4"}]), order.version)
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.PARTIALLY_SHIPPED
    execution.add_shipment(org.delivery, order, ShipmentInput.parse({"carrier": "顺丰速运"}),
                           ShipmentLineInput.rows([
                               {"order_line": line.pk, "quantity": "6"}]), order.version)
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.SHIPPED

    invoice = receivables.issue_invoice(org.finance, account, Inv({"number": "04411223"}),
                                        order=order)
    assert invoice.total == order.total and invoice.outstanding == order.total
    assert aging(org.finance, as_of=today).totals.total == order.total
    receivables.record_payment(org.finance, account, Pay({"amount": str(order.total)}), auto=True)
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and order.paid_amount == order.total
    assert aging(org.finance, as_of=today).totals.total == Decimal("0")

    kinds = list(account.timeline.values_list("kind", flat=True))
    for kind in ("orders.quote", "orders.order", "orders.shipment", "orders.invoice",
                 "orders.payment"):
        assert any(k.startswith(kind) for k in kinds), (kind, kinds)
