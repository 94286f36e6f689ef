"""API shapes of activities, support requests, tasks, the calendar feed and e-mail.

Inputs forbid unknown keys (a typo is a 422 naming it); the services check values again and
answer 400 naming the field. Money is a Decimal, sent as a string."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field

from guanxi.accounts.schemas import UserRef
from guanxi.core.schemas import DateTime, Id, Int, Version


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Activities and support requests ---------------------------------------------------------

class SupportIn(In):
    people: str = ""
    budget: Decimal | None = Field(None, description="Decimal ≥ 0, in the customer's currency")
    samples: str = ""


class ActivityIn(In):
    kind: str = Field(description="call, visit, meeting, note or campaign (攻关活动)")
    subject: str
    body: str = ""
    outcome: str = ""
    location: str = ""
    status: str = Field("done", description="done or planned (a campaign is planned)")
    starts_at: DateTime | None = Field(None, description="Default: now")
    duration_minutes: Int | None = None
    account_id: Id | None = None
    contact_id: Id | None = None
    opportunity_id: Id | None = None
    lead_id: Id | None = None
    support: SupportIn | None = Field(None, description="Required for a campaign plan")


class ActivityPatch(In):
    version: Version
    subject: str | None = None
    body: str | None = None
    outcome: str | None = None
    location: str | None = None
    starts_at: DateTime | None = None
    duration_minutes: Int | None = None
    contact_id: Id | None = Field(None, description="null clears the contact")


class VersionIn(In):
    version: Version


class CompleteIn(In):
    version: Version
    outcome: str = ""


class SupportOut(Schema):
    id: int
    activity_id: int
    subject: str
    account_id: int | None
    people: str
    budget: Decimal | None
    currency: str
    samples: str
    status: str
    requested_by: UserRef | None
    requested_at: dt.datetime
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    decision_note: str
    version: int

    @staticmethod
    def resolve_subject(obj) -> str:
        return obj.activity.subject

    @staticmethod
    def resolve_account_id(obj) -> int | None:
        return obj.activity.account_id


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    outcome: str
    location: str
    status: str
    starts_at: dt.datetime
    duration_minutes: int | None
    account_id: int | None
    contact_id: int | None
    opportunity_id: int | None
    lead_id: int | None
    owner: UserRef | None
    support_request_id: int | None
    version: int

    @staticmethod
    def resolve_support_request_id(obj) -> int | None:
        request = getattr(obj, "support_request", None)
        return request.pk if request else None


class ActivityPage(Schema):
    items: list[ActivityOut]
    next: str | None


class SupportDecisionIn(In):
    version: Version
    approve: bool
    comment: str = Field("", description="Required to decline")


# --- Tasks and the calendar ------------------------------------------------------------------

class TaskIn(In):
    title: str
    due_at: DateTime
    all_day: bool = True
    remind_at: DateTime | None = None
    priority: str = "normal"
    notes: str = ""
    assignee_id: Id | None = Field(None, description="Default: you. Managers and sales "
                                    "assistants may give tasks to their team.")
    account_id: Id | None = None
    opportunity_id: Id | None = None
    lead_id: Id | None = None


class TaskPatch(In):
    version: Version
    title: str | None = None
    due_at: DateTime | None = None
    all_day: bool | None = None
    remind_at: DateTime | None = None
    priority: str | None = None
    notes: str | None = None
    assignee_id: Id | None = None


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    due_at: dt.datetime
    all_day: bool
    remind_at: dt.datetime | None
    reminded_at: dt.datetime | None
    priority: str
    status: str
    assignee: UserRef
    account_id: int | None
    opportunity_id: int | None
    lead_id: int | None
    done_at: dt.datetime | None
    version: int


class TaskPage(Schema):
    items: list[TaskOut]
    next: str | None


class TodayOut(Schema):
    overdue: list[TaskOut]
    due_today: list[TaskOut]
    appointments: list[ActivityOut]


class FeedOut(Schema):
    url: str


# --- E-mail ----------------------------------------------------------------------------------

class EmailTemplateIn(In):
    name: str
    language: str = "zh-hans"
    subject: str
    body: str
    active: bool = True


class EmailTemplatePatch(In):
    version: Version
    name: str | None = None
    language: str | None = None
    subject: str | None = None
    body: str | None = None
    active: bool | None = None


class EmailTemplateOut(Schema):
    id: int
    name: str
    language: str
    subject: str
    body: str
    active: bool
    version: int


class EmailSendIn(In):
    account_id: Id
    contact_id: Id | None = None
    to: str = Field("", description="Default: the contact's e-mail address")
    opportunity_id: Id | None = None
    template_id: Id | None = Field(None, description="Merged when subject and body are "
                                    "empty")
    subject: str = ""
    body: str = ""


class EmailOut(Schema):
    id: int
    status: str
    error: str
    to: str
    subject: str
    body: str
    message_id: str
    account_id: int | None
    contact_id: int | None
    at: dt.datetime
    missing_fields: list[str] = Field([], description="Merge fields that came out empty")
