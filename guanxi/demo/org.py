"""The demo organisation: company, regions, teams, a user for every role, custom fields.

Everything is looked up by name before it is created, so running the demo again reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from guanxi.accounts.models import Role, Team, User, UserRole
from guanxi.core.models import CustomFieldDefinition

COMPANY = "Guanxi Demo 集团"
PASSWORD = "guanxi-demo"  # noqa: S105 - printed for everyone: it is a demo
URL = "http://127.0.0.1:8000"

# region → its teams
REGIONS = {
    "华东区": ("上海一组", "杭州组"),
    "华南区": ("深圳组", "广州组"),
    "华北区": ("北京组",),
    "海外区": ("新加坡组",),
}
# username, display name, roles, team ("" = the company, a region or a team name)
PEOPLE = (
    ("rep", "王芳", (Role.REP,), "上海一组"),
    ("assistant", "刘静", (Role.ASSISTANT,), "上海一组"),
    ("manager", "陈明", (Role.MANAGER,), "华东区"),
    ("finance", "周慧", (Role.FINANCE,), ""),
    ("finder", "孙磊", (Role.FINDER,), "上海一组"),
    ("delivery", "郑强", (Role.DELIVERY,), ""),
    ("collection", "冯丽", (Role.COLLECTION,), ""),
    ("marketing", "曾晓雯", (Role.MARKETING,), ""),
    ("service", "单宇", (Role.SERVICE,), ""),
    ("executive", "欧阳建国", (Role.EXECUTIVE,), ""),
    ("admin", "管理员", (Role.ADMIN,), ""),
)
# More reps so customers spread over teams as in a real sales force.
EXTRA_REPS = (
    ("rep_li", "李强", "上海一组"), ("rep_zhao", "赵敏", "杭州组"),
    ("rep_xie", "解文博", "杭州组"), ("rep_huang", "黄伟", "深圳组"),
    ("rep_zhu", "诸葛亮", "深圳组"), ("rep_lin", "林嘉欣", "广州组"),
    ("rep_qiu", "仇志刚", "广州组"), ("rep_ma", "司马光", "北京组"),
    ("rep_zha", "查海燕", "北京组"),
    ("rep_tan", "Tan Wei Ling", "新加坡组"),
)
OTHER_MANAGERS = (("manager_south", "吴经理", "华南区"), ("manager_north", "朴经理", "华北区"),
                  ("manager_abroad", "Kelvin Goh", "海外区"))

CUSTOM_FIELDS = (
    # target, key, label_en, label_zh, type, choices
    ("customers.account", "grade", "Customer grade", "客户等级", "choice", ["A", "B", "C", "D"]),
    ("customers.account", "annual_purchases", "Annual purchases", "年采购额", "number", []),
    ("customers.account", "first_deal_date", "First deal", "首次合作日期", "date", []),
    ("customers.contact", "hobby", "Hobbies", "爱好", "text", []),
)


@dataclass
class DemoOrg:
    company: Team
    teams: dict[str, Team]
    users: dict[str, User]
    reps: list[User] = field(default_factory=list)


@transaction.atomic
def ensure_org() -> DemoOrg:
    company = Team.objects.filter(name=COMPANY, parent=None).first() or Team.objects.create(
        name=COMPANY, kind=Team.Kind.COMPANY)
    teams: dict[str, Team] = {"": company}
    for region, children in REGIONS.items():
        teams[region] = _team(region, Team.Kind.REGION, company)
        for child in children:
            teams[child] = _team(child, Team.Kind.TEAM, teams[region])
    password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
    users: dict[str, User] = {}
    people = [*PEOPLE, *((u, d, (Role.REP,), t) for u, d, t in EXTRA_REPS),
              *((u, d, (Role.MANAGER,), t) for u, d, t in OTHER_MANAGERS)]
    for username, display, roles, team in people:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(username=username, display_name=display,
                                       email=f"{username}@demo.guanxi.example", team=teams[team],
                                       password=password, is_staff=Role.ADMIN in roles,
                                       is_superuser=Role.ADMIN in roles)
            UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles])
        users[username] = user
    for target, key, label_en, label_zh, type_, choices in CUSTOM_FIELDS:
        CustomFieldDefinition.objects.get_or_create(
            target=target, key=key, defaults={"label_en": label_en, "label_zh": label_zh,
                                              "type": type_, "choices": choices})
    reps = [users["rep"], *(users[u] for u, _d, _t in EXTRA_REPS)]
    return DemoOrg(company=company, teams=teams, users=users, reps=reps)


def _team(name: str, kind: str, parent: Team) -> Team:
    return Team.objects.filter(name=name, parent=parent).first() or Team.objects.create(
        name=name, kind=kind, parent=parent)


def logins(org: DemoOrg) -> list[tuple[str, str, str, str]]:
    """(username, display name, role, team) of the one user per role."""
    return [(username, org.users[username].display_name, str(Role(roles[0]).label),
             org.users[username].team.name) for username, _d, roles, _t in PEOPLE]
