"""API of the worked channels: a phone campaign's call list (take the next member, log the
outcome), an event's registrations and check-in, a WeChat campaign's tracked links. Marketing
staff, managers and the campaign's named agents work them; a draft, paused or cancelled
campaign refuses (409)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.core.schemas import Id
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import Campaign, CampaignMember, EventRegistration
from guanxi.marketing.selectors import channels as sel
from guanxi.marketing.services import calls, events
from guanxi.marketing.services.links import shared_url

router = Router(tags=["marketing"])


class CallMemberOut(Schema):
    id: int
    campaign_id: int
    account_id: int
    account_name: str = Field(alias="account.name")
    contact_id: int | None
    contact_name: str | None = Field(None, alias="contact.name")
    phone: str = Field(alias="address")
    calls: int
    call_outcome: str
    call_notes: str
    callback_at: dt.datetime | None


class CallIn(Schema):
    outcome: str
    notes: str = Field("", max_length=4000)
    callback_at: dt.datetime | None = None
    make_lead: bool = False


class CallOut(Schema):
    member: CallMemberOut
    lead_id: int | None


class RegistrationIn(Schema):
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    company: str = Field("", max_length=200)
    consent: bool = False
    member_id: Id | None = Field(None, description="The invited member; empty for a walk-in.")


class RegistrationOut(Schema):
    id: int
    campaign_id: int
    member_id: int | None
    code: str
    name: str
    phone: str
    email: str
    company: str
    lead_id: int | None
    consent_requested: bool
    registered_at: dt.datetime
    checked_in_at: dt.datetime | None


class CheckInIn(Schema):
    code: str = Field(..., max_length=20)


class LinkOut(Schema):
    url: str
    shared_url: str
    shared_clicks: int


class MemberLinksOut(Schema):
    member_id: int
    account_id: int
    wechat: str
    links: list[str]
    clicked_at: dt.datetime | None


class LinksOut(Schema):
    links: list[LinkOut]
    members: list[MemberLinksOut]


def _worked(request: HttpRequest, campaign_id: int, channel: str) -> Campaign:
    campaign = sel.get_workable_campaign(request.auth, campaign_id)
    if campaign.channel != channel:
        raise FieldErrors({"campaign": [_("This is not a campaign of that channel.")]})
    if not perms.can_work_campaign(request.auth, campaign):
        raise Forbidden(_("You do not work this campaign."))
    return campaign


@router.post("/marketing/calls/{campaign_id}/next", response={200: CallMemberOut, 204: None})
def take_next(request: HttpRequest, campaign_id: Id):
    """The member the caller holds, else the next free one, now theirs; 204 when the list is
    done. Two agents at once never get the same member."""
    member = calls.take_next(request.auth, _worked(request, campaign_id, "phone"))
    return member if member is not None else Status(204, None)


@router.post("/marketing/calls/members/{member_id}/outcome", response=CallOut)
def log_call(request: HttpRequest, member_id: Id, payload: CallIn):
    """Log the outcome of the call (``interested``, ``not_interested``, ``callback`` with
    ``callback_at``, ``no_answer``, ``wrong_number``, ``do_not_call``). 409, nothing written,
    when another agent holds the member."""
    member = CampaignMember.objects.select_related("campaign", "account", "contact") \
        .filter(pk=member_id).first()
    if member is None:
        raise FieldErrors({"member": [_("No such member.")]})
    _worked(request, member.campaign_id, "phone")
    done = calls.log_call(request.auth, member, payload.outcome, notes=payload.notes,
                          callback_at=payload.callback_at, make_lead=payload.make_lead)
    return {"member": done["member"], "lead_id": getattr(done["lead"], "pk", None)}


@router.get("/marketing/events/{campaign_id}/registrations", response=list[RegistrationOut])
def list_registrations(request: HttpRequest, campaign_id: Id, q: str = ""):
    """Registrations, found by code, name, company or mobile (``q``)."""
    campaign = _worked(request, campaign_id, "event")
    return list(sel.registrations(campaign, q)[:500])


@router.post("/marketing/events/{campaign_id}/registrations", response={201: RegistrationOut})
def register(request: HttpRequest, campaign_id: Id, payload: RegistrationIn):
    """Register someone at the booth (an invited member, or a walk-in who becomes a lead)."""
    campaign = _worked(request, campaign_id, "event")
    member = None
    if payload.member_id is not None:
        member = CampaignMember.objects.filter(campaign=campaign, pk=payload.member_id) \
            .select_related("contact").first()
        if member is None:
            raise FieldErrors({"member_id": [_("No such member in this campaign.")]})
    data = payload.model_dump()
    return Status(201, events.register(events.Invitation(campaign, member), data,
                                       actor=request.auth))


@router.post("/marketing/events/{campaign_id}/check-in", response=RegistrationOut)
def check_in(request: HttpRequest, campaign_id: Id, payload: CheckInIn):
    """Check in by registration code; an unknown code is 400 naming ``code``, a second
    check-in 409 saying when the first was."""
    campaign = _worked(request, campaign_id, "event")
    found = EventRegistration.objects.select_related("campaign").filter(
        campaign=campaign, code=payload.code.strip().upper()).first()
    if found is None:
        raise FieldErrors({"code": [_("No registration with this code for this event.")]})
    return events.check_in(request.auth, found)


@router.get("/marketing/wechat/{campaign_id}/links", response=LinksOut)
def links(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    """The shared link per campaign link (for a group post) and each member's own links."""
    campaign = _worked(request, campaign_id, "wechat")
    stats = sel.link_stats(campaign)
    return {"links": [{"url": link.url, "shared_url": shared_url(link),
                       "shared_clicks": link.shared_clicks} for link in stats["links"]],
            "members": [{"member_id": m.pk, "account_id": m.account_id, "wechat": m.address,
                         "links": urls, "clicked_at": m.clicked_at}
                        for m, urls in sel.member_links(campaign)]}
