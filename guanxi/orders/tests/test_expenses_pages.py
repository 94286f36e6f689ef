"""Expense pages: the claim form with errors at the field, submitting from the claim's page,
the lists (mine, my team, waiting for me) and the sidebar link."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from guanxi.orders.models import ExpenseClaim
from guanxi.orders.tests import expenses_fixtures

world = expenses_fixtures.world


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_claim_form_errors_at_the_field_then_draft_submit_and_approve(world):
    o = world.org
    client = login(o.rep)
    url = reverse("orders:expense_create") + f"?account={world.acc.pk}"
    page = client.get(url).content.decode()
    assert "上海明珠机电有限公司" in page and "变压器项目" in page
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(url, {"customer": world.acc.name, "category": "travel",
                                 "amount": "0", "currency": "CNY", "spent_on": future,
                                 "description": "拜访"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "more than zero" in html and "cannot be in the future" in html
    response = client.post(url, {"customer": world.acc.name, "opportunity": world.opp2.pk,
                                 "category": "travel", "amount": "10", "currency": "CNY",
                                 "spent_on": "2026-01-05", "description": "拜访"})
    assert response.status_code == 200      # the opportunity is not offered for this customer
    response = client.post(url, {"customer": "深圳华强电子有限公司", "category": "travel",
                                 "amount": "10", "currency": "CNY", "spent_on": "2026-01-05",
                                 "description": "拜访"})
    assert "No customer you can see" in response.content.decode()
    assert not ExpenseClaim.objects.exists()

    response = client.post(url, {"customer": world.acc.name, "opportunity": world.opp.pk,
                                 "category": "entertainment", "amount": "1288.00",
                                 "currency": "CNY", "spent_on": "2026-01-05",
                                 "description": "技术交流晚餐"})
    claim = ExpenseClaim.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{claim.pk}/")
    assert claim.opportunity == world.opp and claim.status == "draft"

    detail = reverse("orders:expense", args=[claim.pk])
    html = client.get(detail).content.decode()
    assert "技术交流晚餐" in html and "Submit for approval" in html
    action = reverse("orders:expense_action", args=[claim.pk])
    response = client.post(action, {"action": "submit", "version": claim.version + 3})
    assert response.status_code == 302
    assert ExpenseClaim.objects.get().status == "draft"          # stale: nothing happened
    client.post(action, {"action": "submit", "version": claim.version})
    claim.refresh_from_db()
    assert claim.status == "submitted"
    html = client.get(detail).content.decode()
    assert f'id="review-{claim.review_id}"' in html and "Submit for approval" not in html

    # The manager finds it under "waiting for me" and approves it on its page.
    manager = login(o.manager)
    waiting = manager.get(reverse("orders:expenses") + "?show=waiting").content.decode()
    assert detail in waiting
    manager.post(reverse("orders:review_decide", args=[claim.review_id]),
                 {"decision": "approve", "version": claim.review.version, "next": detail})
    claim.refresh_from_db()
    assert claim.status == "approved"
    assert detail not in manager.get(reverse("orders:expenses") + "?show=waiting").content.decode()
    assert detail in manager.get(reverse("orders:expenses") + "?show=team").content.decode()
    assert detail in client.get(reverse("orders:expenses")).content.decode()
    assert detail not in login(o.teammate).get(
        reverse("orders:expenses") + "?show=team").content.decode()


def test_a_returned_claim_is_edited_on_its_form(world):
    o = world.org
    client = login(o.rep)
    client.post(reverse("orders:expense_create"), {
        "customer": world.acc.name, "category": "travel", "amount": "300", "currency": "CNY",
        "spent_on": "2026-01-05", "description": "出差"})
    claim = ExpenseClaim.objects.get()
    client.post(reverse("orders:expense_action", args=[claim.pk]),
                {"action": "submit", "version": claim.version})
    claim.refresh_from_db()
    login(o.manager).post(reverse("orders:review_decide", args=[claim.review_id]),
                          {"decision": "return", "comment": "金额有误",
                           "version": claim.review.version})
    claim.refresh_from_db()
    assert claim.status == "returned"
    edit = reverse("orders:expense_edit", args=[claim.pk])
    assert "金额有误" in client.get(reverse("orders:expense", args=[claim.pk])).content.decode()
    response = client.post(edit, {"customer": world.acc.name, "category": "travel",
                                  "amount": "260", "currency": "CNY", "spent_on": "2026-01-05",
                                  "description": "出差", "version": claim.version})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert str(claim.amount) == "260.00" and claim.status == "returned"


def test_the_sidebar_shows_expenses_to_sales_staff(world):
    url = reverse("orders:reviews") + "?tab=mine"
    html = login(world.org.rep).get(url).content.decode()
    assert reverse("orders:expenses") in html and reverse("orders:reviews") in html
    html = login(world.org.marketing).get(url).content.decode()
    assert reverse("orders:expenses") not in html


def test_the_list_costs_the_same_queries_for_more_claims(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanxi.orders.services import expenses as svc

    o = world.org
    client = login(o.manager)

    def claim(amount):
        svc.create_claim(o.rep, svc.ClaimInput(
            account=world.acc, opportunity=world.opp, category="travel", amount=Decimal(amount),
            spent_on=dt.date(2026, 1, 5), description="出差"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("orders:expenses") + "?show=team").status_code == 200
        return len(captured)

    claim("10")
    client.get(reverse("orders:expenses"))
    few = queries()
    for amount in ("20", "30", "40"):
        claim(amount)
    assert queries() == few
