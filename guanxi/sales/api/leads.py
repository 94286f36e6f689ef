"""API: leads (list, get, enter, edit, hand to a rep, disqualify, convert), lead routing
rules (administrators) and the signed-in user's notifications."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.accounts.models import User
from guanxi.core.access import get_visible
from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.core.models import Notification
from guanxi.core.notifications import mark_read, unread_count
from guanxi.core.schemas import Id, Version
from guanxi.core.selectors import keyset_page
from guanxi.customers.models import Account
from guanxi.sales import permissions as perms
from guanxi.sales.models import Lead, LeadRoutingRule
from guanxi.sales.schemas import leads as s
from guanxi.sales.selectors import leads as selectors
from guanxi.sales.services import conversion, routing
from guanxi.sales.services import leads as services

router = Router(tags=["leads"])


class LeadFilters(Schema):
    q: str | None = Field(None, description="Name, company, e-mail or phone digits")
    status: str | None = Field(None, description="A status, or `open`")
    timeframe: str | None = None
    source: str | None = None
    owner: str | None = Field(None, description="A user id, `me` or `none`")
    sort: Literal["-created_at", "-score"] = "-created_at"
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _user(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise FieldErrors({field: [_("No active user with this id.")]})
    return user


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    return get_visible(selectors.visible_leads(request.auth).select_related(
        "owner", "team", "finder"), pk=lead_id)


def _detail(lead: Lead) -> Lead:
    """The lead with the open leads and customers it may duplicate (reported, not refused)."""
    found = selectors.lead_duplicates(phone=lead.phone, email=lead.email,
                                      company=lead.company, exclude_id=lead.pk) \
        if lead.is_open else {"leads": [], "customers": []}
    lead.duplicate_lead_ids = [d.pk for d in found["leads"]]
    lead.duplicate_customers = [{"id": m.account.pk, "name": m.account.name,
                                 "reasons": m.reasons} for m in found["customers"]]
    return lead


@router.get("/leads", response=s.LeadPage)
def list_leads(request: HttpRequest, filters: Query[LeadFilters]):
    qs = selectors.filter_leads(request.auth, request.GET).select_related("owner", "team",
                                                                          "finder")
    page = keyset_page(qs, filters.sort, filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/leads", response={201: s.LeadDetail})
def create_lead(request: HttpRequest, payload: s.LeadIn):
    data = payload.model_dump(exclude_unset=True)
    owner = _user(data.pop("owner_id", None), "owner_id")
    customer_id = data.pop("customer_id", None)
    account = get_visible(Account.objects.visible_to(request.auth), pk=customer_id) \
        if customer_id else None
    lead = services.create_lead(request.auth, data, owner=owner, account=account)
    return Status(201, _detail(lead))


@router.get("/leads/{lead_id}", response=s.LeadDetail)
def get_lead(request: HttpRequest, lead_id: Id):
    return _detail(_lead(request, lead_id))


@router.patch("/leads/{lead_id}", response=s.LeadDetail)
def update_lead(request: HttpRequest, lead_id: Id, payload: s.LeadPatch):
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    lead = services.update_lead(request.auth, _lead(request, lead_id), data, version)
    return _detail(lead)


@router.post("/leads/{lead_id}/assign", response=s.LeadOut)
def assign_lead(request: HttpRequest, lead_id: Id, payload: s.AssignIn):
    owner = _user(payload.owner_id, "owner_id")
    return services.assign_lead(request.auth, _lead(request, lead_id), owner, payload.version)


@router.post("/leads/{lead_id}/disqualify", response=s.LeadOut)
def disqualify_lead(request: HttpRequest, lead_id: Id, payload: s.DisqualifyIn):
    return services.disqualify_lead(request.auth, _lead(request, lead_id), payload.reason,
                                    payload.version)


@router.post("/leads/{lead_id}/convert", response={201: s.ConvertOut})
def convert_lead(request: HttpRequest, lead_id: Id, payload: s.LeadConvertIn):
    """Customer + contact + opportunity in one step. A likely duplicate customer answers 409
    naming it: send its id as ``customer_id`` to use it, or ``force`` to create a new one."""
    account = get_visible(Account.objects.visible_to(request.auth), pk=payload.customer_id) \
        if payload.customer_id else None
    lead = conversion.convert_lead(request.auth, _lead(request, lead_id), payload.version,
                                   account=account, force=payload.force,
                                   opportunity_name=payload.opportunity_name)
    return Status(201, {"lead": lead, "customer_id": lead.converted_account_id,
                        "contact_id": lead.converted_contact_id,
                        "opportunity_id": lead.converted_opportunity_id})


# --- Routing rules --------------------------------------------------------------------------

def _rules(request: HttpRequest):
    if not perms.can_configure(request.auth):
        raise Forbidden(_("Only administrators change lead routing."))
    return LeadRoutingRule.objects.select_related("user", "team", "last_assigned")


def _rule_data(data: dict[str, Any]) -> dict[str, Any]:
    from guanxi.accounts.models import Team

    if "user_id" in data:
        data["user"] = _user(data.pop("user_id"), "user_id")
    if "team_id" in data:
        team_id = data.pop("team_id")
        data["team"] = Team.objects.filter(pk=team_id).first() if team_id else None
        if team_id and data["team"] is None:
            raise FieldErrors({"team_id": [_("No team with this id.")]})
    return data


@router.get("/lead-routing-rules", response=list[s.RoutingRuleOut])
def list_rules(request: HttpRequest):
    return list(_rules(request))


@router.post("/lead-routing-rules", response={201: s.RoutingRuleOut})
def create_rule(request: HttpRequest, payload: s.RoutingRuleIn):
    _rules(request)
    rule = routing.create_rule(request.auth, _rule_data(payload.model_dump(exclude_unset=True)))
    return Status(201, rule)


@router.patch("/lead-routing-rules/{rule_id}", response=s.RoutingRuleOut)
def update_rule(request: HttpRequest, rule_id: Id, payload: s.RoutingRulePatch):
    rule = get_visible(_rules(request), pk=rule_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    return routing.update_rule(request.auth, rule, _rule_data(data), version)


@router.delete("/lead-routing-rules/{rule_id}", response={204: None})
def delete_rule(request: HttpRequest, rule_id: Id, version: Version):
    routing.delete_rule(request.auth, get_visible(_rules(request), pk=rule_id), version)
    return Status(204, None)


# --- Notifications --------------------------------------------------------------------------

notifications = Router(tags=["notifications"])
router.add_router("", notifications)


@notifications.get("/notifications", response=s.NotificationPage)
def list_notifications(request: HttpRequest, unread: bool = False,
                       limit: int = Query(20, ge=1, le=200)):
    qs = Notification.objects.filter(recipient=request.auth).select_related("actor")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return {"items": list(qs[:limit]), "unread": unread_count(request.auth)}


@notifications.post("/notifications/read", response=s.MarkReadOut)
def read_notifications(request: HttpRequest, payload: s.MarkReadIn):
    marked = mark_read(request.auth, payload.ids)
    return {"marked": marked, "unread": unread_count(request.auth)}
