"""API: segments (with a live count), campaigns (plan, launch, pause, resume, costs,
analysis), members and responses, and consents. Marketing staff and managers plan; a rep
reads the members and responses of the customers they see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.errors import Forbidden
from guanxi.core.schemas import Id
from guanxi.core.selectors import keyset_page
from guanxi.customers.models import Consent
from guanxi.customers.schemas import VersionIn
from guanxi.customers.selectors import get_account, get_contact
from guanxi.customers.services import consent as consent_svc
from guanxi.marketing import permissions as perms
from guanxi.marketing.selectors import segments as seg_sel
from guanxi.marketing.selectors.campaigns import (
    filter_campaigns,
    filter_members,
    get_campaign,
    visible_responses,
)
from guanxi.marketing.services import analysis
from guanxi.marketing.services import campaigns as svc
from guanxi.marketing.services import segments as seg_svc
from guanxi.marketing.services.sending import progress

router = Router(tags=["marketing"])


class SegmentOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    rules: dict[str, str]
    version: int


class SegmentIn(Schema):
    name: str = Field(..., max_length=120)
    kind: str = "dynamic"
    description: str = ""
    rules: dict[str, str] = Field(default_factory=dict,
                                  description="The customer list's filters, e.g. "
                                              '{"industry": "energy", "tag": "VIP"}')


class SegmentCountIn(Schema):
    rules: dict[str, str]


class SegmentCountOut(Schema):
    count: int
    preview: list[dict[str, Any]]


class CampaignIn(Schema):
    name: str = Field(..., max_length=200)
    channel: str = "email"
    purpose: str = "marketing"
    description: str = ""
    budget: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    starts_at: dt.datetime | None = None
    control_percent: int = Field(10, ge=0, le=50)
    conversion_days: int = Field(30, ge=1, le=365)
    rate_per_minute: int = Field(600, ge=1, le=100000)
    subject_zh: str = Field("", max_length=300)
    subject_en: str = Field("", max_length=300)
    subject_b_zh: str = Field("", max_length=300)
    subject_b_en: str = Field("", max_length=300)
    body_zh: str = ""
    body_en: str = ""
    options: dict[str, Any] = Field(
        default_factory=dict, description="The channel's settings: an event's venue, "
        "capacity and event_at (ISO date and time); the agents (user ids) of a phone, event "
        "or WeChat campaign; an SMS campaign's sms_template.")
    segment_ids: list[Id] = Field(default_factory=list)


class CampaignOut(Schema):
    id: int
    name: str
    channel: str
    purpose: str
    status: str
    budget: Decimal
    currency: str
    starts_at: dt.datetime | None
    control_percent: int
    conversion_days: int
    rate_per_minute: int
    subject_zh: str
    subject_en: str
    subject_b_zh: str
    subject_b_en: str
    body_zh: str
    body_en: str
    options: dict[str, Any]
    owner_id: int | None
    version: int


class CostIn(Schema):
    description: str = Field(..., max_length=200)
    amount: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)
    spent_on: dt.date | None = None


class CostOut(Schema):
    id: int
    description: str
    amount: Decimal
    spent_on: dt.date


class MemberOut(Schema):
    id: int
    campaign_id: int
    account_id: int
    contact_id: int | None
    is_control: bool
    variant: str
    state: str
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    bounced_at: dt.datetime | None
    opened_at: dt.datetime | None
    clicked_at: dt.datetime | None
    replied_at: dt.datetime | None
    registered_at: dt.datetime | None
    converted_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None
    margin: Decimal


class MemberPage(Schema):
    items: list[MemberOut]
    next: str | None


class MemberFilters(Schema):
    campaign: Id | None = None
    account: Id | None = None
    response: str | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=500)


class ResponseOut(Schema):
    id: int
    member_id: int
    campaign_id: int
    kind: str
    at: dt.datetime
    data: dict[str, Any]


class ConsentIn(Schema):
    account_id: Id | None = None
    contact_id: Id | None = None
    channel: str
    purpose: str
    granted: bool
    source: str = "staff"
    evidence: str = Field("", max_length=4000)


class ConsentOut(Schema):
    id: int
    account_id: int | None
    contact_id: int | None
    address: str
    channel: str
    purpose: str
    granted: bool
    source: str
    evidence: str
    at: dt.datetime


def _plan(request: HttpRequest) -> None:
    if not perms.can_plan(request.auth):
        raise Forbidden(_("Only marketing staff and managers plan segments and campaigns."))


def _segments(request: HttpRequest, ids: list[int]) -> list:
    found = list(seg_sel.visible_segments(request.auth).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        from guanxi.core.errors import FieldErrors

        raise FieldErrors({"segment_ids": [_("No segment with one of these ids.")]})
    return found


@router.get("/marketing/segments", response=list[SegmentOut])
def list_segments(request: HttpRequest):
    if not perms.can_view_campaigns(request.auth):
        raise Forbidden(_("Marketing staff, managers and executives see segments."))
    return list(seg_sel.visible_segments(request.auth)[:500])


@router.post("/marketing/segments", response={201: SegmentOut})
def create_segment(request: HttpRequest, payload: SegmentIn):
    return Status(201, seg_svc.create_segment(request.auth, payload.model_dump()))


@router.post("/marketing/segments/count", response=SegmentCountOut)
def count_segment(request: HttpRequest, payload: SegmentCountIn):
    """The live count and a preview of the customers the rules select."""
    _plan(request)
    return {"count": seg_sel.count(request.auth, payload.rules),
            "preview": [{"id": a.pk, "name": a.name}
                        for a in seg_sel.preview(request.auth, payload.rules, 10)]}


@router.get("/marketing/campaigns", response=list[CampaignOut])
def list_campaigns(request: HttpRequest, status: str | None = None, channel: str | None = None):
    if not perms.can_view_campaigns(request.auth):
        raise Forbidden(_("Marketing staff, managers and executives see campaigns."))
    return list(filter_campaigns(request.auth, request.GET)[:500])


@router.post("/marketing/campaigns", response={201: CampaignOut})
def create_campaign(request: HttpRequest, payload: CampaignIn):
    data = payload.model_dump()
    segments = _segments(request, data.pop("segment_ids"))
    return Status(201, svc.create_campaign(request.auth, data, segments=segments))


@router.get("/marketing/campaigns/{campaign_id}", response=CampaignOut)
def get_campaign_(request: HttpRequest, campaign_id: Id):
    return get_campaign(request.auth, campaign_id)


@router.post("/marketing/campaigns/{campaign_id}/costs", response={201: CostOut})
def add_cost(request: HttpRequest, campaign_id: Id, payload: CostIn):
    campaign = get_campaign(request.auth, campaign_id)
    return Status(201, svc.add_cost(request.auth, campaign, payload.description,
                                    payload.amount, payload.spent_on))


class LeadsMade(Schema):
    created: int


@router.post("/marketing/campaigns/{campaign_id}/leads", response=LeadsMade)
def leads_from_responders(request: HttpRequest, campaign_id: Id):
    """Members who clicked, replied or registered become leads with the campaign as source."""
    from guanxi.marketing.services.leads import leads_from_responders as make

    campaign = get_campaign(request.auth, campaign_id)
    if not perms.can_edit_campaign(request.auth, campaign):
        raise Forbidden(_("You may not change this campaign."))
    return {"created": make(request.auth, campaign)}


@router.get("/marketing/campaigns/{campaign_id}/analysis", response=dict[str, Any])
def campaign_analysis(request: HttpRequest, campaign_id: Id):
    """Progress, counts, rates, uplift over the control group and ROI."""
    campaign = get_campaign(request.auth, campaign_id)
    result = analysis.summary(campaign)
    return {"progress": progress(campaign),
            "roi": None if result["roi"] is None else str(result["roi"]),
            "cost": str(result["cost"]), "margin": str(result["margin"]),
            "revenue": str(result["revenue"]), "uplift": result["uplift"],
            "treated_conversion": result["treated_conversion"],
            "control_conversion": result["control_conversion"],
            "rates": result["treated"]["rates"]}


@router.get("/marketing/members", response=MemberPage)
def list_members(request: HttpRequest, filters: Query[MemberFilters]):
    """Members of the campaigns (marketing); a rep gets those of the customers they see."""
    qs = filter_members(request.auth, request.GET)
    page = keyset_page(qs, "id", filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.get("/marketing/responses", response=list[ResponseOut])
def list_responses(request: HttpRequest, campaign: Id | None = None,
                   account: Id | None = None, limit: int = Query(100, ge=1, le=500)):
    qs = visible_responses(request.auth)
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    if account is not None:
        qs = qs.filter(member__account_id=account)
    return list(qs.order_by("-at", "-id")[:limit])


@router.get("/marketing/consents", response=list[ConsentOut])
def list_consents(request: HttpRequest, account: Id):
    """The consent history of a customer and its contacts, newest first."""
    found = get_account(request.auth, account)
    return list(Consent.objects.filter(account=found).order_by("-at", "-id")[:500])


@router.post("/marketing/consents", response={201: ConsentOut})
def record_consent(request: HttpRequest, payload: ConsentIn):
    person: Any
    if payload.contact_id is not None:
        person = get_contact(request.auth, payload.contact_id)
    elif payload.account_id is not None:
        person = get_account(request.auth, payload.account_id)
    else:
        from guanxi.core.errors import FieldErrors

        raise FieldErrors({"contact_id": [_("Give the contact or the customer.")]})
    return Status(201, consent_svc.record(
        request.auth, person, channel=payload.channel, purpose=payload.purpose,
        granted=payload.granted, source=payload.source, evidence=payload.evidence))


# Last: the other /campaigns/{id}/… paths come first.
@router.post("/marketing/campaigns/{campaign_id}/{action}", response=CampaignOut)
def campaign_action(request: HttpRequest, campaign_id: Id, action: str, payload: VersionIn):
    """``launch`` (freeze members and send), ``pause``, ``resume`` or ``cancel``."""
    actions = {"launch": svc.launch_campaign, "pause": svc.pause_campaign,
               "resume": svc.resume_campaign, "cancel": svc.cancel_campaign}
    if action not in actions:
        from ninja.errors import HttpError

        raise HttpError(404, _("No such action."))
    campaign = get_campaign(request.auth, campaign_id)
    return actions[action](request.auth, campaign, payload.version)
