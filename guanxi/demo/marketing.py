"""Demo marketing: consents (granted from forms and imports, some withdrawn), a few segments,
and e-mail campaigns sent (to Django's in-memory mail box: the demo never mails anyone) with
opens, clicks, replies, unsubscribes, costs and conversions from the demo orders, so the
campaign pages show rates, uplift and ROI at once."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError
from guanxi.customers.models import Account, Consent, Contact
from guanxi.demo.org import DemoOrg
from guanxi.marketing.models import Campaign, CampaignMember
from guanxi.marketing.services import analysis
from guanxi.marketing.services import campaigns as svc
from guanxi.marketing.services import segments as seg_svc
from guanxi.marketing.services.responses import record_response
from guanxi.marketing.services.sending import send_campaign

MAX_MEMBERS = 800

CAMPAIGNS = (
    ("2026 春季新品发布（变压器）", {"industry": "energy"}, "30000", (
        ("邮件平台与设计", "6000"), ("新品样册印刷", "9500"))),
    ("制造业客户节能改造方案", {"industry": "manufacturing", "standing": "customer"}, "20000", (
        ("方案白皮书撰写", "8000"),)),
    ("年末回馈：老客户专享报价", {"standing": "customer", "size": "large"}, "15000", (
        ("邮件平台", "3000"),)),
)


def add(org: DemoOrg, *, say: Callable[[str], None] = lambda _m: None) -> None:
    """Add the marketing demo once (does nothing if there are campaigns already)."""
    if Campaign.objects.exists() or not Account.objects.exists():
        return
    rng = random.Random(20260315)
    marketing = org.users["marketing"]
    now = timezone.now()
    _consents(rng, now)
    fair = seg_svc.create_segment(marketing, {"name": "展会名单（静态）", "kind": "static",
                                              "description": "2026 上海电力展会收集的名片"})
    seg_svc.add_selection(marketing, fair, Account.objects.filter(
        source="exhibition", is_active=True).values_list("pk", flat=True)[:300])
    sent = 0
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for n, (name, rules, budget, costs) in enumerate(CAMPAIGNS):
            segment = seg_svc.create_segment(marketing, {"name": name.split("（")[0][:40] +
                                                         "：目标客户", "rules": rules})
            campaign = svc.create_campaign(marketing, {
                "name": name, "budget": budget, "control_percent": 10,
                "conversion_days": 60, "rate_per_minute": 100000,
                "subject_zh": "{{ contact.name }}，" + name,
                "subject_b_zh": "限时：" + name if n == 0 else "",
                "subject_en": "{{ contact.name }}, news from us",
                "body_zh": "{{ contact.name }} 您好，\n\n{{ account.name }} 一直是我们重视的客户。"
                           "详情请见 https://www.example.com/campaign/" + str(n + 1) +
                           "\n\n市场部",
                "body_en": "Dear {{ contact.name }},\n\nDetails: https://www.example.com/"
                           "campaign/" + str(n + 1)}, segments=[segment])
            try:
                svc.launch_campaign(marketing, campaign, campaign.version, seed=n)
            except DomainError:  # a small demo may have no consented member for it
                campaign.delete()
                continue
            members = CampaignMember.objects.filter(campaign=campaign).order_by("id")
            keep = members.values_list("id", flat=True)[MAX_MEMBERS:MAX_MEMBERS + 1]
            if keep:
                members.filter(id__gte=keep[0]).delete()
            # Sent some weeks ago: the responses and orders since then count.
            sent += send_campaign(campaign.pk, sleep=lambda _s: None)
            when = now - dt.timedelta(days=45 - 15 * n)
            CampaignMember.objects.filter(campaign=campaign, sent_at__isnull=False) \
                .update(sent_at=when)
            Campaign.objects.filter(pk=campaign.pk).update(frozen_at=when)
            _responses(rng, campaign, when)
            for description, amount in costs:
                svc.add_cost(marketing, campaign, description, amount,
                             (when - dt.timedelta(days=7)).date())
            campaign.refresh_from_db()
            analysis.attribute_conversions(campaign)
    say(_("  %(n)s campaign e-mails sent (to the in-memory mail box)") % {"n": sent})


def _consents(rng: random.Random, now: dt.datetime) -> None:
    contacts = list(Contact.objects.filter(is_active=True).exclude(email="")
                    .order_by("id").values_list("pk", "account_id")[:3000])
    rows = []
    for pk, account_id in contacts:
        roll = rng.random()
        if roll < 0.35:
            source = rng.choice(["form", "import", "portal", "staff"])
            rows.append(Consent(contact_id=pk, account_id=account_id, channel="email",
                                purpose="marketing", granted=True, source=source,
                                evidence=_demo_evidence(source),
                                at=now - dt.timedelta(days=rng.randint(60, 400))))
            if rng.random() < 0.08:
                rows.append(Consent(contact_id=pk, account_id=account_id, channel="email",
                                    purpose="marketing", granted=False, source="unsubscribe",
                                    evidence="Unsubscribe link followed.",
                                    at=now - dt.timedelta(days=rng.randint(1, 59))))
        if roll > 0.9:
            rows.append(Consent(contact_id=pk, account_id=account_id, channel="sms",
                                purpose="care", granted=True, source="staff",
                                evidence="电话回访时口头同意，已录音",
                                at=now - dt.timedelta(days=rng.randint(30, 300))))
    Consent.objects.bulk_create(rows, batch_size=2000)


def _demo_evidence(source: str) -> str:
    return {"form": "官网订阅表单，双重确认", "import": "2025 年展会名单导入（签到表同意栏）",
            "portal": "客户门户：通讯偏好", "staff": "拜访时签署同意书"}[source]


def _responses(rng: random.Random, campaign: Campaign, sent_at: dt.datetime) -> None:
    for member in CampaignMember.objects.filter(campaign=campaign, sent_at__isnull=False) \
            .iterator(chunk_size=500):
        at = sent_at + dt.timedelta(hours=rng.randint(1, 96))
        roll = rng.random()
        if roll < 0.03:
            record_response(member, "bounced", at=at)
            continue
        if roll < 0.45:
            record_response(member, "opened", at=at, once=True)
        if roll < 0.15:
            record_response(member, "clicked", at=at + dt.timedelta(minutes=3),
                            data={"url": "https://www.example.com/"})
        if roll < 0.04:
            record_response(member, "replied", at=at + dt.timedelta(hours=2))
        if roll > 0.97:
            record_response(member, "unsubscribed", at=at, once=True)
