"""A small service organisation for the case tests: two agents and a manager in one team, a
second team, business hours Monday–Friday 9–18 and SLA policies (top customers faster)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest


@pytest.fixture(name="svc")
def svc_fixture(org):
    from guanxi.accounts.models import User, UserRole
    from guanxi.service.models import BusinessHours, ServiceTeam, SlaPolicy

    def person(username, *roles):
        user = User.objects.create_user(username=username, password="pw-Guanxi-2026",
                                        email=f"{username}@example.com", team=org.company,
                                        display_name=username, language="en")
        for role in roles:
            UserRole.objects.create(user=user, role=role)
        return user

    agent = person("agent", "service")
    agent2 = person("agent2", "service")
    lead = person("svc_lead", "service")
    outsider = person("outsider_agent", "service")
    team = ServiceTeam.objects.create(name="热线组 Hotline", manager=lead,
                                      e_mail="support@example.com")
    team.members.set([agent, agent2])
    other = ServiceTeam.objects.create(name="现场组 Field")
    other.members.set([outsider])
    BusinessHours.objects.bulk_create([
        BusinessHours(team=None, weekday=wd, start=dt.time(9), end=dt.time(18))
        for wd in range(5)])
    normal = SlaPolicy.objects.create(name="Standard", first_response_minutes=240,
                                      resolution_minutes=2 * 9 * 60)
    urgent = SlaPolicy.objects.create(name="Urgent", priority="urgent",
                                      first_response_minutes=30, resolution_minutes=240)
    top = SlaPolicy.objects.create(name="Top customers", customer_class="A",
                                   first_response_minutes=60, resolution_minutes=9 * 60)
    return SimpleNamespace(org=org, agent=agent, agent2=agent2, lead=lead, outsider=outsider,
                           team=team, other=other, normal=normal, urgent=urgent, top=top)


def at(*args: int) -> dt.datetime:
    """A moment in Beijing time."""
    from zoneinfo import ZoneInfo
    return dt.datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai"))
