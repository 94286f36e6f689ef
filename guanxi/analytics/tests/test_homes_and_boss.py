"""A home per role, and the business half of the executive dashboard: one small company with
an open opportunity, a booked order delivered late, an overdue invoice and monthly targets;
each persona's home shows what their role needs (and not a rep's zero figures), the boss's
dashboard shows bookings against target, pipeline, overdue receivables and late deliveries,
each chart element carrying the link to its filtered list; targets are set by the boss only."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.orders.models import Invoice, SalesOrder
from guanxi.sales.models import SalesTarget
from guanxi.sales.services import opportunities as opp_svc
from guanxi.sales.services.opportunities import OpportunityInput

D = Decimal


@pytest.fixture
def company(org, make_account):
    today = timezone.localdate()
    account = make_account(by=org.rep, name="上海明珠机电有限公司")
    opp = opp_svc.create_opportunity(org.rep, account, OpportunityInput.parse(
        {"name": "变压器项目", "amount": "120000", "stage": "tracking"}))
    order = SalesOrder.objects.create(
        number="SO-HOME-1", account=account, order_date=today.replace(day=1),
        status=SalesOrder.Status.CONFIRMED, net_amount=D("88000"), total=D("99440"),
        owner=org.rep, team=org.rep.team, delivery_owner=org.delivery,
        promised_date=today - dt.timedelta(days=3))
    invoice = Invoice.objects.create(
        number="INV-HOME-1", account=account, order=order, net_amount=D("50000"),
        tax_amount=D("6500"), total=D("56500"), outstanding=D("56500"),
        issue_date=today - dt.timedelta(days=60), due_date=today - dt.timedelta(days=30),
        collection_owner=org.collection, owner=org.rep, team=org.rep.team)
    SalesTarget.objects.create(month=today.replace(day=1), amount=D("100000"))
    return SimpleNamespace(org=org, account=account, opp=opp, order=order, invoice=invoice,
                           today=today)


def page(user, url: str, **params) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, (user, url, response.status_code)
    return response.content.decode()


def test_each_role_opens_on_its_own_home(company):
    o, home = company.org, reverse("customers:home")

    rep = page(o.rep, home)
    assert 'id="home-my-pipeline"' in rep and "120,000" in rep
    assert "My late deliveries" in rep and "My overdue collections" in rep and "56,500" in rep
    assert "Follow up next" in rep and 'id="home-team-pipeline"' not in rep

    manager = page(o.manager, home)
    assert 'id="home-team-pipeline"' in manager and "Forecast this quarter" in manager
    assert 'id="home-team-activity"' in manager and 'id="home-approvals"' in manager
    assert 'id="home-receivables"' in manager and 'id="home-at-risk"' not in manager
    # A manager holds no customers: no rep's zero figures.
    assert "My customers" not in manager and "No customers of yours yet." not in manager

    finance = page(o.finance, home)
    assert 'id="home-receivables"' in finance and "56,500" in finance
    assert 'id="home-my-pipeline"' not in finance and "My customers" not in finance

    delivery = page(o.delivery, home)
    assert 'id="home-deliveries"' in delivery and "SO-HOME-1" in delivery
    assert 'id="home-receivables"' not in delivery

    collection = page(o.collection, home)
    assert 'id="home-collections"' in collection and "INV-HOME-1" in collection
    assert "30 days overdue" in collection

    boss = page(o.executive, home)
    assert 'id="home-team-pipeline"' in boss and 'id="home-receivables"' in boss
    assert "My customers" not in boss and "Overdue tasks" not in boss


def test_the_boss_reads_bookings_against_target_and_clicks_through(company):
    o, url = company.org, reverse("analytics:dashboard")
    html = page(o.executive, url)
    assert 'id="chart-bookings"' in html and 'id="chart-pipeline"' in html
    assert "Overdue receivables" in html and "56,500" in html and "88,000" in html
    data = json.loads(html.split('id="business-data" type="application/json">')[1]
                      .split("</script>")[0])
    this_month = data["bookings"]["booked"][-1]
    assert this_month["value"] == 88000.0 and data["bookings"]["target"][-1]["value"] == 100000.0
    # A month's bar opens its booked orders; the list shows exactly them.
    orders = page(o.executive, this_month["url"])
    assert "SO-HOME-1" in orders
    first = company.today.replace(day=1)
    before = page(o.executive, reverse("orders:orders"), booked="true",
                  ordered_to=(first - dt.timedelta(days=1)).isoformat())
    assert "SO-HOME-1" not in before
    # A stage opens its opportunities; the overdue tile its invoices; late deliveries too.
    assert "变压器项目" in page(o.executive, data["stages"][0]["url"])
    assert "INV-HOME-1" in page(o.executive, reverse("orders:invoices"), overdue="true")
    assert "SO-HOME-1" in page(o.executive, reverse("orders:orders"), alert="late")
    assert data["debtors"][0]["name"] == "上海明珠机电有限公司"

    # A rep has no dashboard; a manager's is within their teams.
    rep = Client()
    rep.force_login(o.rep)
    assert rep.get(url).status_code == 403
    other = page(o.other_manager, url)
    assert "56,500" not in other


def test_targets_are_set_by_the_boss_and_refused_to_others(company):
    o, url = company.org, reverse("sales:targets")
    year = company.today.year
    boss = Client()
    boss.force_login(o.executive)
    target = SalesTarget.objects.get()
    bad = boss.post(url, {"year": year, "m1": "-5", "m2": "abc"})
    assert bad.status_code == 400 and "Enter an amount of 0 or more." in bad.content.decode()
    other = target.month.month % 12 + 1
    form = {"year": year, f"m{target.month.month}": "120000.50",
            f"v{target.month.month}": target.version, f"m{other}": "300000"}
    assert boss.post(url, form).status_code == 302
    amounts = {t.month.month: t.amount for t in SalesTarget.objects.filter(month__year=year)}
    assert amounts == {target.month.month: D("120000.50"), other: D("300000")}
    # A stale form (the version it read) changes nothing.
    stale = boss.post(url, {"year": year, f"m{target.month.month}": "1",
                            f"v{target.month.month}": target.version})
    assert stale.status_code == 409
    assert SalesTarget.objects.get(pk=target.pk).amount == D("120000.50")

    manager = Client()
    manager.force_login(o.manager)
    assert manager.get(url).status_code == 200 and "disabled" in manager.get(url).content.decode()
    assert manager.post(url, {"year": year, "m1": "1"}).status_code == 403
    for persona in (o.rep, o.finance, o.delivery):
        client = Client()
        client.force_login(persona)
        assert client.get(url).status_code == 403
    assert SalesTarget.objects.filter(month__year=year).count() == 2
