"""Writes of opportunities: create, edit, move between stages, and the selling team.

Every change is checked, versioned, audited and written to the customer's timeline; people
put on the team are notified.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import CharField, Field
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import Role, User
from guanxi.core import audit
from guanxi.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from guanxi.core.inputs import UNSET, Input
from guanxi.core.locking import check_version, save_versioned
from guanxi.core.notifications import notify
from guanxi.customers.models import Account, Approval, Contact
from guanxi.sales import permissions as perms
from guanxi.sales.defaults import ensure_default_pipeline
from guanxi.sales.models import (
    Lead,
    LossReason,
    Opportunity,
    OpportunityMember,
    Pipeline,
    Stage,
    StageChange,
)

# The named places on the selling team; supporting members are OpportunityMember rows.
TEAM_ROLES = ("owner", "finder", "delivery_owner", "collection_owner")
EDIT_FIELDS = ("name", "amount", "currency", "expected_close", "contact", "probability",
               "source", "timeframe", "competitors", "description", "next_step")
CREATE_FIELDS = (*EDIT_FIELDS, "pipeline", "stage", "lead", *TEAM_ROLES, "custom")


@dataclass(frozen=True)
class OpportunityInput(Input):
    """An opportunity's values; records as instances or ids, ``stage`` also by key. Editing
    takes the plain fields only (stage and team have their own calls)."""

    name: str | None = UNSET
    amount: Decimal | None = UNSET
    currency: str | None = UNSET
    expected_close: dt.date | None = UNSET
    contact: Contact | int | None = UNSET
    probability: int | None = UNSET
    source: str | None = UNSET
    timeframe: str | None = UNSET
    competitors: str | None = UNSET
    description: str | None = UNSET
    next_step: str | None = UNSET
    pipeline: Pipeline | int | None = UNSET
    stage: Stage | int | str | None = UNSET
    lead: Lead | int | None = UNSET
    owner: User | int | None = UNSET
    finder: User | int | None = UNSET
    delivery_owner: User | int | None = UNSET
    collection_owner: User | int | None = UNSET
    custom: dict | None = UNSET


def _require_edit(user: User, opp: Opportunity) -> None:
    if not perms.can_edit_opportunity(user, opp):
        raise Forbidden(_("Only the owner, the customer's owner or a manager of the team can "
                          "change this opportunity."))


# --- Validation ----------------------------------------------------------------------------

def _user(value: Any, field: str) -> User | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, User) else value
    user = User.objects.filter(pk=pk, is_active=True).select_related("team").first() \
        if str(pk).isdigit() else None
    if user is None:
        raise FieldErrors({field: [_("No active user with this id.")]})
    return user


def resolve_stage(pipeline: Pipeline, value: Any) -> Stage:
    """A stage of ``pipeline`` by instance, id or key; anything else is an error at "stage"."""
    if isinstance(value, Stage):
        value = value.pk
    qs = pipeline.stages.filter(active=True)
    stage = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        stage = qs.filter(pk=int(value)).first()
    elif isinstance(value, str) and value:
        stage = qs.filter(key=value).first()
    if stage is None:
        raise DomainError(_("Choose a stage of the pipeline “%(pipeline)s”.")
                          % {"pipeline": pipeline.label}, field="stage", code="unknown_stage")
    return stage


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_default=True, active=True).first() \
        or Pipeline.objects.filter(active=True).first() or ensure_default_pipeline()
    if pipeline is None:
        raise DomainError(_("No sales pipeline is set up yet."), field="pipeline")
    return pipeline


def _pipeline(value: Any) -> Pipeline:
    if value in (None, ""):
        return default_pipeline()
    pk = value.pk if isinstance(value, Pipeline) else value
    pipeline = Pipeline.objects.filter(pk=pk, active=True).first() \
        if str(pk).isdigit() else None
    if pipeline is None:
        raise FieldErrors({"pipeline": [_("Choose an active pipeline.")]})
    return pipeline


def _clean(data: OpportunityInput, allowed: tuple[str, ...], account: Account,
           ) -> dict[str, Any]:
    """Check the plain fields of an opportunity; collect every error before refusing."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key, value in data.given().items():
        if key not in allowed:
            errors[key] = [_("This field cannot be set here.")]
            continue
        if isinstance(value, str) and key not in ("stage", "pipeline"):
            value = value.strip()
        try:
            out[key] = _clean_one(key, value, account)
        except DomainError as exc:
            errors[key] = [exc.message]
    if errors:
        raise FieldErrors(errors)
    return out


