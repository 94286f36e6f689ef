"""Fixtures for the activity, task, calendar and e-mail tests (imported by each module)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> dt.datetime:
    """A time in Shanghai (the site's time zone) in November 2026."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def make_opportunity(account, owner, name="二期扩建变压器"):
    from guanxi.sales.models import Opportunity, Pipeline

    pipeline = Pipeline.objects.get(is_default=True)
    return Opportunity.objects.create(
        name=name, account=account, pipeline=pipeline, stage=pipeline.stages.first(),
        owner=owner, team=account.team, created_by=owner, created_at=timezone.now())


@pytest.fixture
def work(org, make_account):
    """The rep's customer with a contact who has an e-mail address, an opportunity on it, and
    another team's customer."""
    from guanxi.customers.services import add_contact

    account = make_account(by=org.rep, name="上海明珠机电有限公司",
                           contacts=[{"name": "张三", "mobile": "13812345678",
                                      "email": "zhangsan@mingzhu.example.cn"}])
    contact = account.contacts.get()
    other_contact = add_contact(org.rep, make_account(by=org.rep, name="苏州电气有限公司"),
                                {"name": "李四", "email": "lisi@example.cn"})
    opportunity = make_opportunity(account, org.rep)
    far = make_account(by=org.other_rep, name="深圳南方贸易有限公司",
                       contacts=[{"name": "黄五", "email": "huang@example.cn"}])
    for obj in (account, far):
        obj.refresh_from_db()
    return SimpleNamespace(account=account, contact=contact, other_contact=other_contact,
                           opportunity=opportunity, far=far, org=org)
