"""API: customer care greeting rules and the holiday calendar they read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from guanxi.core.errors import Forbidden
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import GreetingRule, Holiday
from guanxi.marketing.services import greetings as svc

router = Router(tags=["marketing"])


class GreetingHolidayIn(Schema):
    key: str
    date: dt.date
    name_zh: str
    name_en: str = ""


class HolidayOut(GreetingHolidayIn):
    id: int


class GreetingRuleIn(Schema):
    name: str
    occasion: str
    channel: str = "email"
    holiday_key: str = ""
    send_on: dt.date | None = None
    days_before: int = Field(0, ge=0, le=365)
    subject_zh: str = ""
    subject_en: str = ""
    body_zh: str = ""
    body_en: str = ""
    sms_template: str = ""
    active: bool = True


class GreetingRuleOut(GreetingRuleIn):
    id: int
    purpose: str
    sent: int


def _reader(request: HttpRequest) -> Any:
    user = request.auth
    if not perms.can_view_campaigns(user):
        raise Forbidden(_("Greetings are for marketing, managers, executives and "
                          "administrators."))
    return user


def _out(rule: GreetingRule) -> dict[str, Any]:
    return {**{f: getattr(rule, f) for f in svc.RULE_FIELDS}, "id": rule.pk,
            "purpose": rule.purpose, "sent": rule.sent.filter(status="sent").count()}


@router.get("/marketing/greeting-rules", response=list[GreetingRuleOut])
def list_rules(request: HttpRequest):
    """Birthday, anniversary, holiday and notice rules, with how many greetings each sent."""
    _reader(request)
    return [_out(r) for r in GreetingRule.objects.all()]


@router.post("/marketing/greeting-rules", response={201: GreetingRuleOut})
def create_rule(request: HttpRequest, payload: GreetingRuleIn):
    """A rule the worker sends from every hour (marketing, managers, administrators)."""
    return Status(201, _out(svc.create_rule(request.auth, payload.model_dump())))


@router.get("/marketing/holidays", response=list[HolidayOut])
def list_holidays(request: HttpRequest):
    _reader(request)
    return list(Holiday.objects.all())


@router.post("/marketing/holidays", response={201: HolidayOut})
def set_holiday(request: HttpRequest, payload: GreetingHolidayIn):
    """Add a holiday's date (the lunar holidays move every year)."""
    return Status(201, svc.set_holiday(request.auth, payload.key, payload.date,
                                       payload.name_zh, payload.name_en))
