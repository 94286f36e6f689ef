"""Writes on leads: enter, edit, hand to a rep, disqualify. Each takes the acting user, checks
the rule, writes, scores, audits (``sales.lead.*``) and, when the lead belongs to a customer,
adds to that customer's timeline. Routing by timeframe lives in ``routing.py``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Role, User
from guanxi.core import audit
from guanxi.core.access import require
from guanxi.core.cleaning import clean_fields
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.locking import check_version, save_versioned
from guanxi.customers.models import Account, Source
from guanxi.sales import permissions as perms
from guanxi.sales.models import Lead, WebForm
from guanxi.sales.selectors.leads import lead_duplicates
from guanxi.sales.services import routing
from guanxi.sales.services.scoring import apply_score

LEAD_FIELDS = ("name", "company", "title", "phone", "email", "province", "city", "source",
               "source_detail", "timeframe", "interest", "budget", "notes")


def clean_lead(data: dict[str, Any]) -> dict[str, Any]:
    """Validate with the model's rules: phone in E.164, e-mail, choices, budget ≥ 0."""
    fields = clean_fields(Lead, data, LEAD_FIELDS)
    errors: dict[str, list[str]] = {}
    if "name" in fields and not fields["name"]:
        errors["name"] = [_("This field is required.")]
    if fields.get("budget") is not None and fields["budget"] < Decimal(0):
        errors["budget"] = [_("A budget cannot be negative.")]
    if errors:
        raise FieldErrors(errors)
    return fields


@transaction.atomic
def create_lead(actor: User | None, data: dict[str, Any], *, owner: User | None = None,
                finder: User | None = None, account: Account | None = None,
                web_form: WebForm | None = None, today: dt.date | None = None) -> Lead:
    """Enter a lead and route it by its timeframe. ``actor`` is None for the public web form.

    A rep's own lead stays theirs; others' leads go through the routing rules. Duplicates
    (open leads, customers) are reported in the audit entry and on the lead page, not refused:
    the same person may well ask twice."""
    if actor is not None:
        require(perms.can_create_lead(actor), _("Your role cannot enter leads."))
    fields = clean_lead(data)
    if not fields.get("name"):
        raise FieldErrors({"name": [_("This field is required.")]})
    if owner is not None:
        require(actor is None or perms.can_enter_lead_for_others(actor),
                _("Only managers and assistants enter leads for someone else."))
        if not owner.is_active:
            raise FieldErrors({"owner": [_("This user is inactive.")]})
    elif actor is not None and actor.has_role(Role.REP) \
            and not actor.has_role(Role.MANAGER, Role.ADMIN):
        owner = actor
    if finder is None and actor is not None and actor.has_role(Role.FINDER):
        finder = actor
    team = (owner.team if owner else None) or (web_form.team if web_form else None) \
        or (actor.team if actor is not None else None)
    lead = Lead(**fields, owner=owner, team=team, finder=finder, account=account,
                web_form=web_form, created_by=actor)
    if web_form is not None:
        lead.source = web_form.source
    apply_score(lead)
    lead.save()
    found = lead_duplicates(phone=lead.phone, email=lead.email, company=lead.company,
                            exclude_id=lead.pk)
    audit.log(actor, "sales.lead.created", lead,
              changes={k: [None, audit.jsonable(v)] for k, v in fields.items()},
              data={"web_form": web_form.pk if web_form else None,
                    "duplicate_leads": [d.pk for d in found["leads"]],
                    "duplicate_customers": [m.account.pk for m in found["customers"]]})
    routing.route_lead(lead, today=today or timezone.localdate(), actor=actor)
    return lead


@transaction.atomic
def update_lead(actor: User, lead: Lead, data: dict[str, Any], version: int,
                today: dt.date | None = None) -> Lead:
    """Edit a lead; the score follows. A new timeframe on an open lead routes it again."""
    require(perms.can_edit_lead(actor, lead))
    fields = clean_lead(data)
    before = {k: getattr(lead, k) for k in fields}
    changes = audit.diff(before, fields)
    check_version(lead, version)
    if not changes:
        return lead
    probe = Lead(**{f.attname: getattr(lead, f.attname) for f in Lead._meta.concrete_fields})
    for key, value in fields.items():
        setattr(probe, key, value)
    apply_score(probe)
    save_versioned(lead, version, {**fields, "score": probe.score,
                                   "score_detail": probe.score_detail})
    audit.log(actor, "sales.lead.updated", lead, changes=changes)
    if "timeframe" in changes and lead.is_open:
        routing.route_lead(lead, today=today or timezone.localdate(), actor=actor)
    return lead


