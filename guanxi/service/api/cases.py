"""API: cases (list with the shared filters, one case with its history, open, edit, status,
assign, take next, replies and notes) and SLA policies."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from guanxi.accounts.models import User
from guanxi.core.access import get_visible, require
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.schemas import Id, Int, Version
from guanxi.core.selectors import keyset_page
from guanxi.customers.selectors import visible_accounts, visible_contacts
from guanxi.service import permissions as perms
from guanxi.service.models import Case, ServiceTeam, SlaPolicy
from guanxi.service.selectors import cases as sel
from guanxi.service.services import cases as services
from guanxi.service.services import sla_settings

router = Router(tags=["Service"])

Kind = Literal["inquiry", "complaint", "repair", "warranty", "return"]
Channel = Literal["phone", "email", "portal", "wechat", "walk_in", "field"]
Priority = Literal["urgent", "high", "normal", "low"]
CaseStatus = Literal["new", "assigned", "in_progress", "waiting", "resolved", "closed"]


class CaseOut(Schema):
    id: int
    number: str
    kind: str
    channel: str
    priority: str
    status: str
    subject: str
    description: str
    account_id: int | None
    contact_id: int | None
    product_id: int | None
    requester_email: str
    team_id: int | None
    assignee_id: int | None
    customer_class: str
    resolution: str
    root_cause: str
    sla_policy_id: int | None
    sla_state: str
    response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    sla_due: dt.datetime | None
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    version: int = Field(description="Send it back with every change")


class CaseEventOut(Schema):
    kind: str
    at: dt.datetime
    actor_id: int | None
    from_value: str
    to_value: str
    note: str


class MessageOut(Schema):
    id: int
    kind: str
    author_id: int | None
    sender: str
    to: str
    subject: str
    body: str
    message_id: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


class CaseDetailOut(CaseOut):
    history: list[CaseEventOut]
    messages: list[MessageOut]


class CasePage(Schema):
    items: list[CaseOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class CaseIn(Schema):
    subject: str = Field(min_length=1, max_length=300)
    kind: Kind = "inquiry"
    channel: Channel = "phone"
    priority: Priority = "normal"
    description: str = Field("", max_length=20000)
    account_id: Id | None = None
    contact_id: Id | None = None
    product_id: Id | None = None
    requester_email: str = Field("", max_length=254)
    team_id: Id | None = None
    assignee_id: Id | None = None


class CasePatch(Schema):
    version: Version
    subject: str | None = Field(None, min_length=1, max_length=300)
    kind: Kind | None = None
    channel: Channel | None = None
    priority: Priority | None = None
    description: str | None = Field(None, max_length=20000)


class StatusIn(Schema):
    status: CaseStatus
    version: Version
    note: str = Field("", max_length=2000)
    resolution: str | None = Field(None, max_length=20000)
    root_cause: str | None = Field(None, max_length=20)


class CaseAssignIn(Schema):
    version: Version
    assignee_id: Id | None = None
    team_id: Id | None = None
    note: str = Field("", max_length=2000)


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=50000)
    to: str = Field("", max_length=254, description="Defaults to the case's contact")
    by_email: bool = True


class PolicyOut(Schema):
    id: int
    name: str
    priority: str
    kind: str
    customer_class: str
    first_response_minutes: int
    resolution_minutes: int
    active: bool
    version: int


class PolicyIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    priority: Priority | Literal[""] = ""
    kind: Kind | Literal[""] = ""
    customer_class: Literal["", "A", "B", "C"] = ""
    first_response_minutes: int = Field(ge=1, le=10 ** 6)
    resolution_minutes: int = Field(ge=1, le=10 ** 6)
    active: bool = True
    version: Version | None = None


def _detail(case: Case, user: User) -> dict:
    out = CaseOut.model_validate(case).model_dump()
    out["history"] = [CaseEventOut.model_validate(e).model_dump() for e in sel.history(case)]
    out["messages"] = [MessageOut.model_validate(m).model_dump()
                       for m in sel.messages(case, internal=perms.is_agent(user))]
    return out


def _team(pk: int | None, field: str = "team_id") -> ServiceTeam | None:
    if pk is None:
        return None
    team = ServiceTeam.objects.filter(pk=pk).first()
    if team is None:
        raise DomainError(_("No such team."), field=field)
    return team


def _agent(pk: int | None) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not perms.is_agent(user):
        raise DomainError(_("No such service agent."), field="assignee_id")
    return user


@router.get("/service/cases", response=CasePage)
def list_cases(request: HttpRequest, q: str = "", status: str = "", kind: str = "",
               priority: str = "", channel: str = "", team: str = "", assignee: str = "",
               account: str = "", sla: str = "", open: str = "", due_before: str = "",
               created_from: str = "", created_to: str = "",
               sort: Literal["-created_at", "sla_due"] = "-created_at",
               cursor: str | None = None, limit: Int = 50):
    """Cases you may see, filtered as on the list page (and the export); keyset pages."""
    filters = sel.parse_filters({
        "q": q, "status": status, "kind": kind, "priority": priority, "channel": channel,
        "team": team, "assignee": assignee, "account": account, "sla": sla, "open": open,
        "due_before": due_before, "created_from": created_from, "created_to": created_to})
    page = keyset_page(sel.filter_cases(request.auth, filters), sort, cursor,
                       max(1, min(limit, 200)))
    return {"items": page.items, "next": page.next}


@router.get("/service/cases/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: Id):
    """One case with its history and messages (internal notes for service agents only)."""
    return _detail(sel.get_case(request.auth, case_id), request.auth)


@router.post("/service/cases", response={201: CaseDetailOut})
def create_case(request: HttpRequest, payload: CaseIn):
    """Open a case; without a team or assignee the assignment rules route it."""
    require(perms.can_create_case(request.auth), _("Only service agents may open cases."))
    errors: dict[str, list[str]] = {}
    account = contact = product = None
    if payload.account_id:
        account = visible_accounts(request.auth).filter(pk=payload.account_id).first()
        if account is None:
            errors["account_id"] = [_("No such customer.")]
    if payload.contact_id:
        contact = visible_contacts(request.auth).filter(pk=payload.contact_id).first()
        if contact is None:
            errors["contact_id"] = [_("No such contact.")]
    if payload.product_id:
        from guanxi.orders.selectors.catalog import search_products
        product = search_products().filter(pk=payload.product_id).first()
        if product is None:
            errors["product_id"] = [_("No such product.")]
    if errors:
        raise FieldErrors(errors)
    try:
        case = services.create_case(
            request.auth, subject=payload.subject, kind=payload.kind,
            channel=payload.channel, priority=payload.priority,
            description=payload.description, account=account, contact=contact,
            product=product, team=_team(payload.team_id), assignee=_agent(payload.assignee_id),
            requester_email=payload.requester_email)
    except FieldErrors as exc:
        raise FieldErrors({("contact_id" if k == "contact" else k): v
                           for k, v in exc.errors.items()}) from None
    return Status(201, _detail(sel.get_case(request.auth, case.pk), request.auth))


@router.patch("/service/cases/{case_id}", response=CaseDetailOut)
def update_case(request: HttpRequest, case_id: Id, payload: CasePatch):
    case = sel.get_case(request.auth, case_id)
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    services.update_case(request.auth, case, payload.version,
                         **{k: v for k, v in changes.items() if v is not None})
    return _detail(sel.get_case(request.auth, case_id), request.auth)


@router.post("/service/cases/{case_id}/status", response=CaseDetailOut)
def change_status(request: HttpRequest, case_id: Id, payload: StatusIn):
    """Move the case along: closing a complaint needs `resolution` and `root_cause`."""
    case = sel.get_case(request.auth, case_id)
    services.change_status(request.auth, case, payload.status, payload.version,
                           note=payload.note, resolution=payload.resolution,
                           root_cause=payload.root_cause)
    return _detail(sel.get_case(request.auth, case_id), request.auth)


@router.post("/service/cases/{case_id}/assign", response=CaseDetailOut)
def assign(request: HttpRequest, case_id: Id, payload: CaseAssignIn):
    case = sel.get_case(request.auth, case_id)
    services.assign(request.auth, case, payload.version, assignee=_agent(payload.assignee_id),
                    team=_team(payload.team_id), note=payload.note)
    return _detail(sel.get_case(request.auth, case_id), request.auth)


@router.post("/service/cases/{case_id}/replies", response={201: MessageOut})
def reply(request: HttpRequest, case_id: Id, payload: MessageIn):
    """Reply to the customer; by e-mail it goes out threaded with the case number."""
    case = sel.get_case(request.auth, case_id)
    return Status(201, services.reply(request.auth, case, payload.body, to=payload.to,
                                      by_email=payload.by_email))


@router.post("/service/cases/{case_id}/notes", response={201: MessageOut})
def note(request: HttpRequest, case_id: Id, payload: MessageIn):
    case = sel.get_case(request.auth, case_id)
    return Status(201, services.add_note(request.auth, case, payload.body))


@router.delete("/service/cases/{case_id}", response={204: None})
def delete_case(request: HttpRequest, case_id: Id, version: Version):
    """Delete a case opened by mistake (service managers); complaints never."""
    case = sel.get_case(request.auth, case_id)
    services.delete_case(request.auth, case, version)
    return Status(204, None)


@router.post("/service/queues/{team_id}/take", response={200: CaseDetailOut, 204: None})
def take_next(request: HttpRequest, team_id: Id):
    """The unassigned case of the team's queue due soonest becomes yours; 204 when none."""
    team = get_visible(ServiceTeam.objects.all(), pk=team_id)
    case = services.take_next(request.auth, team)
    if case is None:
        return Status(204, None)
    return Status(200, _detail(case, request.auth))


@router.get("/service/sla-policies", response=list[PolicyOut])
def list_policies(request: HttpRequest):
    require(perms.can_see_service(request.auth))
    return list(sel.policies())


@router.post("/service/sla-policies", response={201: PolicyOut})
def create_policy(request: HttpRequest, payload: PolicyIn):
    data = payload.dict(exclude={"version"})
    return Status(201, sla_settings.save_record(request.auth, SlaPolicy, None, data, None))


@router.put("/service/sla-policies/{policy_id}", response=PolicyOut)
def update_policy(request: HttpRequest, policy_id: Id, payload: PolicyIn):
    require(perms.can_manage_settings(request.auth),
            _("Only service managers and administrators keep the service settings."))
    policy = get_visible(SlaPolicy.objects.all(), pk=policy_id)
    data = payload.dict(exclude={"version"})
    if payload.version is None:
        raise DomainError(_("Send the version you read."), field="version")
    return sla_settings.save_record(request.auth, SlaPolicy, policy, data, payload.version)
