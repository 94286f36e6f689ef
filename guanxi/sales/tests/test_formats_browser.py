"""In a browser, in both languages: shown amounts are grouped and dates read as the reader
writes them, while a form's number and date inputs carry plain values, so saving a form
unchanged changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.tests.browser import browser_marks, signed_in, wait_until

pytestmark = browser_marks


@pytest.mark.parametrize("language, amount, day", [
    ("zh-hans", "2,100,000.00", "2026年12月7日"),
    ("en", "2,100,000.00", "7 Dec 2026"),
])
def test_shown_values_are_formatted_and_inputs_round_trip(live_server, org, make_account,
                                                         browser, language, amount, day):
    from django.urls import reverse
    from django.utils import timezone

    from guanxi.sales.models import Opportunity, Pipeline

    account = make_account(by=org.rep)
    pipeline = Pipeline.objects.get(is_default=True)
    opp = Opportunity.objects.create(
        name="二期扩建变压器", account=account, pipeline=pipeline,
        stage=pipeline.stages.first(), owner=org.rep, team=account.team, created_by=org.rep,
        created_at=timezone.now(), amount=Decimal("2100000.00"),
        expected_close=dt.date(2026, 12, 7))
    page = signed_in(browser, live_server, org.rep, language=language,
                     path=reverse("sales:opportunity", args=[opp.pk]))
    body = page.inner_text("body")
    assert amount in body and day in body

    page.goto(live_server.url + reverse("sales:opportunity_edit", args=[opp.pk]))
    assert page.input_value("input[name=amount]") in ("2100000.00", "2100000")
    assert page.input_value("input[name=expected_close]") == "2026-12-07"
    page.locator("form:has(input[name=expected_close]) button[type=submit]").first.click()
    wait_until(page, f"location.pathname === {reverse('sales:opportunity', args=[opp.pk])!r}")
    opp.refresh_from_db()
    assert opp.amount == Decimal("2100000.00") and opp.expected_close == dt.date(2026, 12, 7)
