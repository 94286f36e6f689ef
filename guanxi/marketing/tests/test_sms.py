"""SMS through Alibaba Cloud and Tencent Cloud, against stand-ins of their APIs on loopback:
signed requests, the vendors' error codes in words, the length limit, consent, and the
receipts and replies they push back (a wrong callback secret writes nothing; 退订 / TD / T
withdraw SMS marketing consent)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from guanxi.core.errors import FieldErrors
from guanxi.customers.models import Consent
from guanxi.customers.services import consent
from guanxi.marketing.models import SmsMessage, SmsReply
from guanxi.marketing.services import sms
from guanxi.marketing.tests import sms_servers as vendors

pytestmark = pytest.mark.django_db
TOKEN = "callback-secret-123"
MOBILE = "+8613812345678"


@pytest.fixture(scope="module")
def aliyun_server():
    server = vendors.VendorServer(vendors.AliyunHandler)
    yield server
    server.close()


@pytest.fixture(scope="module")
def tencent_server():
    server = vendors.VendorServer(vendors.TencentHandler)
    yield server
    server.close()


def _configure(settings, provider, server, **changes):
    settings.GUANXI_SMS = {"provider": provider, "key_id": vendors.KEY_ID,
                           "key_secret": vendors.SECRET, "sign_name": "关系科技",
                           "app_id": vendors.APP_ID, "region": "", "endpoint": server.url,
                           "callback_token": TOKEN, "max_parts": "1"} | changes
    server.requests.clear()


@pytest.fixture
def person(org, make_account):
    """A contact with a mobile number who agreed to SMS marketing."""
    account = make_account(contacts=[{"name": "张伟", "mobile": "138 1234 5678"}])
    contact = account.contacts.get()
    consent.record(None, contact, channel="sms", purpose="marketing", granted=True,
                   source="form", evidence="Exhibition sign-up form")
    return contact


@pytest.fixture
def aliyun(settings, aliyun_server):
    _configure(settings, "aliyun", aliyun_server)
    return aliyun_server


@pytest.fixture
def tencent(settings, tencent_server):
    _configure(settings, "tencent", tencent_server)
    return tencent_server


def _send(phone=MOBILE, template="SMS_100001", **params):
    return sms.send_sms(phone, template_code=template,
                        params=params or {"name": "张伟", "product": "开关柜"},
                        text="张伟您好，开关柜新品上市，欢迎垂询。")


def test_alibaba_takes_a_signed_request_and_gives_its_id(aliyun, person):
    row = _send()
    assert row.status == "sent" and row.message_id.endswith("^0")
    [request] = aliyun.requests
    assert request["Action"] == "SendSms" and request["PhoneNumbers"] == "13812345678"
    assert request["SignName"] == "关系科技" and request["TemplateCode"] == "SMS_100001"
    assert json.loads(request["TemplateParam"]) == {"name": "张伟", "product": "开关柜"}


def test_tencent_takes_a_tc3_signed_request_and_gives_its_serial_number(tencent, person):
    row = _send(template="1100001", **{"1": "张伟", "2": "开关柜"})
    assert row.status == "sent" and row.message_id.startswith("5000:")
    body = tencent.requests[0]["body"]
    assert body["PhoneNumberSet"] == [MOBILE] and body["TemplateParamSet"] == ["张伟", "开关柜"]


@pytest.mark.parametrize(("changes", "template", "message"), [
    ({"key_secret": "wrong"}, "SMS_100001", "access key secret is wrong"),
    ({"key_id": "LTAI-nobody"}, "SMS_100001", "access key id does not exist"),
    ({"sign_name": "别人的签名"}, "SMS_100001", "signature is not approved"),
    ({}, "SMS_999999", "template is not approved"),
])
def test_alibaba_refusals_are_recorded_in_words(settings, aliyun_server, person, changes,
                                                template, message):
    _configure(settings, "aliyun", aliyun_server, **changes)
    row = _send(template=template)
    assert row.status == "failed" and message in row.error
    assert SmsMessage.objects.get() == row


def test_alibaba_daily_limit_and_bad_number_are_explained(settings, aliyun, org,
                                                          make_account):
    row = sms.send_sms("+8613900000009", template_code="SMS_100001",
                       params={"name": "x", "product": "y"}, text="测试", gate=False)
    assert row.error_code == "isv.BUSINESS_LIMIT_CONTROL" and "too many SMS" in row.error


@pytest.mark.parametrize(("changes", "template", "message"), [
    ({"key_secret": "wrong"}, "1100001", "secret key is wrong"),
    ({"sign_name": "别人的签名"}, "1100001", "signature is not approved"),
    ({}, "999", "template is not approved"),
])
def test_tencent_refusals_are_recorded_in_words(settings, tencent_server, person, changes,
                                                template, message):
    _configure(settings, "tencent", tencent_server, **changes)
    row = _send(template=template, **{"1": "a", "2": "b"})
    assert row.status == "failed" and message in row.error


def test_tencent_per_number_errors(tencent):
    row = sms.send_sms("+8613900000009", template_code="1100001", params={"1": "a", "2": "b"},
                       text="测试", gate=False)
    assert row.error_code == "LimitExceeded.PhoneNumberDailyLimit"
    assert "daily SMS limit" in row.error


def test_a_message_over_the_limit_is_refused_before_anything_is_sent(aliyun, person, settings):
    # 【关系科技】 is 6 characters: 64 more make 70, one SMS; 65 more make two.
    with pytest.raises(FieldErrors) as refused:
        sms.send_sms(MOBILE, template_code="SMS_100001", params={"name": "a", "product": "b"},
                     text="好" * 65)
    assert "71 characters" in refused.value.errors["text"][0]
    assert aliyun.requests == [] and not SmsMessage.objects.exists()
    assert sms.send_sms(MOBILE, template_code="SMS_100001",
                        params={"name": "a", "product": "b"}, text="好" * 64).status == "sent"
    settings.GUANXI_SMS = settings.GUANXI_SMS | {"max_parts": "2"}
    sms.check("好" * 128)  # two parts of 67 with the signature: 134
    with pytest.raises(FieldErrors):
        sms.check("好" * 129)


def test_no_consent_no_sms(aliyun, org, make_account, settings):
    settings.GUANXI_COMPANY_CONSENT = "opt_in"  # company contacts too need a recorded consent
    account = make_account(contacts=[{"name": "李娜", "mobile": "13812340000"}])
    with pytest.raises(FieldErrors) as refused:
        _send(phone="+8613812340000")
    assert "may not receive" in refused.value.errors["phone"][0]
    assert aliyun.requests == [] and not SmsMessage.objects.exists()
    assert account  # the contact exists, it is only not asked


def _china_now() -> str:
    """The vendors' time stamps are China time."""
    china = dt.timezone(dt.timedelta(hours=8))
    return (timezone.now() + dt.timedelta(seconds=1)).astimezone(china).strftime(
        "%Y-%m-%d %H:%M:%S")


