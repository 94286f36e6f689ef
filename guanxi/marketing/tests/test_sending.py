"""E-mail campaigns end to end against a real SMTP server on loopback: consent decides who is
a member, merge fields and the A/B subject, tracked links (never an open redirect), the open
pixel, one-click unsubscribe headers, pause and resume without sending anyone twice, replies
and bounces from the mailbox reader."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.inbound_mail import InboundMail, dispatch
from guanxi.customers.services import consent
from guanxi.marketing.models import Campaign, CampaignMember
from guanxi.marketing.services import campaigns as svc
from guanxi.marketing.services import segments as seg_svc
from guanxi.marketing.services.sending import progress, send_campaign
from guanxi.marketing.tests import smtp


@pytest.fixture(scope="module")
def server():
    controller, handler = smtp.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def mailer(server, settings):
    controller, handler = server
    smtp.use(settings, controller)
    handler.messages.clear()
    return handler


@pytest.fixture
def world(org, make_account):
    names = ["张三", "李四", "王五", "赵六"]
    contacts = []
    for n, name in enumerate(names):
        account = make_account(name=f"华东制造{n}号有限公司", industry="manufacturing",
                               contacts=[{"name": name, "email": f"c{n}@factory.example"}])
        contacts.append(account.contacts.get())
    unsubscribed = contacts[3]
    consent.record(None, unsubscribed, channel="email", purpose="marketing", granted=False,
                   source="unsubscribe")
    person = make_account(name="钱女士", kind="person", industry="manufacturing",
                          contacts=[{"name": "钱女士", "email": "qian@home.example"}])
    make_account(name="能源公司", industry="energy",
                 contacts=[{"name": "孙七", "email": "sun@energy.example"}])
    segment = seg_svc.create_segment(org.marketing, {"name": "制造业",
                                                     "rules": {"industry": "manufacturing"}})
    return contacts, person, segment


def make_campaign(org, segment, **data):
    fields = {"name": "新品发布", "control_percent": 0, "rate_per_minute": 100000,
              "subject_zh": "{{ contact.name }}，新品发布会邀请",
              "subject_b_zh": "",
              "body_zh": "{{ contact.name }} 您好，\n"
                         "请看 https://www.example.com/new?x=1 了解详情。"}
    return svc.create_campaign(org.marketing, fields | data, segments=[segment])


def launch(org, campaign, **kw):
    return svc.launch_campaign(org.marketing, campaign, campaign.version, seed=7, **kw)


def test_campaign_reaches_consented_members_with_merge_fields_and_headers(org, world,
                                                                          mailer):
    contacts, _person, segment = world
    campaign = launch(org, make_campaign(org, segment))
    assert campaign.status == Campaign.Status.SENDING
    # The personal customer (no consent) and the unsubscribed contact are not members.
    members = CampaignMember.objects.filter(campaign=campaign)
    assert {m.contact_id for m in members} == {c.pk for c in contacts[:3]}
    assert send_campaign(campaign.pk, sleep=lambda s: None) == 3
    assert sorted(r[0][0] for r in mailer.messages) == [f"c{n}@factory.example"
                                                         for n in range(3)]
    to, message = next(m for m in mailer.messages if m[0] == ["c0@factory.example"])
    assert message["Subject"] == "张三，新品发布会邀请"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.match(r"<http://\S+/unsubscribe/\S+/>", message["List-Unsubscribe"].strip())
    text = message.get_body(("plain",)).get_content()
    assert "张三 您好" in text and "www.example.com" not in text  # the link is tracked
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DONE
    assert progress(campaign)["sent"] == 3 and progress(campaign)["percent"] == 100


def test_clicks_opens_and_unsubscribes_are_recorded_and_redirects_are_signed(org, world,
                                                                             mailer):
    contacts, _person, segment = world
    campaign = launch(org, make_campaign(org, segment))
    send_campaign(campaign.pk, sleep=lambda s: None)
    _to, message = next(m for m in mailer.messages if m[0] == ["c0@factory.example"])
    text = message.get_body(("plain",)).get_content()
    click = re.search(r"http://[^/\s]+(/marketing/r/\S+/)", text).group(1)
    client = Client()
    answer = client.get(click)
    assert answer.status_code == 302 and answer["Location"] == "https://www.example.com/new?x=1"
    member = CampaignMember.objects.get(campaign=campaign, contact=contacts[0])
    assert member.clicked_at and member.opened_at  # a click proves the open
    # A token altered to point elsewhere is not followed.
    assert client.get(click[:-6] + "abcde/").status_code == 404
    # The pixel in the second member's message: loaded twice, one open.
    _to, second = next(m for m in mailer.messages if m[0] == ["c1@factory.example"])
    html = second.get_body(("html",)).get_content()
    pixel = re.search(r'src="http://[^/"]+(/marketing/o/[^"]+)"', html).group(1)
    assert client.get(pixel)["Content-Type"] == "image/gif"
    assert client.get(pixel).status_code == 200
    other = CampaignMember.objects.get(campaign=campaign, contact=contacts[1])
    assert other.opened_at is not None and other.clicked_at is None
    assert other.responses.filter(kind="opened").count() == 1
    # One-click unsubscribe from the header withdraws marketing consent.
    url = re.match(r"<http://[^/]+(/\S+)>", message["List-Unsubscribe"].strip()).group(1)
    Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert not consent.may_contact(contacts[0], "email", "marketing").allowed
    member.refresh_from_db()
    assert member.unsubscribed_at is not None


def test_pause_and_resume_never_send_anyone_twice(org, world, mailer):
    _contacts, _person, segment = world
    campaign = launch(org, make_campaign(org, segment))
    calls = []

    def pause_after_first(_seconds):
        calls.append(1)
        if len(calls) == 1:
            svc.pause_campaign(org.marketing, Campaign.objects.get(pk=campaign.pk),
                               Campaign.objects.get(pk=campaign.pk).version)

    campaign.rate_per_minute = 60  # every send waits: the sleep hook pauses after the first
    Campaign.objects.filter(pk=campaign.pk).update(rate_per_minute=60)
    assert send_campaign(campaign.pk, sleep=pause_after_first) == 1
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PAUSED
    assert send_campaign(campaign.pk, sleep=lambda s: None) == 0  # paused: nothing
    svc.resume_campaign(org.marketing, campaign, campaign.version)
    assert send_campaign(campaign.pk, sleep=lambda s: None) == 2
    assert send_campaign(campaign.pk, sleep=lambda s: None) == 0
    recipients = [r[0][0] for r in mailer.messages]
    assert len(recipients) == 3 and len(set(recipients)) == 3


def test_consent_withdrawn_after_launch_is_honoured_at_sending(org, world, mailer):
    contacts, _person, segment = world
    campaign = launch(org, make_campaign(org, segment))
    consent.record(None, contacts[1], channel="email", purpose="marketing", granted=False,
                   source="reply", evidence="TD")
    assert send_campaign(campaign.pk, sleep=lambda s: None) == 2
    member = CampaignMember.objects.get(campaign=campaign, contact=contacts[1])
    assert member.state == "skipped" and member.sent_at is None


def test_a_campaign_with_no_consented_member_is_refused(org, world, mailer):
    _contacts, person, _segment = world
    only_person = seg_svc.create_segment(org.marketing, {"name": "个人客户", "kind": "static"})
    seg_svc.add_selection(org.marketing, only_person, [person.pk])
    campaign = make_campaign(org, only_person)
    with pytest.raises(DomainError) as caught:
        launch(org, campaign)
    assert caught.value.code == "no_consent"
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert not CampaignMember.objects.filter(campaign=campaign).exists()
    assert not mailer.messages


def test_unknown_merge_field_is_a_clear_error(org, world):
    _contacts, _person, segment = world
    with pytest.raises(FieldErrors) as caught:
        make_campaign(org, segment, subject_en="Hello {{ contact.nickname }}")
    assert "{{ contact.nickname }}" in caught.value.errors["subject_en"][0]
    assert not Campaign.objects.exists()


def test_control_group_and_ab_split(org, make_account, world):
    _contacts, _person, segment = world
    for n in range(40):
        make_account(name=f"批量客户{n}", industry="manufacturing",
                     contacts=[{"name": f"联系人{n}", "email": f"bulk{n}@example.cn"}])
    campaign = launch(org, make_campaign(org, segment, control_percent=25,
                                         subject_b_zh="限时优惠：{{ account.name }}"))
    members = CampaignMember.objects.filter(campaign=campaign)
    control = members.filter(is_control=True).count()
    assert 3 <= control <= 20 and members.filter(is_control=True, state="control").count() \
        == control
    variants = set(members.filter(is_control=False).values_list("variant", flat=True))
    assert variants == {"A", "B"}


def test_replies_and_bounces_from_the_mailbox_reader(org, world, mailer):
    contacts, _person, segment = world
    campaign = launch(org, make_campaign(org, segment))
    send_campaign(campaign.pk, sleep=lambda s: None)
    m0 = CampaignMember.objects.get(campaign=campaign, contact=contacts[0])
    m1 = CampaignMember.objects.get(campaign=campaign, contact=contacts[1])
    now = dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
    reply = InboundMail(mailbox="replies", purpose="replies", message_id="r1@x",
                        sender="c0@factory.example", subject="Re: 新品", text="感兴趣",
                        received_at=now, in_reply_to=m0.message_id)
    assert dispatch(reply) == "marketing.campaign_replies"
    bounce = InboundMail(mailbox="replies", purpose="replies", message_id="b1@x",
                         sender="mailer-daemon@x", subject="Undelivered", text="",
                         received_at=now, is_bounce=True, bounced_message_id=m1.message_id)
    assert dispatch(bounce) == "marketing.campaign_replies"
    m0.refresh_from_db()
    m1.refresh_from_db()
    assert m0.replied_at == now and m1.bounced_at == now
    other = InboundMail(mailbox="replies", purpose="replies", message_id="z@x", sender="a@b",
                        subject="hi", text="", received_at=now, in_reply_to="unknown@x")
    assert dispatch(other) != "marketing.campaign_replies"
