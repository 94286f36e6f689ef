"""What a campaign earned: conversions by orders within the window, rates, uplift over the
control group, ROI, and the figures analytics shows (ROI over time, marketing cost deducted
from a customer's profitability)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.analytics import contributions
from guanxi.marketing.models import CampaignMember
from guanxi.marketing.services import analysis
from guanxi.marketing.services import campaigns as svc
from guanxi.marketing.services import segments as seg_svc
from guanxi.marketing.services.sending import send_campaign


@pytest.fixture
def sent(org, make_account, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    accounts = [make_account(name=f"客户{n}", industry="energy",
                             contacts=[{"name": f"联系人{n}", "email": f"p{n}@example.cn"}])
                for n in range(4)]
    segment = seg_svc.create_segment(org.marketing, {"name": "能源", "rules":
                                                     {"industry": "energy"}})
    campaign = svc.create_campaign(org.marketing, {
        "name": "秋季促销", "control_percent": 0, "subject_zh": "促销", "body_zh": "您好",
        "budget": "5000", "conversion_days": 30}, segments=[segment])
    campaign = svc.launch_campaign(org.marketing, campaign, campaign.version, seed=1)
    # The last customer is held out as the control group.
    CampaignMember.objects.filter(campaign=campaign, account=accounts[3]).update(
        is_control=True, state="control")
    send_campaign(campaign.pk, sleep=lambda s: None)
    svc.add_cost(org.marketing, campaign, "邮件平台费用", "1000")
    return campaign, accounts


def test_orders_in_the_window_convert_and_roi_is_margin_less_cost_over_cost(org, sent):
    from guanxi.orders.tests.receivables_fixtures import make_order

    campaign, accounts = sent
    today = timezone.localdate()
    order = make_order(accounts[0], "11300", owner=org.rep, on=today)
    order.cost = Decimal("4000")
    order.save(update_fields=["cost"])
    make_order(accounts[1], "5650", owner=org.rep, on=today - dt.timedelta(days=40))  # before
    campaign.refresh_from_db()
    assert analysis.attribute_conversions(campaign) == 1
    assert analysis.attribute_conversions(campaign) == 0  # once
    member = CampaignMember.objects.get(campaign=campaign, account=accounts[0])
    assert member.converted_at is not None and member.margin == Decimal("6000.00")
    result = analysis.summary(campaign)
    assert result["treated"]["sent"] == 3
    assert result["treated_conversion"] == pytest.approx(1 / 3)
    assert result["control_conversion"] == 0 and result["uplift"] == pytest.approx(1 / 3)
    assert result["cost"] == Decimal("1000") and result["roi"] == Decimal("5.0000")
    by_province = analysis.breakdown(campaign, "province")
    assert sum(row["members"] for row in by_province) == 3
    assert analysis.breakdown(campaign, "segment")[0]["converted"] == 1


def test_analytics_shows_campaign_roi_and_deducts_marketing_cost(sent):
    campaign, accounts = sent
    today = timezone.localdate()
    assert analysis.roi_between(None, today) == -1.0  # cost and no margin yet
    costs = contributions.customer_costs(accounts[0].pk)
    assert costs == [("Marketing cost", Decimal("333.33"))]
    assert contributions.customer_costs(accounts[3].pk) == []  # control: never reached
    assert "marketing.roi" in {k.key for k in contributions.kpis()}


def test_responders_become_leads_with_the_campaign_as_source(org, sent):
    from guanxi.marketing.services.leads import leads_from_responders
    from guanxi.marketing.services.responses import record_response
    from guanxi.sales.models import Lead

    campaign, accounts = sent
    member = CampaignMember.objects.get(campaign=campaign, account=accounts[1])
    record_response(member, "clicked", data={"url": "https://www.example.com/"})
    assert leads_from_responders(org.marketing, campaign) == 1
    assert leads_from_responders(org.marketing, campaign) == 0  # once
    lead = Lead.objects.get()
    assert lead.source == "campaign" and lead.account == accounts[1]
    assert lead.source_detail == f"秋季促销 (#{campaign.pk})"