def _clean_one(key: str, value: Any, account: Account) -> Any:
    if key == "name":
        if not value:
            raise DomainError(_("Give the opportunity a name."))
        return value[:200]
    if key == "amount":
        amount = Decimal(0) if value is None else value
        if amount < 0:
            raise DomainError(_("The amount cannot be negative."))
        if amount >= Decimal("1e12"):
            raise DomainError(_("The amount is too large."))
        return amount.quantize(Decimal("0.01"))
    if key == "currency":
        code = (value or "CNY").upper()
        if len(code) != 3 or not code.isalpha():
            raise DomainError(_("Use a three-letter currency code such as CNY."))
        return code
    if key == "probability":
        if value is None or not 0 <= value <= 100:
            raise DomainError(_("Enter a whole number from 0 to 100."))
        return value
    if key == "contact":
        if value in (None, ""):
            return None
        pk = value.pk if isinstance(value, Contact) else value
        contact = Contact.objects.filter(pk=pk, account=account, is_active=True).first() \
            if str(pk).isdigit() else None
        if contact is None:
            raise DomainError(_("Choose a contact of this customer."))
        return contact
    if key in ("source", "timeframe"):
        field = cast(Field, Opportunity._meta.get_field(key))
        valid = {c[0] for c in field.choices or ()}
        if value in ("", None) and field.blank:
            return ""
        if value not in valid:
            raise DomainError(_("Choose one of the listed values."))
        return value
    if key in TEAM_ROLES:
        return _user(value, key)
    if key in ("competitors", "next_step", "description"):
        limit = cast(CharField, Opportunity._meta.get_field(key)).max_length
        return (value or "")[:limit] if limit else (value or "")
    if key == "custom":
        return dict(value or {})
    return value  # pipeline, stage, lead: resolved by the caller


def _check_account(actor: User, account: Account) -> None:
    if not Account.objects.visible_to(actor).filter(pk=account.pk).exists():
        raise NotFound(_("Not found."))
    if account.merged_into_id or not account.is_active:
        raise DomainError(_("This customer was merged or removed; open the remaining record."),
                          field="account", code="account_inactive")
    if account.approval == Approval.REJECTED:
        raise DomainError(_("This customer was not approved; no opportunities can be opened "
                            "for it."), field="account", code="account_rejected")


def _url(opp: Opportunity) -> str:
    return reverse("sales:opportunity", args=[opp.pk])


# --- Create and edit -----------------------------------------------------------------------

def create_opportunity(actor: User, account: Account, data: OpportunityInput, *,
                       now: dt.datetime | None = None) -> Opportunity:
    """Open an opportunity on ``account``. ``data``: name, amount, currency, pipeline and
    stage (instance, id or key; default: the default pipeline's first stage), expected_close,
    contact, probability (default: the stage's), source, timeframe, lead, competitors,
    description, next_step, owner (default: the actor, or the customer's owner when the actor
    does not sell), finder, delivery_owner, collection_owner, custom."""
    now = now or timezone.now()
    if not perms.can_create_opportunity(actor):
        raise Forbidden(_("Your role cannot open opportunities."))
    _check_account(actor, account)
    cleaned = _clean(data, CREATE_FIELDS, account)
    if not cleaned.get("name"):
        raise FieldErrors({"name": [_("Give the opportunity a name.")]})
    pipeline = _pipeline(cleaned.pop("pipeline", None))
    raw_stage = cleaned.pop("stage", None)
    if raw_stage in (None, ""):
        stage = pipeline.stages.filter(active=True, kind=Stage.Kind.OPEN).first()
        if stage is None:
            raise DomainError(_("This pipeline has no open stage."), field="stage")
    else:
        stage = resolve_stage(pipeline, raw_stage)
    if stage.kind != Stage.Kind.OPEN:
        raise DomainError(_("A new opportunity starts in an open stage; move it to won or "
                            "lost afterwards."), field="stage", code="closed_stage")
    close = cleaned.get("expected_close")
    if close and close < timezone.localdate(now):
        raise DomainError(_("The expected close date cannot be in the past."),
                          field="expected_close", code="past_date")
    owner = cleaned.pop("owner", None)
    if owner is None:
        selling = actor.has_role(Role.REP, Role.MANAGER)
        owner = actor if selling or account.owner_id is None else account.owner
    cleaned.setdefault("probability", stage.probability)
    with transaction.atomic():
        opp = Opportunity.objects.create(
            account=account, pipeline=pipeline, stage=stage, owner=owner,
            team_id=owner.team_id if owner else account.team_id, created_by=actor,
            created_at=now, stage_changed_at=now, **cleaned)
        StageChange.objects.create(opportunity=opp, from_stage=None, to_stage=stage, by=actor,
                                   at=now, amount=opp.amount)
        audit.log(actor, "sales.opportunity.created", opp,
                  changes=audit.diff({}, {k: getattr(opp, k) for k in
                                          ("name", "amount", "currency", "stage_id",
                                           "owner_id", "expected_close")}))
        for role in TEAM_ROLES:
            person = getattr(opp, role)
            if person is not None and person.pk != actor.pk:
                _notify_role(actor, opp, role, person)
    return opp