@transaction.atomic
def assign_lead(actor: User, lead: Lead, owner: User, version: int) -> Lead:
    """Hand a lead to a rep (the team's manager or an administrator); the rep is notified."""
    require(perms.can_manage_lead(actor, lead), _("Only the team's manager can hand out leads."))
    check_version(lead, version)
    if not lead.is_open:
        raise DomainError(_("This lead is closed."), code="closed")
    if owner is None or not owner.is_active:
        raise FieldErrors({"owner": [_("Choose an active user.")]})
    routing.give_to(lead, owner, actor=actor, now=timezone.now(), reason="manual")
    return lead


@transaction.atomic
def disqualify_lead(actor: User, lead: Lead, reason: str, version: int) -> Lead:
    """Close a lead that will not buy; the reason is required (it feeds the analysis)."""
    require(perms.can_edit_lead(actor, lead))
    check_version(lead, version)
    if not lead.is_open:
        raise DomainError(_("This lead is closed."), code="closed")
    reason = (reason or "").strip()
    if not reason:
        raise FieldErrors({"reason": [_("Say why this lead is disqualified.")]})
    if len(reason) > 200:
        raise FieldErrors({"reason": [_("At most 200 characters.")]})
    before = lead.status
    save_versioned(lead, version, {"status": Lead.Status.DISQUALIFIED,
                                   "disqualify_reason": reason, "revisit_on": None})
    audit.log(actor, "sales.lead.disqualified", lead,
              changes={"status": [before, lead.status]}, data={"reason": reason})
    return lead


# --- Web forms (administrators) -------------------------------------------------------------

WEB_FORM_FIELDS = ("name", "source", "team", "thank_you", "allowed_origins")


def _clean_web_form(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(WEB_FORM_FIELDS)
    if unknown:
        raise FieldErrors({k: [_("This field cannot be set here.")] for k in sorted(unknown)})
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    errors: dict[str, list[str]] = {}
    if "name" in values and not values["name"]:
        errors["name"] = [_("This field is required.")]
    if "source" in values and values["source"] not in Source.values:
        errors["source"] = [_("Choose a valid source.")]
    if "allowed_origins" in values:
        origins = [o.strip().rstrip("/") for o in (values["allowed_origins"] or "").split()]
        bad = [o for o in origins if not o.startswith(("https://", "http://")) or " " in o
               or "/" in o.split("://", 1)[1]]
        if bad:
            errors["allowed_origins"] = [
                _("“%(value)s” is not a website origin like https://www.example.com.")
                % {"value": bad[0]}]
        values["allowed_origins"] = "\n".join(origins)
    if errors:
        raise FieldErrors(errors)
    return values


def _require_admin(actor: User) -> None:
    require(perms.can_configure(actor), _("Only administrators manage web forms."))


@transaction.atomic
def create_web_form(actor: User, data: dict[str, Any]) -> WebForm:
    _require_admin(actor)
    values = _clean_web_form(data)
    if not values.get("name"):
        raise FieldErrors({"name": [_("This field is required.")]})
    form = WebForm.objects.create(**values)
    audit.log(actor, "sales.web_form.created", form,
              changes={k: [None, audit.jsonable(v)] for k, v in values.items()})
    return form


@transaction.atomic
def update_web_form(actor: User, form: WebForm, data: dict[str, Any], version: int,
                    ) -> WebForm:
    _require_admin(actor)
    values = _clean_web_form({k: v for k, v in data.items() if k != "active"})
    if "active" in data:
        values["active"] = bool(data["active"])
    changes = audit.diff({k: getattr(form, k) for k in values}, values)
    save_versioned(form, version, values)
    if changes:
        audit.log(actor, "sales.web_form.updated", form, changes=changes)
    return form
