"""At the exhibition, on phones: a visitor registers through the open link and gets a code;
the staff member at the door finds them by that code and checks them in with one tap — in
Chinese and in English, without sideways scrolling."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.core.tests.browser import PHONE, browser_marks
from guanxi.marketing.models import EventRegistration
from guanxi.marketing.services import campaigns as svc
from guanxi.marketing.services import events
from guanxi.marketing.services import segments as seg_svc

pytestmark = [*browser_marks, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_register_and_check_in_on_a_phone(live_server, org, make_account, browser, settings):
    from guanxi.core.tests.browser import signed_in

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_account(name="上海汽车经销有限公司", industry="automotive",
                 contacts=[{"name": "采购", "email": "buyer@dealer.example"}])
    segment = seg_svc.create_segment(org.marketing, {"name": "经销商",
                                                     "rules": {"industry": "automotive"}})
    campaign = svc.create_campaign(org.marketing, {
        "name": "2026 上海国际车展", "channel": "event", "control_percent": 0,
        "subject_zh": "车展邀请", "body_zh": "欢迎莅临", "options": {
            "venue": "国家会展中心", "capacity": 50, "event_at": "2026-04-23T09:00:00+08:00"}},
        segments=[segment])
    campaign = svc.launch_campaign(org.marketing, campaign, campaign.version)
    open_path = reverse("marketing:register", args=[events.open_token(campaign)])
    checkin = reverse("marketing:checkin", args=[campaign.pk])

    for n, language in enumerate(("zh-hans", "en")):
        visitor = browser.new_page(viewport=PHONE, locale="zh-CN" if n == 0 else "en-US")
        visitor.goto(live_server.url + open_path)
        visitor.fill("#id_name", f"观众{n}")
        visitor.fill("#id_phone", "12")  # a typo: named at the field, the form kept
        visitor.locator("form button[type=submit]").click()
        assert visitor.locator("#field-phone .invalid-feedback").is_visible()
        visitor.fill("#id_phone", f"1370013700{n}")
        visitor.locator("form button[type=submit]").click()
        code = visitor.locator("#registration-code").inner_text().strip()
        assert code == EventRegistration.objects.get(phone=f"+861370013700{n}").code
        assert visitor.locator("svg").count() == 1 and visitor.evaluate(FITS)

        staff = signed_in(browser, live_server, org.marketing, language=language,
                          viewport=PHONE, path=checkin)
        assert staff.locator("html").get_attribute("lang") == language
        staff.fill("#checkin-q", code.lower())
        staff.locator("#checkin-search button").click()
        staff.locator("#checkin-results form button").click()
        assert staff.locator("#checkin-count strong").inner_text() == str(n + 1)
        assert staff.evaluate(FITS)
    assert EventRegistration.objects.filter(checked_in_at__isnull=False).count() == 2