def update_opportunity(actor: User, opp: Opportunity, version: int | None,
                       data: OpportunityInput) -> Opportunity:
    """Edit the plain fields (stage and team have their own calls)."""
    _require_edit(actor, opp)
    cleaned = _clean(data, EDIT_FIELDS, opp.account)
    before = {k: getattr(opp, k) for k in cleaned}
    changes = audit.diff({k: getattr(v, "pk", v) for k, v in before.items()},
                         {k: getattr(v, "pk", v) for k, v in cleaned.items()})
    with transaction.atomic():
        save_versioned(opp, version, cleaned)
        if changes:
            audit.log(actor, "sales.opportunity.updated", opp, changes=changes)
    return opp


# --- Stages --------------------------------------------------------------------------------

def move_stage(actor: User, opp: Opportunity, version: int | None, stage: Any, *,
               loss_reason: str | None = None, loss_note: str = "",
               now: dt.datetime | None = None) -> Opportunity:
    """Move ``opp`` to ``stage`` (instance, id or key of its pipeline). Won and lost close it
    (probability 100 / 0); lost needs a reason; moving back to an open stage reopens it."""
    now = now or timezone.now()
    _require_edit(actor, opp)
    pipeline = opp.pipeline
    target = resolve_stage(pipeline, stage)
    loss_reason = (loss_reason or "").strip()
    if target.kind == Stage.Kind.LOST:
        if loss_reason not in LossReason.values:
            raise DomainError(_("Say why the opportunity was lost."), field="loss_reason",
                              code="loss_reason_required")
    elif loss_reason:
        loss_reason = ""
    if target.pk == opp.stage_id:
        check_version(opp, version)
        return opp
    previous = opp.stage
    changes: dict[str, Any] = {"stage": target, "probability": target.probability,
                               "stage_changed_at": now}
    if target.kind == Stage.Kind.OPEN:
        changes |= {"closed_at": None, "loss_reason": "", "loss_note": ""}
    else:
        changes["closed_at"] = now
        changes["loss_reason"] = loss_reason
        changes["loss_note"] = (loss_note or "").strip()[:300] \
            if target.kind == Stage.Kind.LOST else ""
    with transaction.atomic():
        save_versioned(opp, version, changes)
        StageChange.objects.create(opportunity=opp, from_stage=previous, to_stage=target,
                                   by=actor, at=now, amount=opp.amount)
        audit.log(actor, "sales.opportunity.stage_changed", opp,
                  changes={"stage": [previous.key, target.key]},
                  data={"loss_reason": loss_reason} if loss_reason else None)
    return opp


# --- The selling team ----------------------------------------------------------------------

ROLE_MESSAGES = {
    "owner": gettext_noop("You now own the opportunity “%(name)s” (%(account)s)"),
    "finder": gettext_noop("You are named finder of the opportunity “%(name)s” (%(account)s)"),
    "delivery_owner": gettext_noop(
        "You are the delivery owner of the opportunity “%(name)s” (%(account)s)"),
    "collection_owner": gettext_noop(
        "You are the collection owner of the opportunity “%(name)s” (%(account)s)"),
    "member": gettext_noop(
        "You joined the selling team of the opportunity “%(name)s” (%(account)s)"),
}


