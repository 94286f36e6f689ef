"""Demo customer care: greeting rules for birthdays, customer anniversaries, 春节 and 中秋, and
a new-product notice. (Cross-sell suggestions come with the demo's analysis run, from the
orders' lines.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from guanxi.demo.org import DemoOrg
from guanxi.marketing.defaults import ensure_holidays
from guanxi.marketing.models import GreetingRule
from guanxi.marketing.services import greetings

RULES = (
    {"name": "客户生日祝福", "occasion": "birthday", "subject_zh": "{{ contact.name }}，生日快乐",
     "body_zh": "{{ contact.name }}您好：\n\n值此生日之际，{{ account.name }}的老朋友们"
                "祝您生日快乐、身体健康！\n\n市场部",
     "subject_en": "Happy birthday, {{ contact.name }}"},
    {"name": "合作周年感谢", "occasion": "anniversary",
     "subject_zh": "感谢{{ account.name }}一年来的信任",
     "body_zh": "{{ contact.name }}您好：\n\n感谢贵司又一年的支持与合作，期待继续携手。\n\n市场部"},
    {"name": "春节问候", "occasion": "holiday", "holiday_key": "spring_festival",
     "days_before": 2, "subject_zh": "新春快乐，万事如意",
     "body_zh": "{{ contact.name }}您好：\n\n恭祝您和家人新春快乐，马年大吉！\n\n市场部"},
    {"name": "中秋问候", "occasion": "holiday", "holiday_key": "mid_autumn", "days_before": 1,
     "subject_zh": "中秋快乐", "body_zh": "{{ contact.name }}您好：祝您中秋快乐，阖家团圆！"},
)


def add(org: DemoOrg, *, say: Callable[[str], None] = lambda _m: None) -> None:
    """Add the greeting rules once."""
    if GreetingRule.objects.exists():
        return
    ensure_holidays()  # gone after ``guanxi demo --reset``, which empties every table
    marketing = org.users["marketing"]
    for data in RULES:
        greetings.create_rule(marketing, dict(data))
    greetings.create_rule(marketing, {
        "name": "储能新品上市通知", "occasion": "notice",
        "send_on": timezone.localdate() + dt.timedelta(days=14),
        "subject_zh": "储能变流器 PCS-500kW 新品上市",
        "body_zh": "{{ contact.name }}您好：\n\n我们的储能变流器 PCS-500kW 已上市，"
                   "欢迎垂询。\n\n市场部"})
    say(f"  customer care: {GreetingRule.objects.count()} greeting rules")
