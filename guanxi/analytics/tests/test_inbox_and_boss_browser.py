"""In a real browser, in both languages: a manager approves a quote discount in its row and
the routine rest in bulk from the one approvals inbox; the boss clicks this month's bar of
bookings against target and lands on the orders booked in it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core.approvals import waiting as waiting_items
from guanxi.core.tests.browser import browser_marks, signed_in, wait_until
from guanxi.orders.models import Review, SalesOrder
from guanxi.orders.tests import approvals_fixtures
from guanxi.sales.models import SalesTarget

pytestmark = browser_marks

world = approvals_fixtures.world
waiting = approvals_fixtures.waiting


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_manager_decides_in_the_row_then_approves_the_routine_rest(
        live_server, browser, waiting, language):
    o = waiting.org
    page = signed_in(browser, live_server, o.manager, language=language, path="/approvals/")
    first = waiting.quotes[0].review_id
    row = page.locator(f"#approval-discount-{first}")
    assert row.locator(".figures dt").count() >= 3           # labelled figures
    row.locator('button[value="approve"]').click()
    wait_until(page, f"!document.querySelector('#approval-discount-{first} form')")
    assert Review.objects.get(pk=first).status == Review.Status.APPROVED

    page.locator("#bulk-approve-all").click()
    page.wait_for_load_state()
    assert page.locator("#messages .alert-success").count() == 1
    # Left: the terms change, decided in its row (it needs a look).
    assert sorted(i.kind for i in waiting_items(o.manager)) == ["terms"]
    assert page.locator("#approval-inbox > li").count() == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_boss_clicks_a_month_of_bookings_and_sees_its_orders(
        live_server, browser, world, language):
    o, today = world.org, timezone.localdate()
    SalesOrder.objects.create(
        number="SO-BOSS-1", account=world.account, order_date=today.replace(day=1),
        status=SalesOrder.Status.CONFIRMED, net_amount=Decimal("88000"),
        total=Decimal("99440"), owner=o.rep, team=o.rep.team)
    SalesOrder.objects.create(
        number="SO-BOSS-OLD", account=world.account,
        order_date=today.replace(day=1) - dt.timedelta(days=40),
        status=SalesOrder.Status.CONFIRMED, net_amount=Decimal("1000"),
        total=Decimal("1130"), owner=o.rep, team=o.rep.team)
    SalesTarget.objects.create(month=today.replace(day=1), amount=Decimal("100000"))
    page = signed_in(browser, live_server, o.executive, language=language,
                     path="/analytics/")
    wait_until(page, "document.getElementById('chart-bookings').dataset.ready === '1'")
    # Where this month's bar is: the chart converts (last month, half its value) to pixels.
    x, y = page.evaluate("""() => {
      const el = document.getElementById('chart-bookings');
      const c = echarts.getInstanceByDom(el);
      const months = c.getOption().xAxis[0].data;
      const [px, py] = c.convertToPixel({seriesIndex: 0}, [months.length - 1, 44000]);
      const box = el.getBoundingClientRect();
      return [box.left + px, box.top + py];
    }""")
    page.mouse.click(x, y)
    page.wait_for_url("**/orders/sales-orders/**")
    assert "booked=true" in page.url
    body = page.locator("main").inner_text()
    assert "SO-BOSS-1" in body and "SO-BOSS-OLD" not in body
