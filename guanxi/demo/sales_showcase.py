"""A few dozen sales records entered through the services, with past dates, so the demo's
first rep has real audit trails, timeline entries, notifications and stage histories: deals
moved stage by stage, won and lost, team roles, key-account campaign plans whose support the
manager approved or declined, tasks, leads converted, templates, routing rules, a web form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from guanxi.core.errors import DomainError
from guanxi.customers.models import Account
from guanxi.demo.org import DemoOrg
from guanxi.sales.models import Opportunity
from guanxi.sales.services import activities, email, leads, opportunities, routing, tasks
from guanxi.sales.services.conversion import convert_lead

# name, amount, path of stage keys (last one where it is now; "won"/"lost:reason" close it),
# days ago it was opened, expected close in days from today (open ones)
DEALS = (
    ("华东电网 110kV 变电站改造", 2_800_000, ["tracking", "quotation", "tender"], 75, 40),
    ("明珠机电 干式变压器年度框架", 960_000, ["tracking", "quotation", "contract_review"],
     60, 12),
    ("苏州工业园 箱变一期", 1_450_000, ["tracking", "quotation", "tender", "contract_review",
                                     "won"], 150, 0),
    ("杭州地铁 配电自动化", 3_600_000, ["tracking", "quotation", "tender", "lost:competitor"],
     200, 0),
    ("Singapore data centre switchgear", 1_200_000, ["tracking", "quotation"], 30, 75),
    ("宁波港 储能系统", 2_100_000, ["tracking"], 12, 120),
    ("常州光伏 逆变器二期", 520_000, ["tracking", "quotation", "lost:price"], 95, 0),
    ("无锡新区 开关柜扩建", 780_000, ["tracking", "quotation", "contract_review", "won"], 110,
     0),
    ("上海化工园区 电缆附件", 310_000, [], 5, 150),
    ("嘉兴纺织 智能电表改造", 240_000, ["tracking", "quotation", "tender"], 50, 25),
)
CAMPAIGNS = (
    ("攻关：华东电网年度集采", "邀请总工参加技术交流，准备同类业绩", "总工程师、技术支持 2 人",
     50_000, "样机一台", "approve"),
    ("攻关：杭州地铁二期", "高层拜访，争取进入短名单", "区域总经理", 80_000, "", "decline"),
    ("Key account plan: Singapore data centre", "Site visit with the design institute",
     "Application engineer", 30_000, "Sample cabinet", None),
)
TEMPLATES = (
    ("报价跟进", "zh-hans", "关于{{ account.name }}的报价",
     "{{ contact.name }}您好：\n\n附件是我们的报价，如有疑问请随时联系。\n\n"
     "{{ user.display_name }}"),
    ("拜访感谢", "zh-hans", "感谢您的接待",
     "{{ contact.name }}您好：\n\n感谢今天的接待，会议纪要见附件。\n\n{{ user.display_name }}"),
    ("Quotation follow-up", "en", "Our quotation for {{ account.name }}",
     "Dear {{ contact.name }},\n\nPlease find our quotation attached.\n\n"
     "Best regards,\n{{ user.display_name }}"),
)


def add(org: DemoOrg, *, say: Callable[[str], None] = lambda _m: None) -> int:
    """Enter the showcase; returns how many records went through the services. A record a
    rule refuses is skipped, the rest still go in."""
    now = timezone.now()
    users = org.users
    rep, manager, admin = users["rep"], users["manager"], users["admin"]
    entered = 0

    def attempt(service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        nonlocal entered
        try:
            result = service(*args, **kwargs)
        except DomainError as exc:
            say(f"  skipped: {exc.message}")
            return None
        entered += 1
        return result

    accounts = list(Account.objects.filter(owner=rep, is_active=True).order_by("id")[:10])
    deals: list[Opportunity] = []
    for i, (name, amount, path, age, close_in) in enumerate(DEALS):
        if not accounts:
            break
        opened = now - dt.timedelta(days=age)
        data = opportunities.OpportunityInput(
            name=name, amount=Decimal(amount), source="exhibition" if i % 3 == 0
            else "referral", timeframe=("immediate", "3m", "6m")[i % 3],
            expected_close=(now + dt.timedelta(days=close_in)).date(),
            finder=users["finder"] if i % 4 == 0 else None,
            description="展会上结识的采购负责人，关注交期。" if i % 2 else "")
        opp = attempt(opportunities.create_opportunity, rep, accounts[i % len(accounts)], data,
                      now=opened)
        if opp is None:
            continue
        for step, key in enumerate(path, start=1):
            at = opened + dt.timedelta(days=age * step / (len(path) + 1))
            stage, _sep, reason = key.partition(":")
            opp = attempt(opportunities.move_stage, rep, opp, opp.version, stage,
                          loss_reason=reason or None,
                          loss_note="对方选择了报价更低的供应商" if reason else "", now=at) or opp
        if opp.stage.kind == "won":
            for role, who in (("delivery_owner", "delivery"), ("collection_owner", "collection")):
                opp = attempt(opportunities.set_team_role, rep, opp, opp.version, role,
                              users[who]) or opp
        if i in (0, 4):
            attempt(opportunities.add_member, rep, opp, users["rep_li"],
                    "技术支持 / technical support")
        deals.append(opp)

    for i, (subject, body, people, budget, samples, decision) in enumerate(CAMPAIGNS):
        if not deals:
            break
        deal = deals[i * 2 % len(deals)]
        plan = attempt(activities.log_activity, rep,
                       {"kind": "campaign", "subject": subject, "body": body,
                        "status": "planned", "starts_at": now + dt.timedelta(days=7 + i)},
                       opportunity=deal,
                       support={"people": people, "budget": budget, "samples": samples},
                       now=now - dt.timedelta(days=3 - i))
        if plan is not None and decision:
            request = plan.support_request
            ok = decision == "approve"
            attempt(activities.decide_support, manager, request, ok,
                    "同意，派总工支持" if ok else "预算不足，下季度再议", request.version,
                    now=now - dt.timedelta(days=1))
    for i, deal in enumerate(deals[:6]):
        kind = ("visit", "call", "meeting")[i % 3]
        attempt(activities.log_activity, rep,
                {"kind": kind, "subject": {"visit": "拜访设备部", "call": "电话确认技术参数",
                                           "meeting": "Technical clarification meeting"}[kind],
                 "outcome": "客户希望下周收到修改后的报价", "status": "done",
                 "starts_at": now - dt.timedelta(days=2 + i, hours=3)},
                opportunity=deal, now=now)
    for title, days in (("回访苏州工业园 箱变验收", -2), ("给明珠机电发送合同草稿", 0),
                        ("Prepare tender documents", 0), ("准备宁波港技术方案", 5)):
        attempt(tasks.create_task, rep, {"title": title, "due_at": now + dt.timedelta(days=days),
                                         "priority": "high" if days <= 0 else "normal"})

    for name, language, subject, body in TEMPLATES:
        attempt(email.create_template, admin,
                {"name": name, "language": language, "subject": subject, "body": body})
    attempt(routing.create_rule, admin, {"name": "广东线索 → 华南", "position": 1,
                                         "province": "广东", "team": org.teams["深圳组"]})
    attempt(routing.create_rule, admin, {"name": "展会线索 → 上海一组轮流", "position": 2,
                                         "source": "exhibition", "team": org.teams["上海一组"]})
    attempt(leads.create_web_form, admin, {
        "name": "官网询价表 / Website enquiry", "source": "website",
        "team": org.teams["上海一组"], "thank_you": "感谢您的询价，我们会在一个工作日内联系您。"})

    for i, (name, company, timeframe) in enumerate((
            ("赵总", "昆山精工电气有限公司", "immediate"),
            ("Mr. Lim", "Jurong Power Pte Ltd", "3m"),
            ("钱经理", "南通港务集团", "6m"))):
        lead = attempt(leads.create_lead, rep,
                       {"name": name, "company": company, "timeframe": timeframe,
                        "source": "exhibition", "phone": f"+8613900{i:06d}",
                        "interest": "干式变压器"})
        if lead is not None and i == 0 and accounts:
            # Onto a customer the rep already has: the demo's customer count stays as asked.
            attempt(convert_lead, rep, lead, lead.version, account=accounts[-1],
                    opportunity_name="昆山精工 变压器采购", force=True)
    return entered
