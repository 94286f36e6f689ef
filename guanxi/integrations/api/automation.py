"""API: automation rules and their run log (administrators)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from guanxi.core.access import get_visible
from guanxi.core.schemas import Id, Int, Version
from guanxi.core.selectors import keyset_page
from guanxi.integrations import hooks_selectors as selectors
from guanxi.integrations.models import AutomationRule
from guanxi.integrations.services import automation

router = Router(tags=["automation"])


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class AutomationRuleIn(In):
    name: str
    trigger: str = Field(description="event, field_changed, stage_changed or no_follow_up")
    event_type: str | None = Field(None, description="For event: see GET /webhook-events")
    target: str | None = Field(None, description="For field_changed: customers.account, "
                                                 "customers.contact, sales.lead, "
                                                 "sales.opportunity or sales.task")
    field: str | None = Field(None, description="For field_changed")
    value: str | None = Field(None, description="field_changed: the new value; "
                                                "stage_changed: the stage key; empty: any")
    days: Int | None = Field(None, description="For no_follow_up")
    conditions: list[dict[str, Any]] = Field(
        [], description='All must hold: [{"field", "op": eq|ne|in|contains|gte|lte|empty|'
                        'not_empty, "value"}]')
    actions: list[dict[str, Any]] = Field(
        description='In order: {"type": assign_owner (user_id) | notify (to: owner|user|role, '
                    'user_id, role, message) | create_task (title, due_in_days, to, user_id, '
                    'priority) | add_tag (tag) | send_email (template_id)}')
    active: bool = True


class RuleUpdate(AutomationRuleIn):
    version: Version


class ActiveIn(In):
    active: bool
    version: Version


class AutomationRuleOut(Schema):
    id: int
    name: str
    trigger: str
    event_type: str
    target: str
    field: str
    value: str
    days: int | None
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    active: bool
    created_by_id: int | None
    updated_at: dt.datetime
    version: int


class AutomationRunOut(Schema):
    id: int
    rule_id: int
    event_id: str
    event_type: str
    object_type: str
    object_id: str
    object_repr: str
    result: str
    detail: list[Any]
    error: str
    at: dt.datetime


class RunFilters(Schema):
    rule: Id | None = None
    result: str | None = Field(None, description="done, skipped or failed")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class RunPage(Schema):
    items: list[AutomationRunOut]
    next: str | None


def _rule(request: HttpRequest, pk: int) -> AutomationRule:
    return get_visible(selectors.rules(request.auth), pk=pk)


@router.get("/automation-rules", response=list[AutomationRuleOut])
def list_rules(request: HttpRequest):
    return list(selectors.rules(request.auth))


@router.post("/automation-rules", response={201: AutomationRuleOut})
def create_rule(request: HttpRequest, payload: AutomationRuleIn):
    return Status(201, automation.create_rule(request.auth, payload.model_dump()))


@router.get("/automation-rules/{rule_id}", response=AutomationRuleOut)
def get_rule(request: HttpRequest, rule_id: Id):
    return _rule(request, rule_id)


@router.put("/automation-rules/{rule_id}", response=AutomationRuleOut)
def update_rule(request: HttpRequest, rule_id: Id, payload: RuleUpdate):
    data = payload.model_dump()
    version = data.pop("version")
    return automation.update_rule(request.auth, _rule(request, rule_id), data, version)


@router.put("/automation-rules/{rule_id}/active", response=AutomationRuleOut)
def set_active(request: HttpRequest, rule_id: Id, payload: ActiveIn):
    return automation.set_active(request.auth, _rule(request, rule_id), payload.active,
                                 payload.version)


@router.delete("/automation-rules/{rule_id}", response={204: None})
def delete_rule(request: HttpRequest, rule_id: Id):
    automation.delete_rule(request.auth, _rule(request, rule_id))
    return Status(204, None)


@router.get("/automation-runs", response=RunPage)
def list_runs(request: HttpRequest, filters: Query[RunFilters]):
    rule = _rule(request, filters.rule) if filters.rule else None
    qs = selectors.runs(request.auth, rule, filters.result)
    page = keyset_page(qs, "-at", filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}