def _notify_role(actor: User, opp: Opportunity, role: str, person: User) -> None:
    notify(person, ROLE_MESSAGES[role], {"name": opp.name, "account": opp.account.name},
           kind="sales.opportunity_team", url=_url(opp), actor=actor)


def set_team_role(actor: User, opp: Opportunity, version: int | None, role: str,
                  user: Any) -> Opportunity:
    """Name (or clear, with None) the owner, finder, delivery owner or collection owner.
    A new owner brings the opportunity into their team."""
    if role not in TEAM_ROLES:
        raise DomainError(_("Unknown role on the selling team."), field="role")
    _require_edit(actor, opp)
    person = _user(user, "user")
    if role == "owner" and person is None:
        raise FieldErrors({"user": [_("An opportunity always has an owner.")]})
    old = getattr(opp, f"{role}_id")
    if old == (person.pk if person else None):
        check_version(opp, version)
        return opp
    changes: dict[str, Any] = {role: person}
    if role == "owner" and person is not None:
        changes["team_id"] = person.team_id
    with transaction.atomic():
        save_versioned(opp, version, changes)
        audit.log(actor, "sales.opportunity.team_changed", opp,
                  changes={role: [old, person.pk if person else None]})
        if person is not None and person.pk != actor.pk:
            _notify_role(actor, opp, role, person)
    return opp


def add_member(actor: User, opp: Opportunity, user: Any, role: str = "") -> OpportunityMember:
    """Add a supporting member (engineer, specialist, colleague) with what they do."""
    _require_edit(actor, opp)
    person = _user(user, "user")
    if person is None:
        raise FieldErrors({"user": [_("Choose a colleague.")]})
    try:
        with transaction.atomic():
            member = OpportunityMember.objects.create(opportunity=opp, user=person,
                                                      role=(role or "").strip()[:60])
            audit.log(actor, "sales.opportunity.member_added", opp,
                      changes={"members": [None, person.pk]}, data={"role": member.role})
            if person.pk != actor.pk:
                _notify_role(actor, opp, "member", person)
    except IntegrityError:
        raise DomainError(_("%(user)s is already on the team.") % {"user": person},
                          field="user", code="duplicate") from None
    return member


def remove_member(actor: User, opp: Opportunity, user: Any) -> None:
    _require_edit(actor, opp)
    pk = user.pk if isinstance(user, User) else user
    member = opp.members.filter(user_id=pk).first() if str(pk).isdigit() else None
    if member is None:
        raise NotFound(_("Not found."))
    with transaction.atomic():
        member.delete()
        audit.log(actor, "sales.opportunity.member_removed", opp,
                  changes={"members": [int(pk), None]})


def advance_to(actor: User, opp: Opportunity | int | None, stage_key: str, *,
               now: dt.datetime | None = None) -> bool:
    """Bring an open opportunity forward to its pipeline's stage ``stage_key`` (a quote sent,
    a tender entered): never backwards, never reopened, and only if ``actor`` may move it
    (otherwise its rep does). True when it moved."""
    if opp is not None and not isinstance(opp, Opportunity):
        opp = Opportunity.objects.select_related("stage", "pipeline").filter(pk=opp).first()
    if opp is None or opp.stage.kind != Stage.Kind.OPEN:
        return False
    target = opp.pipeline.stages.filter(key=stage_key, active=True).first()
    if target is None or opp.stage.position >= target.position:
        return False
    if not perms.can_edit_opportunity(actor, opp):
        return False
    move_stage(actor, opp, opp.version, target, now=now)
    return True


def close_lost(actor: User, opp: Opportunity, reason: str, note: str = "") -> bool:
    """Close an open opportunity as lost for ``reason`` (a ``LossReason``), if ``actor`` may;
    True when it was closed."""
    opp.refresh_from_db()
    if opp.stage.kind != Stage.Kind.OPEN or not perms.can_edit_opportunity(actor, opp):
        return False
    lost = opp.pipeline.stages.filter(kind=Stage.Kind.LOST, active=True).first()
    if lost is None:
        return False
    move_stage(actor, opp, opp.version, lost, loss_reason=reason, loss_note=note)
    return True
