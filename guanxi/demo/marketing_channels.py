"""Demo of the worked campaign channels: an exhibition (invitations by e-mail to the in-memory
mail box, registrations by invited customers and walk-ins from the open link, check-ins at
the booth), a phone campaign worked by marketing and a rep with outcomes, and a WeChat
community campaign with tracked clicks — so each campaign page shows its channel's progress."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db.models import F
from django.test.utils import override_settings
from django.utils import timezone

from guanxi.core.errors import DomainError
from guanxi.customers.models import Account
from guanxi.demo.org import DemoOrg
from guanxi.marketing.models import Campaign, CampaignLink, CampaignMember
from guanxi.marketing.services import calls, events
from guanxi.marketing.services import campaigns as svc
from guanxi.marketing.services import segments as seg_svc
from guanxi.marketing.services.responses import record_response
from guanxi.marketing.services.sending import send_campaign

MAX_MEMBERS = 300
WALK_INS = (("周建国", "13916620001", "上海电气配套厂"), ("吴晓梅", "13916620002", "临港储能科技"),
            ("郑海涛", "13916620003", "宁波电力设计院"), ("孙丽", "13916620004", ""),
            ("冯志远", "13916620005", "苏州光伏工程"), ("陈静", "13916620006", "嘉兴配电安装"))
OUTCOMES = ("interested", "not_interested", "not_interested", "callback", "no_answer",
            "no_answer", "wrong_number", "interested", "do_not_call", "not_interested")


def add(org: DemoOrg, *, say: Callable[[str], None] = lambda _m: None) -> None:
    """Add the three campaigns once (nothing if an event campaign exists already)."""
    if Campaign.objects.filter(channel="event").exists() or not Account.objects.exists():
        return
    rng = random.Random(20260423)
    marketing = org.users["marketing"]
    segment = seg_svc.create_segment(marketing, {"name": "能源行业：展会与回访",
                                                 "rules": {"industry": "energy"}})
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        registered = _exhibition(rng, org, segment)
        called = _phone(rng, org, segment)
        clicks = _wechat(rng, org, segment)
    say(f"  campaigns by channel: {registered} exhibition registrations, {called} calls, "
        f"{clicks} WeChat clicks")


def _launch(org: DemoOrg, segment: object, data: dict) -> Campaign | None:
    marketing = org.users["marketing"]
    campaign = svc.create_campaign(marketing, {"control_percent": 10, **data},
                                   segments=[segment])
    try:
        campaign = svc.launch_campaign(marketing, campaign, campaign.version, seed=3)
    except DomainError:  # a small demo may have nobody to reach on this channel
        campaign.delete()
        return None
    members = CampaignMember.objects.filter(campaign=campaign).order_by("id")
    keep = members.values_list("id", flat=True)[MAX_MEMBERS:MAX_MEMBERS + 1]
    if keep:
        members.filter(id__gte=keep[0]).delete()
    return campaign


def _exhibition(rng: random.Random, org: DemoOrg, segment: object) -> int:
    opens = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) \
        - dt.timedelta(days=3)
    campaign = _launch(org, segment, {
        "name": "2026 上海国际电力展（EP Shanghai）展位邀约", "channel": "event",
        "subject_zh": "{{ contact.name }}，诚邀莅临 2026 上海国际电力展 E3-210 展位",
        "subject_en": "Visit us at EP Shanghai 2026, booth E3-210",
        "body_zh": "{{ contact.name }} 您好：\n\n我们将在上海新国际博览中心展出新一代干式变压器与"
                   "储能变流器，现场有技术交流与试运行演示，欢迎预约参观。\n\n市场部",
        "body_en": "Dear {{ contact.name }},\n\nSee our new dry-type transformers and PCS "
                   "live at EP Shanghai.",
        "budget": "80000", "options": {"venue": "上海新国际博览中心 E3 馆 E3-210 展位",
                                       "capacity": 120, "event_at": opens.isoformat(),
                                       "agents": [org.users["rep"].pk]}})
    if campaign is None:
        return 0
    send_campaign(campaign.pk, sleep=lambda _s: None)
    campaign.refresh_from_db()
    marketing = org.users["marketing"]
    svc.add_cost(marketing, campaign, "展位费与搭建", "62000",
                 (opens - dt.timedelta(days=30)).date())
    made = []
    invited = CampaignMember.objects.filter(campaign=campaign, sent_at__isnull=False) \
        .select_related("contact", "account").order_by("id")
    for n, member in enumerate(invited[:60]):
        if rng.random() > 0.45:
            continue
        contact = member.contact
        data = {"name": contact.name if contact else member.account.name,
                "phone": (contact.mobile if contact else "") or f"1391662{n:04d}",
                "email": member.address, "company": member.account.name}
        try:
            made.append(events.register(events.Invitation(campaign, member), data))
        except DomainError:
            continue
    for name, phone, company in WALK_INS:
        made.append(events.register(events.Invitation(campaign, None),
                                    {"name": name, "phone": phone, "company": company}))
    for registration in made:
        if rng.random() < 0.6:
            events.check_in(marketing, registration)
    return len(made)


def _phone(rng: random.Random, org: DemoOrg, segment: object) -> int:
    campaign = _launch(org, segment, {
        "name": "储能变流器老客户电话回访", "channel": "phone", "control_percent": 0,
        "body_zh": "您好，我是市场部的小曾。贵司去年采购的设备运行如何？我们新推出了储能变流器 "
                   "PCS-500kW，可以安排工程师上门介绍，您看方便吗？",
        "budget": "5000", "options": {"agents": [org.users["rep"].pk]}})
    if campaign is None:
        return 0
    made = 0
    for n in range(24):
        agent = org.users["rep"] if n % 3 == 0 else org.users["marketing"]
        member = calls.take_next(agent, campaign)
        if member is None:
            continue
        outcome = OUTCOMES[rng.randrange(len(OUTCOMES))]
        calls.log_call(agent, member, outcome, notes="演示通话记录",
                       callback_at=timezone.now() + dt.timedelta(days=2),
                       make_lead=outcome == "interested")
        made += 1
    return made


def _wechat(rng: random.Random, org: DemoOrg, segment: object) -> int:
    campaign = _launch(org, segment, {
        "name": "社群分享：变压器能效新国标解读", "channel": "wechat",
        "body_zh": "新版变压器能效国标解读（附选型表）：https://www.example.com/gb20052-guide",
        "budget": "2000"})
    if campaign is None:
        return 0
    clicks = 0
    for member in CampaignMember.objects.filter(campaign=campaign, is_control=False)[:200]:
        if rng.random() < 0.22:
            record_response(member, "clicked", at=timezone.now() - dt.timedelta(
                hours=rng.randint(1, 72)), data={"url": "https://www.example.com/gb20052-guide"})
            clicks += 1
    # Clicks on the link posted in the customers' WeChat group: nobody in particular.
    CampaignLink.objects.filter(campaign=campaign).update(
        shared_clicks=F("shared_clicks") + rng.randint(20, 60))
    return clicks
