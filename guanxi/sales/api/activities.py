"""API: activities, the support requests of key-account campaign plans, e-mail templates and
sending e-mail from a record.

Reads go through the scoped selectors (404 for missing and not visible alike); writes call one
service each and take the ``version`` the caller read (409 when stale).
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.access import get_visible
from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.core.schemas import Id, Version
from guanxi.core.selectors import keyset_page
from guanxi.customers.models import Account, Contact
from guanxi.sales import permissions as perms
from guanxi.sales.api import work_schemas as s
from guanxi.sales.models import Activity, EmailTemplate, Lead, Opportunity
from guanxi.sales.selectors import work as sel
from guanxi.sales.services import activities as svc
from guanxi.sales.services import email as email_svc

router = Router(tags=["activities"])
support_router = Router(tags=["support requests"])
email_router = Router(tags=["e-mail"])
router.add_router("", support_router)
router.add_router("", email_router)


def visible(request: HttpRequest, model: Any, pk: int | None) -> Any:
    """A record by id through its scope (404 when missing or not visible); None for None."""
    return None if pk is None else get_visible(model.objects.visible_to(request.auth), pk=pk)


def contact_of(request: HttpRequest, contact_id: int | None) -> Contact | None:
    if contact_id is None:
        return None
    contact = Contact.objects.visible_to(request.auth).filter(pk=contact_id).first()
    if contact is None:
        raise FieldErrors({"contact_id": [_("No contact with this id.")]})
    return contact


class ActivityFilters(Schema):
    account_id: Id | None = None
    opportunity_id: Id | None = None
    lead_id: Id | None = None
    kind: str | None = None
    status: Literal["planned", "done", "cancelled"] | None = None
    mine: bool = Field(False, description="Only the activities you logged")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _activity(request: HttpRequest, activity_id: int) -> Activity:
    return get_visible(sel.visible_activities(request.auth)
                       .select_related("support_request"), pk=activity_id)


@router.get("/activities", response=s.ActivityPage)
def list_activities(request: HttpRequest, filters: Query[ActivityFilters]):
    """Activities you may see, newest first; keyset pages: follow `next` until it is null."""
    qs = sel.filter_activities(request.auth, request.GET).select_related("support_request")
    page = keyset_page(qs, "-starts_at", filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/activities", response={201: s.ActivityOut})
def create_activity(request: HttpRequest, payload: s.ActivityIn):
    """Log what happened or plan what will; a `campaign` (攻关活动) carries `support` and
    asks the managers over your team to decide."""
    data = payload.model_dump(exclude={"account_id", "contact_id", "opportunity_id",
                                       "lead_id", "support"})
    data = {k: v for k, v in data.items() if v is not None}
    activity = svc.log_activity(
        request.auth, data, account=visible(request, Account, payload.account_id),
        contact=contact_of(request, payload.contact_id),
        opportunity=visible(request, Opportunity, payload.opportunity_id),
        lead=visible(request, Lead, payload.lead_id),
        support=(payload.support.model_dump() if payload.support
                 else ({} if payload.kind == Activity.Kind.CAMPAIGN else None)))
    return Status(201, activity)


@router.get("/activities/{activity_id}", response=s.ActivityOut)
def get_activity(request: HttpRequest, activity_id: Id):
    return _activity(request, activity_id)


@router.patch("/activities/{activity_id}", response=s.ActivityOut)
def update_activity(request: HttpRequest, activity_id: Id, payload: s.ActivityPatch):
    activity = _activity(request, activity_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    contact: Any = False
    if "contact_id" in data:
        contact = contact_of(request, data.pop("contact_id"))
    return svc.update_activity(request.auth, activity, data, version, contact=contact)


@router.post("/activities/{activity_id}/complete", response=s.ActivityOut)
def complete_activity(request: HttpRequest, activity_id: Id, payload: s.CompleteIn):
    return svc.complete_activity(request.auth, _activity(request, activity_id),
                                 payload.version, outcome=payload.outcome)


@router.post("/activities/{activity_id}/cancel", response=s.ActivityOut)
def cancel_activity(request: HttpRequest, activity_id: Id, payload: s.VersionIn):
    return svc.cancel_activity(request.auth, _activity(request, activity_id), payload.version)


# --- Support requests ------------------------------------------------------------------------

@support_router.get("/support-requests", response=list[s.SupportOut])
def list_support_requests(request: HttpRequest,
                          box: Literal["inbox", "mine"] = "inbox"):
    """`inbox`: the requests you decide, pending first; `mine`: the ones you asked for."""
    if box == "mine":
        qs = sel.visible_support_requests(request.auth).filter(requested_by=request.auth)
    else:
        qs = sel.support_inbox(request.auth)
    return list(qs[:200])


def _support(request: HttpRequest, request_id: int):
    return get_visible(sel.visible_support_requests(request.auth), pk=request_id)


@support_router.post("/support-requests/{request_id}/decide", response=s.SupportOut)
def decide_support(request: HttpRequest, request_id: Id, payload: s.SupportDecisionIn):
    """Approve or decline (with a comment); only a manager over the rep's team."""
    return svc.decide_support(request.auth, _support(request, request_id), payload.approve,
                              payload.comment, payload.version)


