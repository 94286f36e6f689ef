"""API shapes of customers, contacts, addresses, relationships, approvals and the pool.

Inputs forbid unknown keys, so a typo is a 422 naming it rather than a silent no-op. Values
are checked again by the services (phones, registration ids, choices, custom fields), which
answer 400 naming the field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from guanxi.accounts.schemas import TeamRef, UserRef
from guanxi.core.schemas import Id, Int, Version


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Customers ------------------------------------------------------------------------------

class ProfileFields(In):
    kind: str | None = Field(None, description="company or person")
    name: str | None = None
    name_en: str | None = None
    registration_id: str | None = Field(None, description="18-character USCC (统一社会信用代码)")
    industry: str | None = None
    size: str | None = None
    source: str | None = None
    phone: str | None = Field(None, description="Any format; stored as E.164")
    email: str | None = None
    website: str | None = None
    description: str | None = None
    region_economy: str | None = None
    region_climate: str | None = None
    region_customs: str | None = None
    lifestyle: str | None = None
    needs: str | None = None
    purchase_channel: str | None = None
    attitude_risk: Int | None = None
    attitude_products: Int | None = None
    attitude_service: Int | None = None
    likelihood_rebuy: Int | None = None
    likelihood_recommend: Int | None = None


class TermsFields(In):
    discount_rate: Decimal | None = Field(None, description="Percent off list price")
    payment_terms_days: Int | None = None
    settlement_method: str | None = None
    credit_limit: Decimal | None = None
    currency: str | None = None


class ContactFields(In):
    name: str | None = None
    name_en: str | None = None
    title: str | None = None
    department: str | None = None
    gender: str | None = Field(None, description="f, m or x")
    birthday: dt.date | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    wechat: str | None = None
    is_primary: bool | None = None
    notes: str | None = None


class ContactIn(ContactFields):
    custom: dict[str, Any] | None = None


class ContactPatch(ContactIn):
    version: Version


class AddressIn(In):
    kind: str | None = Field(None, description="office, billing, shipping or home")
    country: str | None = Field(None, description="ISO code; CN (default) needs a province")
    province: str | None = None
    city: str | None = None
    district: str | None = None
    street: str | None = None
    postal_code: str | None = None
    lines: str | None = Field(None, description="Free-form address outside China")
    is_primary: bool | None = None


class AddressPatch(AddressIn):
    version: Version


class CustomerIn(ProfileFields, TermsFields):
    name: str
    contacts: list[ContactFields] = []
    addresses: list[AddressIn] = []
    tags: list[str] = []
    custom: dict[str, Any] = {}
    owner_id: Id | None = Field(None, description="Default: you, if you sell")
    force: bool = Field(False, description="Create even though possible duplicates exist "
                                           "(never when another rep owns the customer)")


class CustomerPatch(ProfileFields, TermsFields):
    version: Version
    custom: dict[str, Any] | None = None


class TagOut(Schema):
    name: str
    color: str


# The list's shapes are plain pydantic models over plain rows (``selectors.customer_list_rows``):
# validated inside pydantic-core, where a ninja Schema runs Python per field of every row —
# half the time a fifty-row page took.
class ListOwner(BaseModel):
    id: int
    username: str
    name: str


class ListTeam(BaseModel):
    id: int
    name: str


class CustomerListItem(BaseModel):
    id: int
    kind: str
    name: str
    name_en: str
    industry: str
    size: str
    source: str
    phone: str
    email: str
    owner: ListOwner | None
    team: ListTeam | None
    tags: list[str]
    approval: str
    standing: str
    in_pool: bool
    completeness: int
    last_follow_up_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class CustomerPage(BaseModel):
    items: list[CustomerListItem]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class ContactOut(Schema):
    id: int
    account_id: int
    name: str
    name_en: str
    title: str
    department: str
    gender: str
    birthday: dt.date | None
    phone: str
    mobile: str
    email: str
    wechat: str
    is_primary: bool
    notes: str
    custom: dict[str, Any]
    version: int


class ContactListItem(ContactOut):
    account_name: str

    @staticmethod
    def resolve_account_name(obj) -> str:
        return obj.account.name


class ContactPage(Schema):
    items: list[ContactListItem]
    next: str | None


class AddressOut(Schema):
    id: int
    account_id: int
    kind: str
    country: str
    province: str
    province_code: str
    city: str
    district: str
    street: str
    postal_code: str
    lines: str
    is_primary: bool
    text: str
    version: int

    @staticmethod
    def resolve_text(obj) -> str:
        return str(obj)


class TermsOut(Schema):
    discount_rate: Decimal
    payment_terms_days: int
    settlement_method: str
    credit_limit: Decimal
    currency: str


class CustomerOut(Schema):
    """The 360° record: profile, terms, contacts, addresses, tags, custom values."""

    id: int
    kind: str
    name: str
    name_en: str
    registration_id: str | None
    industry: str
    size: str
    source: str
    phone: str
    email: str
    website: str
    description: str
    region_economy: str
    region_climate: str
    region_customs: str
    lifestyle: str
    needs: str
    purchase_channel: str
    attitude_risk: int | None
    attitude_products: int | None
    attitude_service: int | None
    likelihood_rebuy: int | None
    likelihood_recommend: int | None
    terms: TermsOut
    owner: UserRef | None
    team: TeamRef | None
    approval: str
    standing: str
    in_pool: bool
    last_follow_up_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    custom: dict[str, Any]
    tags: list[str]
    contacts: list[ContactOut]
    addresses: list[AddressOut]
    shared_with: list[UserRef]
    completeness: int
    missing: list[str] = Field(description="What the record lacks to be complete")


class TimelineEventOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    actor: UserRef | None
    contact_id: int | None
    at: dt.datetime
    data: dict[str, Any]

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.display_title


class TimelinePage(Schema):
    items: list[TimelineEventOut]
    next_before_id: int | None = Field(description="Pass as `before_id` for older events")


class FollowUpIn(In):
    text: str
    contact_id: Id | None = None


class TagsIn(In):
    tags: list[str]


class ShareIn(In):
    user_id: Id


class OwnerIn(In):
    owner_id: Id | None = Field(description="null leaves the customer without owner")
    version: Version


class VersionIn(In):
    version: Version


class ApprovalDecisionIn(In):
    comment: str = ""
    version: Version


class ReleaseIn(In):
    reason: str = ""
    version: Version


class MergeIn(In):
    other_id: Id = Field(description="The customer merged away (it becomes inactive)")
    version: Version = Field(description="Version of the customer kept")
    other_version: Version


class RelationshipIn(In):
    from_contact_id: Id = Field(description="A contact of this customer")
    to_contact_id: Id
    kind: str = Field(description="family, friend, colleague or referred_by")
    note: str = ""


class ContactRef(Schema):
    id: int
    name: str | None = Field(description="null when the person is at a customer you cannot see")
    account_id: int | None


class RelationshipOut(Schema):
    id: int
    kind: str
    note: str
    from_contact: ContactRef
    to_contact: ContactRef


# --- Search and duplicates ------------------------------------------------------------------

class HitOut(Schema):
    kind: str
    id: int
    name: str
    account_id: int
    account_name: str
    field: str = Field(description="What matched: name, pinyin, initials, phone, email, "
                                   "registration_id, custom (a text custom field)")
    score: int
    detail: str
    url: str = Field("", description="The page of the record")


class DuplicateOut(Schema):
    visible: bool
    reasons: list[str]
    id: int | None = Field(description="null when you may not open the record")
    name: str | None
    owner_name: str | None
    message: str


# --- Approvals and terms --------------------------------------------------------------------

class TermsRequestIn(In):
    changes: dict[str, Any] = Field(description="New values of discount_rate, "
                                                "payment_terms_days, settlement_method, "
                                                "credit_limit, currency")
    reason: str = ""


class ApprovalStepOut(Schema):
    step: str
    decision: str
    actor: UserRef | None
    comment: str
    at: dt.datetime


class TermsRequestOut(Schema):
    id: int
    account_id: int
    account_name: str
    requested_by: UserRef | None
    requested_at: dt.datetime
    reason: str
    changes: dict[str, list[Any]] = Field(description="{field: [old, new]}")
    status: str
    status_since: dt.datetime
    version: int

    @staticmethod
    def resolve_account_name(obj) -> str:
        return obj.account.name


class TermsRequestDetail(TermsRequestOut):
    steps: list[ApprovalStepOut]
    can_decide: bool


class TermsRequestPage(Schema):
    items: list[TermsRequestOut]
    next: str | None


class PendingCustomerOut(Schema):
    id: int
    name: str
    owner: UserRef | None
    created_by: UserRef | None
    created_at: dt.datetime
    version: int


class ApprovalsOut(Schema):
    customers: list[PendingCustomerOut]
    terms_requests: list[TermsRequestOut]


# --- Pool -----------------------------------------------------------------------------------

class PoolItem(Schema):
    id: int
    name: str
    industry: str
    team: TeamRef | None
    pool_since: dt.datetime | None
    completeness: int
    version: int


class PoolPage(Schema):
    items: list[PoolItem]
    next: str | None


class PoolPolicyOut(Schema):
    return_after_days: int
    claim_limit: int
    claimed_by_me: int
    version: int


class PoolPolicyIn(In):
    return_after_days: Int
    claim_limit: Int
    version: Version
