"""The documents lead to the next step: an accepted quote to its contract and order, an order
to its invoice (for finance)."""

from __future__ import annotations

from django.urls import reverse

from guanxi.orders.services.orders import order_from_quote
from guanxi.orders.tests.fulfilment_fixtures import shop  # noqa: F401


def test_accepted_quote_offers_contract_and_order_and_finance_invoices_the_order(
        shop, client):  # noqa: F811
    client.force_login(shop.org.rep)
    page = client.get(reverse("orders:quote", args=[shop.quote.pk])).content.decode()
    assert f"{reverse('orders:contract_create')}?quote={shop.quote.pk}" in page
    assert reverse("orders:order_create_from_quote", args=[shop.quote.pk]) in page

    order = order_from_quote(shop.org.rep, shop.quote)
    invoice_link = f"{reverse('orders:invoice_create')}?order={order.pk}"
    assert invoice_link not in client.get(reverse("orders:order", args=[order.pk])).content \
        .decode()
    client.force_login(shop.org.finance)
    assert invoice_link in client.get(reverse("orders:order", args=[order.pk])).content.decode()
