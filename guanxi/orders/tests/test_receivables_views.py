"""Receivables pages: every page against every persona, the forms finance uses (errors at
the field, nothing changed), the htmx open-items rows, the customer page cards."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.core.tests.matrix import assert_page_case, page_client, page_clients
from guanxi.orders.models import Allocation, Invoice, Payment
from guanxi.orders.services import receivables as svc
from guanxi.orders.services.receivables import AllocationInput, InvoiceInput, PaymentInput
from guanxi.orders.tests.receivables_fixtures import make_invoice, rworld_fixture  # noqa: F401
from guanxi.orders.views.receivables import urls as receivables_urls

Inv = InvoiceInput.parse
Pay = PaymentInput.parse

PERSONAS = ["rep", "teammate", "manager", "finance", "collection", "other_rep", "admin",
            "anon"]


@pytest.fixture
def world(rworld):
    org = rworld.org
    today = timezone.localdate()
    invoice = svc.issue_invoice(org.finance, rworld.mine, Inv({"number": "04401100"}),
                                order=rworld.order)
    overdue = make_invoice(rworld.mine, "2000", issued=today - dt.timedelta(days=60),
                           due=today - dt.timedelta(days=20), collection_owner=org.collection)
    payment = svc.record_payment(org.finance, rworld.mine, Pay({"amount": "5000"}),
                                 AllocationInput.rows([{"invoice": invoice.pk, "amount": "1000"}]))
    payment.refresh_from_db()
    return SimpleNamespace(org=org, account=rworld.mine, order=rworld.order, invoice=invoice,
                           overdue=overdue, payment=payment, theirs=rworld.theirs,
                           allocation=Allocation.objects.get())


# (url name, method, args, query or post data, expected status per persona)
#                                                           rep tm  mgr fin col oth adm anon
CASES = [
    ("receivables", "get", lambda w: [], None, "200 200 200 200 200 200 200 302"),
    ("invoices", "get", lambda w: [], None, "200 200 200 200 200 200 200 302"),
    ("invoice_create", "get", lambda w: [], lambda w: {"order": w.order.pk},
     "403 404 403 200 403 404 200 302"),  # the collection owner sees the order
    ("invoice", "get", lambda w: [w.invoice.pk], None, "200 404 200 200 200 404 200 302"),
    ("invoice_cancel", "post", lambda w: [w.overdue.pk],
     lambda w: {"version": w.overdue.version}, "403 404 403 302 403 404 302 302"),
    ("dunning_send", "post", lambda w: [w.overdue.pk], None,
     "403 404 403 302 302 404 302 302"),
    ("payments", "get", lambda w: [], None, "200 200 200 200 200 200 200 302"),
    ("payment_create", "get", lambda w: [], lambda w: {"account": w.account.pk},
     "403 403 403 200 403 403 200 302"),
    ("payment", "get", lambda w: [w.payment.pk], None, "200 404 200 200 404 404 200 302"),
    ("payment_allocate", "post", lambda w: [w.payment.pk],
     lambda w: {"version": w.payment.version, f"alloc_order_{w.order.pk}": "100"},
     "403 404 403 302 404 404 302 302"),
    ("allocation_delete", "post", lambda w: [w.allocation.pk], None,
     "403 404 403 302 404 404 302 302"),
    ("collections", "get", lambda w: [], None, "200 200 200 200 200 200 200 302"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_page_permission_matrix(case, org, world):
    name, method, args, data, expected = case
    url = reverse(f"orders:{name}", args=args(world))
    assert_page_case(name, page_clients(org, PERSONAS), world, method, url, data, expected)


def test_every_page_is_in_the_matrix():
    assert {p.name for p in receivables_urls} == {c[0] for c in CASES}


def test_receivables_page_shows_buckets_rule_and_customers(org, world):
    page = page_client(org, "finance").get(reverse("orders:receivables")).content.decode()
    assert "上海明珠机电有限公司" in page
    assert "days since the invoice date" in page
    assert "12,300.00" in page  # 11,300 − 1,000 + 2,000
    for label in ("0–30", "31–60", "61–90", "90+"):
        assert label in page
    mine = page_client(org, "other_rep").get(reverse("orders:receivables")).content.decode()
    assert "上海明珠机电有限公司" not in mine


def test_issue_invoice_from_an_order_prefilled_and_errors_at_the_field(org, world, rworld):
    from guanxi.orders.tests.receivables_fixtures import make_order

    order = make_order(world.account, "2260.00", collection_owner=org.collection)
    client = page_client(org, "finance")
    url = reverse("orders:invoice_create")
    form = client.get(url, {"order": order.pk}).content.decode()
    assert "2000.00" in form and "260.00" in form  # net and VAT of the remainder
    response = client.post(url, {"order": order.pk, "number": "04401101", "kind": "special",
                                 "net_amount": "5000", "tax_amount": "0"})
    assert response.status_code == 400
    assert "more than the order has left to invoice" in response.content.decode()
    assert not Invoice.objects.filter(number="04401101").exists()
    response = client.post(url, {"order": order.pk, "number": "04401101", "kind": "special",
                                 "net_amount": "2000.00", "tax_amount": "260.00"})
    assert response.status_code == 302
    invoice = Invoice.objects.get(number="04401101")
    assert response["Location"] == reverse("orders:invoice", args=[invoice.pk])
    dup = client.post(url, {"order": order.pk, "number": "04401101", "kind": "special"})
    assert dup.status_code == 400 and "already recorded" in dup.content.decode()


def test_record_payment_form_with_allocation_rows(org, world):
    client = page_client(org, "finance")
    url = reverse("orders:payment_create")
    rows = client.get(url, {"account": world.account.pk}, HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="open-items").content.decode()
    assert f'name="alloc_invoice_{world.overdue.pk}"' in rows
    assert f'name="alloc_invoice_{world.invoice.pk}"' in rows
    assert "Allocate oldest first" in rows
    before = (Payment.objects.count(), Allocation.objects.count())
    over = client.post(url, {"account": world.account.pk, "amount": "100",
                             "method": "bank_transfer",
                             f"alloc_invoice_{world.overdue.pk}": "150"})
    assert over.status_code == 400
    assert "more than the payment has left" in over.content.decode()
    assert 'value="150"' in over.content.decode()  # what was typed comes back
    assert (Payment.objects.count(), Allocation.objects.count()) == before
    typo = client.post(url, {"account": world.account.pk, "amount": "100",
                             "method": "bank_transfer",
                             f"alloc_invoice_{world.overdue.pk}": "lots"})
    assert typo.status_code == 400
    assert typo.context["form"].errors["allocations"] == ["Row 1: Enter a number such as 12.50."]
    assert (Payment.objects.count(), Allocation.objects.count()) == before
    ok = client.post(url, {"account": world.account.pk, "amount": "2500",
                           "method": "bank_transfer", "auto": "1"})
    assert ok.status_code == 302
    world.overdue.refresh_from_db()
    assert world.overdue.outstanding == 0


def test_invoice_and_payment_pages(org, world):
    client = page_client(org, "finance")
    page = client.get(reverse("orders:invoice", args=[world.invoice.pk])).content.decode()
    assert world.payment.number in page and "Cancel invoice" not in page
    overdue = client.get(reverse("orders:invoice", args=[world.overdue.pk])).content.decode()
    assert "20 days overdue" in overdue and "Send reminder now" in overdue
    page = client.get(reverse("orders:payment", args=[world.payment.pk])).content.decode()
    assert "Allocate the rest" in page and "04401100" in page


def test_collections_page_lists_my_overdue_invoices(org, world):
    page = page_client(org, "collection").get(reverse("orders:collections")).content.decode()
    assert world.overdue.number in page and "上海明珠机电有限公司" in page
    page = page_client(org, "rep").get(reverse("orders:collections")).content.decode()
    assert world.overdue.number not in page


def test_customer_page_cards(org, world):
    url = reverse("customers:detail", args=[world.account.pk])
    page = page_client(org, "rep").get(url).content.decode()
    assert 'id="receivables"' in page and 'id="open-receivables"' in page
    assert "2,000.00" in page  # overdue
    theirs = page_client(org, "other_rep").get(
        reverse("customers:detail", args=[world.theirs.pk])).content.decode()
    assert 'id="open-receivables"' not in theirs and 'id="receivables"' not in theirs


def test_sidebar_links_by_role(org, world):
    rep = page_client(org, "rep").get(reverse("orders:invoices")).content.decode()
    assert reverse("orders:receivables") in rep
    assert reverse("orders:payments") not in rep
    finance = page_client(org, "finance").get(reverse("orders:invoices")).content.decode()
    for name in ("receivables", "invoices", "payments", "collections"):
        assert reverse(f"orders:{name}") in finance
    collector = page_client(org, "collection").get(reverse("orders:invoices")).content.decode()
    assert reverse("orders:collections") in collector


def test_customer_cards_read_once_for_both(org, world, django_assert_max_num_queries):
    from django.template.loader import render_to_string

    world.account.credit_limit = 10000
    context = {"account": world.account, "user": org.finance}
    # Latest invoices and payments, the credit exposure (orders, loose invoices), one
    # aggregate for the buckets and overdue, the user's roles: shared by both cards.
    with django_assert_max_num_queries(6):
        card = render_to_string("orders/account/receivables.html", context)
        side = render_to_string("orders/account/open_receivables.html", context)
    assert "Credit used" in card and "10,000.00" in card
    assert "2,000.00" in side and "1 invoice past its due date" in side


def test_issue_invoice_choosing_the_customer_then_the_order(org, world):
    from guanxi.orders.tests.receivables_fixtures import make_order

    client = page_client(org, "finance")
    url = reverse("orders:invoice_create")
    assert f'value="{world.account.pk}"' not in client.get(url).content.decode()  # invoiced
    order = make_order(world.account, "565.00")
    chooser = client.get(url).content.decode()
    assert f'value="{world.account.pk}"' in chooser  # a new order is not invoiced yet
    assert page_client(org, "rep").get(url).status_code == 403
    form = client.get(url, {"account": world.account.pk}).content.decode()
    assert f'<option value="{order.pk}">' in form and "565.00" in form
    response = client.post(url, {"account": world.account.pk, "order": order.pk,
                                 "number": "04401200", "kind": "general"})
    assert response.status_code == 302
    invoice = Invoice.objects.get(number="04401200")
    assert (invoice.order_id, invoice.total, invoice.kind) == (order.pk, order.total, "general")
    loose = client.post(url, {"account": world.account.pk, "order": "", "number": "04401201",
                              "kind": "special", "net_amount": "100", "tax_amount": "13"})
    assert loose.status_code == 302
    assert Invoice.objects.get(number="04401201").order_id is None


def test_invoice_list_names_only_a_customer_the_user_sees(org, world):
    """``?account=`` of a customer outside the rep's scope shows neither its invoices nor its
    name in the heading."""
    page = page_client(org, "rep").get(reverse("orders:invoices"),
                                       {"account": world.theirs.pk}).content.decode()
    assert world.theirs.name not in page
    page = page_client(org, "rep").get(reverse("orders:invoices"),
                                       {"account": world.account.pk}).content.decode()
    assert world.account.name in page


@pytest.mark.parametrize("who, aging, payments, collect", [
    ("rep", True, False, True), ("assistant", True, False, True),
    ("collection", True, False, True), ("manager", True, True, False),
    ("finance", True, True, True), ("executive", True, True, False),
    ("admin", True, True, True), ("delivery", False, False, False),
    ("marketing", False, False, False),
])
def test_receivables_navigation_rules(org, who, aging, payments, collect):
    from guanxi.core.permissions import allowed

    user = getattr(org, who)
    assert (allowed("orders.open_aging", user), allowed("orders.open_payments", user),
            allowed("orders.collect", user)) == (aging, payments, collect)
