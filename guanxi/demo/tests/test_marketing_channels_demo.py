"""The demo's exhibition, phone and WeChat campaigns: added once, with registrations (invited
and walk-ins, who became leads), check-ins, call outcomes and clicks to show."""

from __future__ import annotations

import pytest

from guanxi.demo import marketing_channels as demo
from guanxi.demo.org import ensure_org
from guanxi.marketing.models import Campaign, CampaignLink, CampaignMember, EventRegistration

pytestmark = pytest.mark.django_db


def test_demo_adds_the_worked_channels_once(make_account, org):
    demo_org = ensure_org()
    for n in range(24):
        make_account(by=demo_org.users["rep"], name=f"华东电力设备{n}号有限公司",
                     industry="energy",
                     contacts=[{"name": f"王工{n}", "mobile": f"1381234{n:04d}",
                                "email": f"wang{n}@power{n}.example", "wechat": f"wx_wang{n}"}])
    demo.add(demo_org)
    event = Campaign.objects.get(channel="event")
    assert event.name.startswith("2026 上海国际电力展")
    registrations = EventRegistration.objects.filter(campaign=event)
    assert registrations.filter(member__isnull=False).exists()
    assert registrations.filter(member__isnull=True, lead_id__isnull=False).count() == \
        len(demo.WALK_INS)
    assert registrations.filter(checked_in_at__isnull=False).exists()
    phone = Campaign.objects.get(channel="phone")
    assert CampaignMember.objects.filter(campaign=phone).exclude(call_outcome="").count() >= 20
    wechat = Campaign.objects.get(channel="wechat")
    assert CampaignMember.objects.filter(campaign=wechat, clicked_at__isnull=False).exists()
    assert CampaignLink.objects.get(campaign=wechat).shared_clicks > 0
    demo.add(demo_org)
    assert Campaign.objects.count() == 3
