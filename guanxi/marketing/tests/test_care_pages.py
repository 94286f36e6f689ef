"""Customer care and SMS settings as marketing uses them: who may open and change each page,
a greeting rule set up with its mistakes named at the field, its preview (who gets the next
greeting, at which hour, who is held back by consent) and history; the holiday calendar
edited; the SMS account with its keys never shown back, templates refused when too long, a
campaign's receipts and replies; the marketing home panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from guanxi.customers.services import consent
from guanxi.marketing.models import (
    Campaign,
    CampaignMember,
    CampaignResponse,
    GreetingRule,
    Holiday,
    SmsAccount,
    SmsMessage,
    SmsReply,
    SmsTemplate,
)
from guanxi.marketing.services.greetings import run_greetings

pytestmark = pytest.mark.django_db

READERS = ("marketing", "admin", "manager", "executive")
MANAGERS = ("marketing", "admin")
REFUSED = ("rep", "assistant", "finance", "delivery")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(org, make_account, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GUANXI_QUIET_HOURS = "0-0"  # any hour sends: the story does not wait for 9:00
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    born = f"1980-{tomorrow:%m-%d}" if (tomorrow.month, tomorrow.day) != (2, 29) \
        else "1980-02-28"
    account = make_account(name="上海明珠机电有限公司", contacts=[
        {"name": "张伟", "email": "zhang@mingzhu.example", "birthday": born},
        {"name": "王强", "email": "wang@mingzhu.example", "birthday": born}])
    zhang, wang = account.contacts.order_by("pk")
    consent.record(None, zhang, channel="email", purpose="care", granted=True, source="form",
                   evidence="care sign-up")
    consent.record(None, wang, channel="email", purpose="care", granted=False, source="staff",
                   evidence="said so on the phone")
    rule = GreetingRule.objects.create(
        name="生日祝福", occasion="birthday", days_before=1, subject_zh="生日快乐",
        body_zh="{{ contact.name }}，生日快乐！", created_by=org.marketing)
    template = SmsTemplate.objects.create(code="SMS_100", name="通知", text="您好${name}")
    campaign = Campaign.objects.create(name="春季短信", channel="sms", status="sending",
                                       owner=org.marketing)
    return account, zhang, wang, rule, template, campaign


def test_who_may_open_and_change_the_care_and_sms_pages(org, world):
    account, zhang, wang, rule, template, campaign = world
    pages = [reverse("marketing:greetings"), reverse("marketing:greeting", args=[rule.pk]),
             reverse("marketing:holidays"), reverse("marketing:sms_settings"),
             reverse("marketing:campaign_sms", args=[campaign.pk])]
    forms = [reverse("marketing:greeting_create"), reverse("marketing:greeting_edit",
                                                           args=[rule.pk]),
             reverse("marketing:sms_template_create"),
             reverse("marketing:sms_template", args=[template.pk])]
    # Every page for the roles that mark the lines (manage, read, refused) ...
    for name in ("marketing", "manager", "rep"):
        client = login(getattr(org, name))
        for url in pages:
            assert client.get(url).status_code == (200 if name in READERS else 403), (name, url)
        for url in forms:
            assert client.get(url).status_code == (200 if name in MANAGERS else 403), (name, url)
    # ... and the other roles on one page to read and one to change.
    for name in READERS + REFUSED:
        if name not in ("marketing", "manager", "rep"):
            client = login(getattr(org, name))
            assert client.get(pages[0]).status_code == (200 if name in READERS else 403), name
            assert client.get(forms[2]).status_code == (200 if name in MANAGERS else 403), name
    # Reading is not changing: a manager's posts are refused and nothing changes.
    manager = login(org.manager)
    posts = [
        (reverse("marketing:greeting_toggle", args=[rule.pk]),
         {"version": rule.version, "active": "0"}),
        (reverse("marketing:holidays"), {"action": "add", "key": "qingming",
                                          "date": "2026-04-05", "name_zh": "清明节"}),
        (reverse("marketing:sms_settings"), {"provider": "aliyun", "key_id": "K",
                                             "key_secret": "S", "sign_name": "关系科技"}),
        (reverse("marketing:sms_template_delete", args=[template.pk]),
         {"version": template.version}),
    ]
    for url, data in posts:
        assert manager.post(url, data).status_code == 403, url
    rule.refresh_from_db()
    assert rule.active and not Holiday.objects.filter(key="qingming").exists()
    assert not SmsAccount.objects.exists() and SmsTemplate.objects.filter(pk=template.pk).exists()
    # The menu leads there for marketing, not for a rep.
    assert reverse("marketing:greetings") in login(org.marketing).get(
        reverse("marketing:campaigns")).content.decode()
    assert reverse("marketing:greetings") not in login(org.rep).get(
        reverse("customers:list")).content.decode()


def test_a_greeting_rule_set_up_previewed_sent_and_stopped(org, world):
    account, zhang, wang, rule, template, campaign = world
    client = login(org.marketing)
    bad = client.post(reverse("marketing:greeting_create"), {
        "name": "中秋问候", "occasion": "holiday", "channel": "email", "days_before": "0",
        "subject_zh": "中秋快乐", "body_zh": "{{ contact.nickname }}中秋快乐"})
    text = bad.content.decode()
    assert bad.status_code == 400 and not GreetingRule.objects.filter(name="中秋问候").exists()
    assert 'id="field-holiday_key"' in text and "No holiday with this key" in text
    assert "contact.nickname" in text
    sms = client.post(reverse("marketing:greeting_create"), {
        "name": "短信问候", "occasion": "birthday", "channel": "sms", "days_before": "0",
        "body_zh": "生日快乐" * 60})
    assert sms.status_code == 400 and "SMS template" in sms.content.decode()
    made = client.post(reverse("marketing:greeting_create"), {
        "name": "中秋问候", "occasion": "holiday", "holiday_key": "mid_autumn", "channel": "email",
        "days_before": "1", "subject_zh": "中秋快乐", "body_zh": "{{ contact.name }}，中秋快乐！"})
    assert made.status_code == 302 and GreetingRule.objects.get(name="中秋问候").days_before == 1

    # The preview: tomorrow's birthdays go out today (one day before); Zhang will get it,
    # Wang is held back by his refusal, and the hour of the next run is shown.
    page = client.get(reverse("marketing:greeting", args=[rule.pk])).content.decode()
    assert "zhang@mingzhu.example" in page and "Will be sent" in page
    assert "wang@mingzhu.example" in page and "Skipped" in page
    assert ":07" in page
    assert run_greetings() == {"sent": 1, "skipped": 1, "failed": 0}
    assert [m.to for m in mail.outbox] == [["zhang@mingzhu.example"]]
    page = client.get(reverse("marketing:greeting", args=[rule.pk])).content.decode()
    assert "Nobody is due" in page or "zhang@mingzhu.example" not in page.split("History")[0]
    sent_only = client.get(reverse("marketing:greeting", args=[rule.pk]), {"status": "sent"})
    history = sent_only.content.decode().split("History")[1]
    assert "zhang@mingzhu.example" in history and "wang@mingzhu.example" not in history

    # Edited on a stale page: refused, nothing changed; then stopped.
    old = rule.version
    GreetingRule.objects.filter(pk=rule.pk).update(version=old + 1)
    stale = client.post(reverse("marketing:greeting_edit", args=[rule.pk]), {
        "name": "生日祝福（新）", "occasion": "birthday", "channel": "email", "days_before": "1",
        "subject_zh": "生日快乐", "body_zh": "生日快乐！", "version": old})
    assert stale.status_code == 400 and "Someone else changed" in stale.content.decode()
    rule.refresh_from_db()
    assert rule.name == "生日祝福"
    client.post(reverse("marketing:greeting_toggle", args=[rule.pk]),
                {"version": rule.version, "active": "0"})
    rule.refresh_from_db()
    assert not rule.active
    listing = client.get(reverse("marketing:greetings")).content.decode()
    assert "Stopped" in listing and "中秋问候" in listing


def test_the_holiday_calendar_gets_a_new_year_renamed_and_removed(org, world):
    client = login(org.marketing)
    bad = client.post(reverse("marketing:holidays"), {
        "action": "add", "key": "Spring Festival", "date": "2028-01-26", "name_zh": ""})
    text = bad.content.decode()
    assert bad.status_code == 400 and 'id="field-key"' in text and 'id="field-name_zh"' in text
    assert not Holiday.objects.filter(date=dt.date(2028, 1, 26)).exists()
    client.post(reverse("marketing:holidays"), {
        "action": "add", "key": "spring_festival", "date": "2028-01-26", "name_zh": "春节",
        "name_en": "Spring Festival"})
    new = Holiday.objects.get(key="spring_festival", date=dt.date(2028, 1, 26))
    page = client.get(reverse("marketing:holidays")).content.decode()
    with translation.override("en"):
        shown = formats.date_format(new.date, "DATE_FORMAT")
    assert shown in page  # dates formatted for the reader
    empty = client.post(reverse("marketing:holidays"), {"action": "rename", "holiday": new.pk,
                                                        "name_zh": " "})
    assert empty.status_code == 400 and "Chinese name" in empty.content.decode()
    client.post(reverse("marketing:holidays"), {"action": "rename", "holiday": new.pk,
                                                "name_zh": "春节（除夕前）", "name_en": "New Year"})
    new.refresh_from_db()
    assert (new.name_zh, new.name_en) == ("春节（除夕前）", "New Year")
    client.post(reverse("marketing:holidays"), {"action": "remove", "holiday": new.pk})
    assert not Holiday.objects.filter(pk=new.pk).exists()
    session = client.session
    session["guanxi_language"] = "zh-hans"
    session.save()
    assert "2026年10月1日" in client.get(reverse("marketing:holidays")).content.decode()


def test_sms_account_templates_and_a_campaigns_receipts(org, world, settings):
    account, zhang, wang, rule, template, campaign = world
    settings.GUANXI_SMS = {"max_parts": "1"}
    client = login(org.marketing)
    url = reverse("marketing:sms_settings")
    missing = client.post(url, {"provider": "tencent", "key_id": "AKID1234567890abcd",
                                "sign_name": "关系科技"})
    text = missing.content.decode()
    assert missing.status_code == 400 and 'id="field-key_secret"' in text
    assert 'id="field-app_id"' in text and not SmsAccount.objects.exists()
    client.post(url, {"provider": "aliyun", "key_id": "LTAI5tAbCdEfGh9876",
                      "key_secret": "very-secret-value-42", "sign_name": "关系科技"})
    page = client.get(url).content.decode()
    assert "9876" in page and "LTAI5tAbCdEfGh9876" not in page
    assert "very-secret-value-42" not in page and "【关系科技】" in page
    # Saved again without the secret: the stored one stays.
    saved = SmsAccount.objects.get()
    client.post(url, {"provider": "aliyun", "key_id": "", "key_secret": "",
                      "sign_name": "关系商城", "version": saved.version})
    saved.refresh_from_db()
    assert (saved.key_secret, saved.key_id, saved.sign_name) == (
        "very-secret-value-42", "LTAI5tAbCdEfGh9876", "关系商城")
    assert "very-secret-value-42" not in login(org.manager).get(url).content.decode()

    long = client.post(reverse("marketing:sms_template_create"), {
        "code": "SMS_200", "name": "长", "text": "尊敬的客户${name}，" + "新品上市" * 20,
        "active": "on"})
    text = long.content.decode()
    assert long.status_code == 400 and 'id="field-text"' in text and "At most 70" in text
    client.post(reverse("marketing:sms_template_create"), {
        "code": "SMS_200", "name": "到货", "text": "${name}您好，您的订单${order}已到货",
        "active": "on"})
    page = client.get(url).content.decode()
    assert "SMS_200" in page and "name, order" in page
    dup = client.post(reverse("marketing:sms_template", args=[template.pk]), {
        "code": "SMS_200", "name": "通知", "text": "您好${name}", "version": template.version})
    assert dup.status_code == 400 and "exists" in dup.content.decode()

    member = CampaignMember.objects.create(campaign=campaign, account=account, contact=zhang,
                                           address="+8613812345678", state="sent")
    now = timezone.now()
    msg = SmsMessage.objects.create(provider="aliyun", phone="+8613812345678",
                                    sign_name="关系科技", template_code="SMS_100", text="您好",
                                    status="delivered", member=member, account=account,
                                    sent_at=now, reported_at=now)
    SmsMessage.objects.create(provider="aliyun", phone="+8613900000000", sign_name="关系科技",
                              template_code="SMS_100", text="您好", status="undelivered",
                              error="空号", member=CampaignMember.objects.create(
                                  campaign=campaign, account=account, address="+8613900000000",
                                  state="sent"),
                              sent_at=now)
    SmsReply.objects.create(provider="aliyun", phone="+8613812345678", text="退订",
                            received_at=now, unsubscribe=True, message=msg)
    page = login(org.manager).get(reverse("marketing:campaign_sms", args=[campaign.pk]))
    text = page.content.decode()
    assert "138 1234 5678" in text and "空号" in text and "退订" in text
    undelivered = login(org.manager).get(reverse("marketing:campaign_sms", args=[campaign.pk]),
                                         {"status": "undelivered"}).content.decode()
    assert "空号" in undelivered and "138 1234 5678" not in undelivered.split("Replies")[0]
    detail = client.get(reverse("marketing:campaign", args=[campaign.pk])).content.decode()
    assert reverse("marketing:campaign_sms", args=[campaign.pk]) in detail

    # The marketing home: the campaign sending with its progress, the reply.
    CampaignResponse.objects.create(member=member, campaign=campaign, kind="replied", at=now)
    home = client.get(reverse("customers:home")).content.decode()
    assert 'id="marketing-home"' in home and "春季短信" in home and "2 of 2 (100%)" in home
    assert "Replied" in home
    assert 'id="marketing-home"' not in login(org.rep).get(
        reverse("customers:home")).content.decode()
