"""API shapes of leads, routing rules and notifications. Inputs forbid unknown keys; values are
checked again by the services, which answer 400 naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext
from ninja import Schema
from pydantic import ConfigDict, Field

from guanxi.accounts.schemas import TeamRef, UserRef
from guanxi.core.schemas import Id, Int, Version


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class LeadFields(In):
    name: str | None = None
    company: str | None = None
    title: str | None = None
    phone: str | None = Field(None, description="Any format; stored as E.164")
    email: str | None = None
    province: str | None = None
    city: str | None = None
    source: str | None = Field(None, description="exhibition, website, referral, campaign, "
                                                 "call_centre, portal, import, manual")
    source_detail: str | None = None
    timeframe: str | None = Field(None, description="immediate, 3m, 6m or 12m")
    interest: str | None = None
    budget: Decimal | None = None
    notes: str | None = None


class LeadIn(LeadFields):
    name: str
    owner_id: Id | None = Field(None, description="Managers and assistants enter leads for "
                                                   "a rep; a rep's own lead is theirs")
    customer_id: Id | None = Field(None, description="A customer the lead belongs to")


class LeadPatch(LeadFields):
    version: Version


class ScoreReason(Schema):
    reason: str
    msgid: str
    points: int


class LeadOut(Schema):
    id: int
    name: str
    company: str
    title: str
    phone: str
    email: str
    province: str
    city: str
    source: str
    source_detail: str
    timeframe: str
    interest: str
    budget: Decimal | None
    notes: str
    status: str
    score: int
    score_detail: list[ScoreReason]
    owner: UserRef | None
    team: TeamRef | None
    finder: UserRef | None
    customer_id: int | None = Field(None, alias="account_id")
    assigned_at: dt.datetime | None
    revisit_on: dt.date | None
    material_sent_at: dt.datetime | None
    disqualify_reason: str
    converted_at: dt.datetime | None
    converted_customer_id: int | None = Field(None, alias="converted_account_id")
    converted_contact_id: int | None
    converted_opportunity_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_score_detail(obj) -> list[dict]:
        return [{"reason": gettext(msgid), "msgid": msgid, "points": points}
                for msgid, points in (obj.score_detail or [])]


class DuplicateCustomer(Schema):
    id: int
    name: str
    reasons: list[str]


class LeadDetail(LeadOut):
    duplicate_lead_ids: list[int] = Field(default_factory=list)
    duplicate_customers: list[DuplicateCustomer] = Field(default_factory=list)


class LeadPage(Schema):
    items: list[LeadOut]
    next: str | None = Field(None, description="Cursor of the next page")


class AssignIn(In):
    owner_id: Id
    version: Version


class DisqualifyIn(In):
    reason: str
    version: Version


class LeadConvertIn(In):
    version: Version
    customer_id: Id | None = Field(None, description="Use this existing customer instead "
                                                      "of creating one")
    force: bool = Field(False, description="Create a new customer despite likely duplicates")
    opportunity_name: str = ""


class ConvertOut(Schema):
    lead: LeadOut
    customer_id: int
    contact_id: int
    opportunity_id: int


class RuleFields(In):
    name: str | None = None
    position: Int | None = None
    source: str | None = Field(None, description="Empty: any source")
    timeframe: str | None = Field(None, description="Empty: any timeframe")
    province: str | None = Field(None, description="Empty: any region")
    user_id: Id | None = Field(None, description="Send to this user …")
    team_id: Id | None = Field(None, description="… or round robin within this team")
    active: bool | None = None


class RoutingRuleIn(RuleFields):
    name: str


class RoutingRulePatch(RuleFields):
    version: Version


class RoutingRuleOut(Schema):
    id: int
    name: str
    position: int
    source: str
    timeframe: str
    province: str
    user: UserRef | None
    team: TeamRef | None
    last_assigned: UserRef | None
    active: bool
    version: int


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    actor: UserRef | None
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.display_title


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int


class MarkReadIn(In):
    ids: list[Id] | None = Field(None, description="Omitted: all unread")


class MarkReadOut(Schema):
    marked: int
    unread: int