def _post(path, body):
    return Client().post(path, data=json.dumps(body, ensure_ascii=False),
                         content_type="application/json")


def test_alibaba_receipts_mark_messages_delivered_or_not(aliyun, person):
    row = _send()
    report = [{"phone_number": "13812345678", "send_time": "2026-12-07 20:00:00",
               "report_time": "2026-12-07 20:00:05", "success": False,
               "err_code": "MK:0001", "err_msg": "用户关机", "sms_size": "1",
               "biz_id": row.message_id, "out_id": ""}]
    refused = _post(f"/marketing/sms/aliyun/report/wrong-{TOKEN}/", report)
    assert refused.status_code == 403
    row.refresh_from_db()
    assert row.status == "sent"  # nothing written
    answer = _post(f"/marketing/sms/aliyun/report/{TOKEN}/", report)
    assert answer.status_code == 200 and answer.json() == {"code": 0, "msg": "接收成功"}
    row.refresh_from_db()
    assert row.status == "undelivered" and row.error == "用户关机"
    assert _post(f"/marketing/sms/aliyun/report/{TOKEN}/", {"oops": 1}).status_code == 200
    assert Client().post(f"/marketing/sms/aliyun/report/{TOKEN}/", data="not json",
                         content_type="application/json").status_code == 400


def test_tencent_receipts(tencent, person):
    row = _send(template="1100001", **{"1": "a", "2": "b"})
    report = [{"user_receive_time": "2026-12-07 20:03:04", "nationcode": "86",
               "mobile": "13812345678", "report_status": "SUCCESS", "errmsg": "DELIVRD",
               "description": "用户短信送达成功", "sid": row.message_id}]
    answer = _post(f"/marketing/sms/tencent/report/{TOKEN}/", report)
    assert answer.json() == {"result": 0, "errmsg": "OK"}
    row.refresh_from_db()
    assert row.status == "delivered" and row.reported_at is not None


