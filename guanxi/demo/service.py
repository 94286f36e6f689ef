"""Service demo: a hotline and a field team with their manager and agents, SLA policies (top
customers faster), assignment rules, business hours, and cases in every state — complaints,
repairs, warranty claims, in Chinese and English — including breached and soon-due ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Role, User, UserRole
from guanxi.customers.models import Account
from guanxi.demo.org import PASSWORD, DemoOrg
from guanxi.service.defaults import ensure_holidays
from guanxi.service.models import (
    AssignmentRule,
    BusinessHours,
    Case,
    ServiceTeam,
    SlaPolicy,
)
from guanxi.service.services import cases as services

AGENTS = (("service_lead", "钱经理", "Service lead"), ("service_wu", "吴静", "Agent"),
          ("service_he", "何涛", "Agent"), ("technician_lu", "陆师傅", "Technician"))

# subject, kind, channel, priority, the state to bring it to, days ago opened, note
CASES = (
    ("空调异响，客户要求上门检查", "repair", "phone", "normal", "new", 0, ""),
    ("Invoice copy requested for March order", "inquiry", "email", "low", "assigned", 1, ""),
    ("变压器油温偏高", "repair", "field", "high", "in_progress", 1, "技术员已出发"),
    ("Delivery arrived with damaged packaging", "complaint", "portal", "high", "waiting", 2,
     "Asked the customer for photos"),
    ("保修期内更换电机", "warranty", "walk_in", "normal", "resolved", 5, "已更换"),
    ("Return of wrong cable drums", "return", "email", "normal", "closed", 9, "Collected"),
    ("投诉：维修后仍漏油", "complaint", "phone", "urgent", "breached", 3, ""),
    ("Urgent: production line down after software update", "repair", "phone", "urgent",
     "near", 0, ""),
    ("咨询延保价格", "inquiry", "wechat", "low", "in_progress", 2, ""),
    ("投诉：客服电话无人接听", "complaint", "phone", "high", "closed", 12, "已道歉并回访"),
    ("Warranty claim: controller board failure", "warranty", "portal", "high", "assigned", 1,
     ""),
    ("发动机异响 (VIN LSGJA52U5BS123456)", "repair", "field", "normal", "waiting", 4,
     "等待客户确认维修时间"),
)


def _agents(org: DemoOrg) -> dict[str, User]:
    password = make_password(PASSWORD)
    out = {"service": org.users["service"]}
    for username, display, _title in AGENTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(username=username, display_name=display,
                                       email=f"{username}@demo.guanxi.example",
                                       password=password, team=org.company)
            UserRole.objects.create(user=user, role=Role.SERVICE)
        out[username] = user
    return out


def _setup(people: dict[str, User]) -> tuple[ServiceTeam, ServiceTeam]:
    hotline, _ = ServiceTeam.objects.get_or_create(
        name="客服热线组 Hotline", defaults={"manager": people["service_lead"],
                                           "e_mail": "support@demo.guanxi.example"})
    hotline.members.set([people["service"], people["service_wu"], people["service_he"]])
    field, _ = ServiceTeam.objects.get_or_create(
        name="现场维修组 Field service", defaults={"manager": people["service_lead"]})
    field.members.set([people["technician_lu"], people["service_he"]])
    if not BusinessHours.objects.exists():
        BusinessHours.objects.bulk_create(
            [BusinessHours(team=None, weekday=wd, start=dt.time(8, 30), end=dt.time(17, 30))
             for wd in range(5)]
            + [BusinessHours(team=hotline, weekday=wd, start=dt.time(8), end=dt.time(20))
               for wd in range(7)])
    if not SlaPolicy.objects.exists():
        SlaPolicy.objects.bulk_create([
            SlaPolicy(name="标准 Standard", first_response_minutes=240,
                      resolution_minutes=3 * 540),
            SlaPolicy(name="加急 Urgent", priority="urgent", first_response_minutes=30,
                      resolution_minutes=240),
            SlaPolicy(name="高 High", priority="high", first_response_minutes=60,
                      resolution_minutes=540),
            SlaPolicy(name="大客户 Top customers (A)", customer_class="A",
                      first_response_minutes=60, resolution_minutes=540),
            SlaPolicy(name="投诉 Complaints", kind="complaint", first_response_minutes=60,
                      resolution_minutes=2 * 540),
        ])
    if not AssignmentRule.objects.exists():
        AssignmentRule.objects.bulk_create([
            AssignmentRule(position=10, name="维修到现场组 Repairs to field", kind="repair",
                           team=field),
            AssignmentRule(position=20, name="投诉给组长 Complaints to the lead",
                           kind="complaint", team=hotline, assignee=people["service_lead"]),
            AssignmentRule(position=90, name="其余轮流 Everything else round robin",
                           team=hotline),
        ])
    return hotline, field


def _bring(case: Case, state: str, agent: User, at: dt.datetime, note: str) -> Case:
    step = dt.timedelta(hours=2)
    if state in ("new", "near", "breached"):
        return case
    if case.assignee_id is None:
        case = services.assign(agent, case, case.version, assignee=agent)
    if state == "assigned":
        return case
    services.reply(agent, case, "您好，我们已收到您的问题，正在处理。\nWe are on it.",
                   by_email=False, now=at + step)
    case.refresh_from_db()
    if state == "in_progress":
        if note:
            services.add_note(agent, case, note)
        return case
    if state == "waiting":
        return services.change_status(agent, case, "waiting", case.version, note=note,
                                      now=at + 2 * step)
    case = services.change_status(agent, case, "resolved", case.version, note=note,
                                  resolution=note or "已处理 Done",
                                  root_cause="product_defect" if case.kind == "complaint"
                                  else "", now=at + 3 * step)
    if state == "closed":
        case = services.change_status(agent, case, "closed", case.version,
                                      now=at + 4 * step)
    return case


def add(org: DemoOrg, say: Callable[[str], None] = lambda _m: None) -> None:
    """Add the service demo once (skipped when cases exist)."""
    if Case.objects.exists():
        return
    ensure_holidays()  # gone after ``guanxi demo --reset``, which empties every table
    people = _agents(org)
    hotline, _field = _setup(people)
    accounts = list(Account.objects.filter(is_active=True).prefetch_related("contacts")
                    .order_by("pk")[:len(CASES)])
    if not accounts:
        return
    from guanxi.orders.selectors.catalog import search_products
    products = list(search_products(active=True).order_by("code")[:5])
    now = timezone.now()
    agent = people["service_wu"]
    for i, (subject, kind, channel, priority, state, days, note) in enumerate(CASES):
        account = accounts[i % len(accounts)]
        contact = next(iter(account.contacts.all()), None)
        opened = now - dt.timedelta(days=days, hours=1 if state != "near" else 0)
        if state == "near":
            opened = now - dt.timedelta(minutes=10)
        case = services.create_case(
            agent, subject=subject, kind=kind, channel=channel, priority=priority,
            description=subject, account=account, contact=contact,
            product=products[i % len(products)] if products else None, now=opened,
            # A new one waits in the hotline's queue for someone to take it.
            team=hotline if state == "new" else None)
        _bring(case, state, people["technician_lu"] if kind == "repair" else agent, opened,
               note)
    # The periodic check records breaches (escalated to the lead) and warns of near ones.
    warned, breached = services.check_sla(now)
    say(_("  %(n)s service cases (%(breached)s SLA breached, %(warned)s due soon)")
        % {"n": len(CASES), "breached": breached, "warned": warned})