@support_router.post("/support-requests/{request_id}/withdraw", response=s.SupportOut)
def withdraw_support(request: HttpRequest, request_id: Id, payload: s.VersionIn):
    return svc.withdraw_support(request.auth, _support(request, request_id), payload.version)


# --- E-mail ----------------------------------------------------------------------------------

def _template(request: HttpRequest, template_id: int) -> EmailTemplate:
    return get_visible(EmailTemplate.objects.all(), pk=template_id)


@email_router.get("/email-templates", response=list[s.EmailTemplateOut])
def list_templates(request: HttpRequest, include_inactive: bool = False):
    """Active templates (administrators and managers may ask for inactive ones too)."""
    qs = EmailTemplate.objects.all()
    if not (include_inactive and perms.can_edit_email_templates(request.auth)):
        qs = qs.filter(active=True)
    return list(qs)


@email_router.post("/email-templates", response={201: s.EmailTemplateOut})
def create_template(request: HttpRequest, payload: s.EmailTemplateIn):
    return Status(201, email_svc.create_template(request.auth, payload.model_dump()))


@email_router.patch("/email-templates/{template_id}", response=s.EmailTemplateOut)
def update_template(request: HttpRequest, template_id: Id, payload: s.EmailTemplatePatch):
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    return email_svc.update_template(request.auth, _template(request, template_id), data,
                                     version)


@email_router.delete("/email-templates/{template_id}", response={204: None})
def deactivate_template(request: HttpRequest, template_id: Id, version: Version):
    email_svc.deactivate_template(request.auth, _template(request, template_id), version)
    return Status(204, None)


@email_router.post("/emails", response={201: s.EmailOut})
def send_email(request: HttpRequest, payload: s.EmailSendIn):
    """Send to a contact of the customer; with `template_id` and no subject or body the
    template is merged (`missing_fields` lists merge fields that came out empty). A refused
    or unreachable mail server answers 502; the message is kept as failed."""
    user = request.auth
    account = visible(request, Account, payload.account_id)
    contact = contact_of(request, payload.contact_id)
    opportunity = visible(request, Opportunity, payload.opportunity_id)
    template = (get_visible(EmailTemplate.objects.filter(active=True),
                            pk=payload.template_id) if payload.template_id else None)
    subject, body = payload.subject, payload.body
    if template is not None and not (subject or body):
        subject, body = template.subject, template.body
    if not perms.can_work_on(user, account, opportunity):
        raise Forbidden(_("You may not write to this customer."))
    rendered = email_svc.render(subject, body, email_svc.merge_context(
        contact, account, user, opportunity))
    row = email_svc.send_email(user, account, contact=contact, to=payload.to,
                               subject=rendered.subject, body=rendered.body,
                               template=template, opportunity=opportunity)
    if row.status == row.Status.FAILED:
        raise email_svc.failed_message(row)
    row.missing_fields = rendered.missing
    return Status(201, row)