@pytest.mark.parametrize("word", ["退订", "TD", "t"])
def test_an_unsubscribe_reply_withdraws_sms_marketing_consent(aliyun, person, word):
    _send()
    reply = [{"phone_number": "13812345678", "send_time": _china_now(), "content": word,
              "sign_name": "关系科技", "dest_code": "1234", "sequence_id": 1234567890}]
    assert _post("/marketing/sms/aliyun/reply/nope/", reply).status_code == 403
    assert not SmsReply.objects.exists()
    assert consent.may_contact(person, "sms", "marketing").allowed
    assert _post(f"/marketing/sms/aliyun/reply/{TOKEN}/", reply).status_code == 200
    assert SmsReply.objects.get().unsubscribe
    assert not consent.may_contact(person, "sms", "marketing").allowed
    assert Consent.objects.filter(contact=person, granted=False, source="reply").exists()
    with pytest.raises(FieldErrors):
        _send()  # the next marketing SMS is refused


def test_an_ordinary_reply_changes_no_consent(tencent, person):
    reply = {"extend": "", "mobile": "13812345678", "nationcode": "86", "sign": "关系科技",
             "text": "请问价格多少？", "time": 1796644800}
    assert _post(f"/marketing/sms/tencent/reply/{TOKEN}/", reply).status_code == 200
    saved = SmsReply.objects.get()
    assert saved.text == "请问价格多少？" and not saved.unsubscribe
    assert consent.may_contact(person, "sms", "marketing").allowed


def test_an_sms_campaign_reaches_consenting_mobiles_and_learns_from_receipts_and_replies(
        aliyun, org, make_account):
    from guanxi.marketing.models import CampaignMember
    from guanxi.marketing.services import campaigns as svc
    from guanxi.marketing.services import segments as seg_svc
    from guanxi.marketing.services.sending import send_campaign

    people = []
    for n, name in enumerate(["张伟", "李娜", "王强"]):
        account = make_account(name=f"展会客户{n}号有限公司", industry="energy",
                               contacts=[{"name": name, "mobile": f"1381234000{n}"}])
        people.append(account.contacts.get())
    consent.record(None, people[2], channel="sms", purpose="marketing", granted=False,
                   source="staff", evidence="asked by phone not to get SMS")
    segment = seg_svc.create_segment(org.marketing, {"name": "能源",
                                                     "rules": {"industry": "energy"}})
    data = {"name": "储能新品", "channel": "sms", "control_percent": 0,
            "rate_per_minute": 100000, "body_zh": "{{ contact.name }}您好，储能新品上市。",
            "options": {"sms_template": "SMS_100001",
                        "sms_params": {"name": "{{ contact.name }}", "product": "储能"}}}
    too_long = svc.create_campaign(org.marketing, data | {"body_zh": "长" * 80},
                                   segments=[segment])
    with pytest.raises(FieldErrors) as refused:
        svc.launch_campaign(org.marketing, too_long, too_long.version, seed=1)
    assert "characters" in refused.value.errors["body_zh"][0]
    campaign = svc.create_campaign(org.marketing, data, segments=[segment])
    campaign = svc.launch_campaign(org.marketing, campaign, campaign.version, seed=1)
    assert send_campaign(campaign.pk, sleep=lambda s: None) == 2
    sent = [json.loads(r["TemplateParam"]) for r in aliyun.requests]
    assert sorted(p["name"] for p in sent) == ["张伟", "李娜"]
    member = CampaignMember.objects.get(campaign=campaign, contact=people[0])
    row = SmsMessage.objects.get(member=member)
    assert row.text == "张伟您好，储能新品上市。 回T退订"
    _post(f"/marketing/sms/aliyun/report/{TOKEN}/", [{
        "phone_number": "13812340000", "success": True, "err_code": "DELIVERED",
        "err_msg": "用户接收成功", "biz_id": row.message_id, "report_time": _china_now()}])
    _post(f"/marketing/sms/aliyun/reply/{TOKEN}/", [{
        "phone_number": "13812340000", "content": "TD", "send_time": _china_now()}])
    member.refresh_from_db()
    assert member.delivered_at and member.replied_at and member.unsubscribed_at
    assert not consent.may_contact(people[0], "sms", "marketing").allowed
