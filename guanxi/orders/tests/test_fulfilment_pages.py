"""Order pages: every page against every persona, the order status page that refreshes
itself, converting from a quote (credit limit refusal and finance override), recording a
shipment, the cards on the customer and opportunity pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.accounts.models import User, UserRole
from guanxi.core.models import Notification
from guanxi.core.tests.matrix import assert_page_case, page_clients
from guanxi.customers.models import Account
from guanxi.orders.models import SalesOrder, Shipment
from guanxi.orders.services import execution, reviews
from guanxi.orders.services import orders as svc
from guanxi.orders.services.execution import ShipmentInput, ShipmentLineInput
from guanxi.orders.services.orders import OrderInput
from guanxi.orders.tests import fulfilment_fixtures as fx
from guanxi.orders.tests.fulfilment_fixtures import make_contract, make_quote
from guanxi.sales.services.opportunities import OpportunityInput

shop = fx.shop
PERSONAS = ["rep", "teammate", "hz_rep", "manager", "finance", "other_rep", "delivery",
            "delivery2", "admin", "anon"]


@pytest.fixture
def world(shop):
    org = shop.org
    org.delivery2 = User.objects.create_user(username="delivery2", password="pw-Guanxi-2026",
                                             email="delivery2@example.com", team=org.company,
                                             language="en")
    UserRole.objects.create(user=org.delivery2, role="delivery")
    order = svc.order_from_quote(org.rep, shop.quote,
                                 OrderInput.parse({"delivery_owner": org.delivery.pk,
                                                       "promised_date": "2030-01-10"}))
    first = order.lines.order_by("position").first()
    execution.add_shipment(org.delivery, order, ShipmentInput.parse({"carrier": "顺丰",
                                                 "tracking_number": "SF7788990011"}),
                           ShipmentLineInput.rows([
                               {"order_line": first.pk, "quantity": "2"}]), order.version)
    order.refresh_from_db()
    spare = svc.order_from_quote(org.rep, make_quote(shop.account, org.rep,
                                                     [(shop.stock, "1")]),
                                 OrderInput.parse({"delivery_owner": org.delivery.pk}))
    returned = svc.order_from_quote(org.rep, make_quote(shop.account, org.rep,
                                                        [(shop.custom, "1")]),
                                    OrderInput.parse({"delivery_owner": org.delivery.pk}))
    returned.review.refresh_from_db()
    reviews.decide(org.delivery, returned.review, "return", "请确认颜色")
    returned.refresh_from_db()
    return SimpleNamespace(
        org=org, shop=shop, order=order, line=first, spare=spare, returned=returned,
        quote=make_quote(shop.account, org.rep, [(shop.stock, "2")]),
        contract=make_contract(shop.account, org.rep,
                               make_quote(shop.account, org.rep, [(shop.stock, "3")])))


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# (name, method, url, POST data, expected per persona in PERSONAS order; 302 = done / login)
#                                                          rep tm  hz  mgr fin oth del de2 adm ano
CASES = [
    ("list", "get", lambda w: reverse("orders:orders"), None,
     "200 200 200 200 200 200 200 200 200 302"),
    ("deliveries", "get", lambda w: reverse("orders:deliveries"), None,
     "403 403 403 200 403 403 200 200 200 302"),
    ("detail", "get", lambda w: reverse("orders:order", args=[w.order.pk]), None,
     "200 404 404 200 200 404 200 404 200 302"),
    ("status", "get", lambda w: reverse("orders:order_status", args=[w.order.pk]), None,
     "200 404 404 200 200 404 200 404 200 302"),
    ("status fragment", "get",
     lambda w: reverse("orders:order_status_fragment", args=[w.order.pk]), None,
     "200 404 404 200 200 404 200 404 200 302"),
    ("schedule form", "get", lambda w: reverse("orders:order_schedule", args=[w.order.pk]),
     None, "403 404 404 200 403 404 200 404 200 302"),
    ("schedule", "post", lambda w: reverse("orders:order_schedule", args=[w.order.pk]),
     lambda w: {"version": w.order.version, "promised_date": "2030-01-10",
                "planned_date": "2030-01-08"},
     "403 404 404 302 403 404 302 404 302 302"),
    ("shipment form", "get", lambda w: reverse("orders:shipment_create", args=[w.order.pk]),
     None, "403 404 404 200 403 404 200 404 200 302"),
    ("ship", "post", lambda w: reverse("orders:shipment_create", args=[w.order.pk]),
     lambda w: {"version": w.order.version, "carrier": "德邦", f"line_{w.line.pk}": "1"},
     "403 404 404 302 403 404 302 404 302 302"),
    ("deliver", "post", lambda w: reverse("orders:order_action",
                                          args=[w.order.pk, "deliver"]),
     lambda w: {"version": w.order.version},
     "403 404 404 302 403 404 302 404 302 302"),
    ("cancel", "post", lambda w: reverse("orders:order_action", args=[w.spare.pk, "cancel"]),
     lambda w: {"version": w.spare.version, "reason": "客户取消"},
     "302 404 404 302 403 404 403 404 302 302"),
    ("resubmit", "post",
     lambda w: reverse("orders:order_action", args=[w.returned.pk, "resubmit"]),
     lambda w: {"version": w.returned.version},
     "302 404 404 302 403 404 403 403 302 302"),  # every deliverer sees orders in review
    ("convert quote form", "get",
     lambda w: reverse("orders:order_create_from_quote", args=[w.quote.pk]), None,
     "200 404 404 200 200 404 404 404 200 302"),
    ("convert quote", "post",
     lambda w: reverse("orders:order_create_from_quote", args=[w.quote.pk]),
     lambda w: {"promised_date": "2030-03-01"},
     "302 404 404 302 302 404 404 404 302 302"),
    ("convert contract form", "get",
     lambda w: reverse("orders:order_create_from_contract", args=[w.contract.pk]), None,
     "200 404 404 200 200 404 404 404 200 302"),
    ("convert contract", "post",
     lambda w: reverse("orders:order_create_from_contract", args=[w.contract.pk]),
     lambda w: {}, "302 404 404 302 302 404 404 404 302 302"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_page_permission_matrix(case, world):
    name, method, url, data, expected = case

    def done_without_error(persona: str, response) -> str | None:
        # A success goes to the order page, not back with an error message.
        if response.status_code == 302 and method == "post":
            msgs = [str(m) for m in response.wsgi_request._messages]
            if any("cannot" in m or "Someone" in m for m in msgs):
                return f"sent back with {msgs}"
        return None

    assert_page_case(name, page_clients(world.org, PERSONAS), world, method, url(world), data,
                     expected, check=done_without_error)


def test_every_page_is_in_the_matrix():
    from guanxi.orders.views.fulfilment import urls

    names = {u.name for u in urls}
    covered = {"orders", "deliveries", "order", "order_status", "order_status_fragment",
               "order_schedule", "shipment_create", "order_action", "order_create_from_quote",
               "order_create_from_contract"}
    assert names == covered


def test_status_page_shows_tracking_and_refreshes_itself(world):
    client = client_for(world.org.rep)
    page = client.get(reverse("orders:order_status", args=[world.order.pk])).content.decode()
    assert "SF7788990011" in page and "顺丰" in page
    fragment_url = reverse("orders:order_status_fragment", args=[world.order.pk])
    assert f'hx-get="{fragment_url}"' in page and 'hx-trigger="every 30s"' in page
    fragment = client.get(fragment_url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="order-status"')
    assert "<html" not in fragment and "SF7788990011" in fragment


def test_order_page_shows_lines_shipments_and_the_review(world):
    client = client_for(world.org.delivery)
    page = client.get(reverse("orders:order", args=[world.order.pk])).content.decode()
    assert world.order.number in page and "SF7788990011" in page
    assert reverse("orders:shipment_create", args=[world.order.pk]) in page
    rep_page = client_for(world.org.rep).get(
        reverse("orders:order", args=[world.order.pk])).content.decode()
    assert reverse("orders:shipment_create", args=[world.order.pk]) not in rep_page
    returned = client_for(world.org.rep).get(
        reverse("orders:order", args=[world.returned.pk])).content.decode()
    assert reverse("orders:order_action", args=[world.returned.pk, "resubmit"]) in returned


def test_over_shipping_in_the_form_is_shown_and_nothing_saved(world):
    client = client_for(world.org.delivery)
    url = reverse("orders:shipment_create", args=[world.order.pk])
    response = client.post(url, {"version": world.order.version,
                                 f"line_{world.line.pk}": "50"})
    assert response.status_code == 200
    assert "only 8 台 left to ship" in response.content.decode()
    assert Shipment.objects.count() == 1


def test_a_quantity_that_is_not_a_number_is_shown_at_the_lines(world):
    client = client_for(world.org.delivery)
    url = reverse("orders:shipment_create", args=[world.order.pk])
    response = client.post(url, {"version": world.order.version,
                                 f"line_{world.line.pk}": "two"})
    assert response.status_code == 200
    assert response.context["form"].errors["lines"] == ["Enter a number such as 12.50."]
    assert Shipment.objects.count() == 1


def test_a_resubmitted_quantity_that_is_not_a_number_is_refused(world):
    order = world.returned
    line = order.lines.get()
    client = client_for(world.org.rep)
    response = client.post(reverse("orders:order_action", args=[order.pk, "resubmit"]), {
        "version": order.version, f"line_{line.pk}": "three"}, follow=True)
    assert "Enter a number such as 12.50." in response.content.decode()
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.RETURNED


def test_rep_over_the_credit_limit_sees_why_and_finance_overrides(world):
    org = world.org
    Account.objects.filter(pk=world.shop.account.pk).update(credit_limit=Decimal("10"))
    url = reverse("orders:order_create_from_quote", args=[world.quote.pk])
    rep = client_for(org.rep)
    assert "credit_override_reason" not in rep.get(url).content.decode()
    page = rep.post(url, {}).content.decode()
    assert "Finance must approve" in page and 'id="over-limit"' in page
    assert not SalesOrder.objects.filter(quote=world.quote).exists()
    note = Notification.objects.get(recipient=org.finance, kind="orders.credit")
    assert note.url == url
    finance = client_for(org.finance)
    assert "credit_override_reason" in finance.get(url).content.decode()
    response = finance.post(url, {"credit_override_reason": "预付款已到账"})
    order = SalesOrder.objects.get(quote=world.quote)
    assert response.status_code == 302 and response["Location"] == reverse(
        "orders:order", args=[order.pk])
    assert order.credit_override_by == org.finance
    # Opening the convert page again leads to the order made.
    assert rep.get(url)["Location"] == reverse("orders:order", args=[order.pk])


def test_customer_page_cards(world):
    client = client_for(world.org.rep)
    url = reverse("customers:detail", args=[world.shop.account.pk])
    page = client.get(url).content.decode()
    assert 'id="orders"' in page and world.order.number in page
    assert 'id="open-deliveries"' not in page  # nothing late or at risk
    SalesOrder.objects.filter(pk=world.spare.pk).update(promised_date=dt.date(2020, 1, 1))
    page = client.get(url).content.decode()
    assert 'id="open-deliveries"' in page


def test_deliveries_list_and_navigation(world):
    SalesOrder.objects.filter(pk=world.spare.pk).update(promised_date=dt.date(2020, 1, 1))
    page = client_for(world.org.delivery).get(reverse("orders:deliveries")).content.decode()
    assert page.index(world.spare.number) < page.index(world.order.number)  # late first
    assert reverse("orders:deliveries") in page
    rep_page = client_for(world.org.rep).get(reverse("orders:orders")).content.decode()
    assert reverse("orders:deliveries") not in rep_page
    assert world.order.number in rep_page


def test_list_filters(world):
    client = client_for(world.org.rep)
    page = client.get(reverse("orders:orders"), {"kind": "custom"}).content.decode()
    assert world.returned.number in page and world.order.number not in page
    page = client.get(reverse("orders:orders"), {"status": "partially_shipped"}).content.decode()
    assert world.order.number in page and world.spare.number not in page


def test_opportunity_page_card(world, org):
    from guanxi.sales.services import opportunities

    opp = opportunities.create_opportunity(org.rep, world.shop.account,
                                           OpportunityInput(name="二期扩建"))
    quote = make_quote(world.shop.account, org.rep, [(world.shop.stock, "1")],
                       opportunity=opp)
    order = svc.order_from_quote(org.rep, quote, None)
    page = client_for(org.rep).get(reverse("sales:opportunity", args=[opp.pk])).content
    assert order.number in page.decode() and 'id="opportunity-orders"' in page.decode()


def test_returned_order_is_changed_and_resubmitted_from_its_page(world):
    order = world.returned
    line = order.lines.get()
    client = client_for(world.org.rep)
    response = client.post(reverse("orders:order_action", args=[order.pk, "resubmit"]), {
        "version": order.version, "special_requirements": "标准灰色",
        "promised_date": "", f"line_{line.pk}": "3"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == SalesOrder.Status.IN_REVIEW
    assert order.special_requirements == "标准灰色"
    assert order.total == Decimal("3390.00")


def test_both_customer_cards_come_from_one_query(world, django_assert_num_queries):
    from django.template.loader import render_to_string

    SalesOrder.objects.filter(pk=world.spare.pk).update(promised_date=dt.date(2020, 1, 1))
    account = Account.objects.get(pk=world.shop.account.pk)
    user = User.objects.get(pk=world.org.rep.pk)
    _roles = user.role_codes, user.team_subtree_ids  # loaded once per request elsewhere
    with django_assert_num_queries(1):
        html = render_to_string("orders/account/fulfilment.html",
                                {"account": account, "user": user}) \
            + render_to_string("orders/account/open_deliveries.html",
                               {"account": account, "user": user})
    assert world.order.number in html and 'id="open-deliveries"' in html


def test_late_and_at_risk_filters_and_unknown_actions(world):
    SalesOrder.objects.filter(pk=world.spare.pk).update(promised_date=dt.date(2020, 1, 1))
    client = client_for(world.org.manager)
    late = client.get(reverse("orders:orders"), {"alert": "late"}).content.decode()
    assert world.spare.number in late and world.order.number not in late
    deliveries = client.get(reverse("orders:deliveries")).content.decode()
    assert world.spare.number in deliveries  # a manager sees the team's deliveries
    unknown = client.post(reverse("orders:order_action", args=[world.order.pk, "explode"]),
                          {"version": world.order.version})
    assert unknown.status_code == 404
