"""API shapes of opportunities, their selling team and stage history, the board, pipelines
and stages. Inputs forbid unknown keys; money is Decimal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from guanxi.accounts.schemas import TeamRef, UserRef
from guanxi.core.schemas import Id, Int, Version


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Pipelines and stages ------------------------------------------------------------------

class StageOut(Schema):
    id: int
    key: str
    name_en: str
    name_zh: str
    label: str
    position: int
    probability: int
    kind: str
    active: bool
    version: int


class PipelineOut(Schema):
    id: int
    name_en: str
    name_zh: str
    label: str
    is_default: bool
    active: bool
    position: int
    version: int
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.all())


class PipelineIn(In):
    name_en: str
    name_zh: str = ""
    is_default: bool = False


class PipelinePatch(In):
    version: Version
    name_en: str | None = None
    name_zh: str | None = None
    is_default: bool | None = None
    active: bool | None = None
    position: Int | None = None


class StageIn(In):
    name_en: str
    name_zh: str = ""
    probability: int = Field(ge=0, le=100)
    kind: Literal["open", "won", "lost"] = "open"
    key: str | None = None
    position: Int | None = Field(None, description="Default: after the last open stage")


class StagePatch(In):
    version: Version
    name_en: str | None = None
    name_zh: str | None = None
    probability: int | None = Field(None, ge=0, le=100)
    kind: Literal["open", "won", "lost"] | None = None
    active: bool | None = None


class StageOrderIn(In):
    stage_ids: list[Id] = Field(description="Every stage of the pipeline, once, in order")


# --- Opportunities -------------------------------------------------------------------------

class StageRef(Schema):
    id: int
    key: str
    label: str
    kind: str


class AccountRef(Schema):
    id: int
    name: str


class OpportunityListItem(Schema):
    id: int
    name: str
    account: AccountRef
    pipeline_id: int
    stage: StageRef
    amount: Decimal
    currency: str
    probability: int
    weighted_amount: Decimal
    expected_close: dt.date | None
    owner: UserRef | None
    team_id: int | None
    closed_at: dt.datetime | None
    updated_at: dt.datetime
    version: int


class OpportunityPage(Schema):
    items: list[OpportunityListItem]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class OpportunityMemberOut(Schema):
    user: UserRef
    role: str
    added_at: dt.datetime


class StageChangeOut(Schema):
    from_stage: StageRef | None
    to_stage: StageRef
    by: UserRef | None
    at: dt.datetime
    amount: Decimal


class OpportunityOut(OpportunityListItem):
    contact_id: int | None
    source: str
    timeframe: str
    lead_id: int | None
    competitors: str
    description: str
    next_step: str
    team: TeamRef | None
    finder: UserRef | None
    delivery_owner: UserRef | None
    collection_owner: UserRef | None
    members: list[OpportunityMemberOut]
    loss_reason: str
    loss_note: str
    stage_changed_at: dt.datetime | None
    created_at: dt.datetime
    stage_history: list[StageChangeOut]

    @staticmethod
    def resolve_members(obj) -> list:
        return list(obj.members.select_related("user"))

    @staticmethod
    def resolve_stage_history(obj) -> list:
        return list(obj.stage_changes.select_related("from_stage", "to_stage", "by"))


class OpportunityFields(In):
    name: str | None = None
    amount: Decimal | None = Field(None, description="Not negative")
    currency: str | None = Field(None, description="ISO code, default CNY")
    expected_close: dt.date | None = None
    contact_id: Id | None = None
    probability: Int | None = Field(None, description="Default: the stage's probability")
    source: str | None = None
    timeframe: str | None = None
    competitors: str | None = None
    description: str | None = None
    next_step: str | None = None


class OpportunityIn(OpportunityFields):
    account_id: Id
    name: str
    pipeline_id: Id | None = Field(None, description="Default: the default pipeline")
    stage: str | Id | None = Field(None, description="Stage id or key; default: the first")
    owner_id: Id | None = Field(None, description="Default: you")
    finder_id: Id | None = None
    delivery_owner_id: Id | None = None
    collection_owner_id: Id | None = None


class OpportunityPatch(OpportunityFields):
    version: Version


class MoveIn(In):
    version: Version
    stage: str | Id = Field(description="Stage id or key of the opportunity's pipeline")
    loss_reason: str | None = Field(None, description="Required when moving to a lost stage")
    loss_note: str = ""


class TeamRoleIn(In):
    version: Version
    role: Literal["owner", "finder", "delivery_owner", "collection_owner"]
    user_id: Id | None = Field(description="Null clears the role (not for the owner)")


class MemberIn(In):
    user_id: Id
    role: str = Field("", description="What they do on this deal")


# --- Board ---------------------------------------------------------------------------------

class CardOut(Schema):
    id: int
    name: str
    account: AccountRef
    amount: Decimal
    currency: str
    expected_close: dt.date | None
    owner: UserRef | None
    version: int


class ColumnOut(Schema):
    stage: StageOut
    count: int
    amount: Decimal
    cards: list[CardOut]
    next: str | None = Field(description="Cursor for the column's next cards")


class BoardOut(Schema):
    pipeline: PipelineOut
    columns: list[ColumnOut]


class WorkOut(Schema):
    owner: list[OpportunityListItem]
    finder: list[OpportunityListItem]
    delivery_owner: list[OpportunityListItem]
    collection_owner: list[OpportunityListItem]
    member: list[OpportunityListItem]
