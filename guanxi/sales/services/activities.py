"""Activities on customers, opportunities and leads, and the support requests of key-account
campaign plans (攻关活动): log, plan, edit, complete, cancel, decide, withdraw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.audit import diff
from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.locking import check_version, save_versioned
from guanxi.core.notifications import notify
from guanxi.customers.models import Account, Contact
from guanxi.sales import permissions as perms
from guanxi.sales.models import Activity, Lead, Opportunity, SupportRequest
from guanxi.sales.selectors.work import deciders
from guanxi.sales.services.work_common import clean, resolve_records

FIELDS = ("kind", "subject", "body", "outcome", "location", "status", "starts_at",
          "duration_minutes")
EDIT_FIELDS = tuple(f for f in FIELDS if f not in ("kind", "status"))
SUPPORT_FIELDS = ("people", "budget", "samples")
# A call, visit or meeting that took place is a follow-up: it keeps the customer out of the
# public pool.
FOLLOW_UP_KINDS = (Activity.Kind.CALL, Activity.Kind.VISIT, Activity.Kind.MEETING)
MAX_MINUTES = 24 * 60

# Timeline titles (msgids, each reader sees them in their own language).
DONE_TITLES: dict[str, str] = {
    Activity.Kind.CALL: gettext_noop("Call: %(subject)s"),
    Activity.Kind.VISIT: gettext_noop("Visit: %(subject)s"),
    Activity.Kind.MEETING: gettext_noop("Meeting: %(subject)s"),
    Activity.Kind.EMAIL: gettext_noop("E-mail: %(subject)s"),
    Activity.Kind.NOTE: gettext_noop("Note: %(subject)s"),
    Activity.Kind.CAMPAIGN: gettext_noop("Key-account campaign carried out: %(subject)s"),
}
PLANNED_TITLES: dict[str, str] = {
    Activity.Kind.CALL: gettext_noop("Call planned: %(subject)s"),
    Activity.Kind.VISIT: gettext_noop("Visit planned: %(subject)s"),
    Activity.Kind.MEETING: gettext_noop("Meeting planned: %(subject)s"),
    Activity.Kind.EMAIL: gettext_noop("E-mail planned: %(subject)s"),
    Activity.Kind.NOTE: gettext_noop("Note: %(subject)s"),
    Activity.Kind.CAMPAIGN: gettext_noop("Key-account campaign planned: %(subject)s"),
}
CANCELLED_TITLE = gettext_noop("Cancelled: %(subject)s")


def _check(data: dict[str, Any], now: dt.datetime) -> None:
    errors: dict[str, list[str]] = {}
    if "subject" in data and not data["subject"]:
        errors["subject"] = [_("This field is required.")]
    minutes = data.get("duration_minutes")
    if minutes is not None and minutes > MAX_MINUTES:
        errors["duration_minutes"] = [_("At most 24 hours.")]
    status, when = data.get("status"), data.get("starts_at")
    if status == Activity.Status.DONE and when and when > now + dt.timedelta(minutes=5):
        errors["starts_at"] = [_("A done activity cannot be in the future.")]
    if errors:
        raise FieldErrors(errors)


def _support(data: dict[str, Any] | None) -> dict[str, Any]:
    data = dict(data or {})
    unknown = set(data) - set(SUPPORT_FIELDS)
    if unknown:
        raise FieldErrors({k: [_("This field cannot be set here.")] for k in sorted(unknown)})
    budget = data.get("budget")
    if budget in ("", None):
        data["budget"] = None
    else:
        try:
            data["budget"] = Decimal(str(budget).replace(",", "").strip())
        except InvalidOperation:
            raise FieldErrors({"budget": [_("Enter a number.")]}) from None
        if not data["budget"].is_finite() or data["budget"] < 0:
            raise FieldErrors({"budget": [_("A budget cannot be negative.")]})
        if data["budget"] >= Decimal("1e12"):
            raise FieldErrors({"budget": [_("This amount is too large.")]})
        data["budget"] = data["budget"].quantize(Decimal("0.01"))
    cleaned = clean(SupportRequest, {k: v for k, v in data.items() if k != "budget"},
                    ("people", "samples"))
    cleaned["budget"] = data.get("budget")
    if not (cleaned.get("people") or cleaned.get("samples") or cleaned["budget"]):
        raise FieldErrors({"people": [_("Say what support you need: people, budget or "
                                        "samples.")]})
    return cleaned


def _follow_up(activity: Activity, now: dt.datetime) -> None:
    """A call, visit or meeting that happened counts as the customer's latest follow-up."""
    if activity.account_id is None or activity.kind not in FOLLOW_UP_KINDS \
            or activity.status != Activity.Status.DONE:
        return
    at = min(activity.starts_at, now)
    Account.objects.filter(pk=activity.account_id).filter(
        Q(last_follow_up_at__isnull=True) | Q(last_follow_up_at__lt=at)).update(
        last_follow_up_at=at)


@transaction.atomic
def log_activity(actor: User, data: dict[str, Any], *, account: Account | None = None,
                 contact: Contact | None = None, opportunity: Opportunity | None = None,
                 lead: Lead | None = None, support: dict[str, Any] | None = None,
                 now: dt.datetime | None = None) -> Activity:
    """Log what happened or plan what will. A key-account campaign plan carries its support
    request; the managers over the rep's team are asked to decide."""
    now = now or timezone.now()
    account, contact, opportunity, lead = resolve_records(actor, account, contact,
                                                          opportunity, lead)
    if not perms.can_work_on(actor, account, opportunity, lead):
        raise Forbidden(_("You may not log activities on this record."))
    data = dict(data)
    if not data.get("kind"):
        raise FieldErrors({"kind": [_("This field is required.")]})
    cleaned = clean(Activity, data, FIELDS)
    cleaned.setdefault("status", Activity.Status.DONE)
    cleaned.setdefault("subject", "")
    if not cleaned.get("starts_at"):
        cleaned["starts_at"] = now
    is_campaign = cleaned["kind"] == Activity.Kind.CAMPAIGN
    if is_campaign:
        cleaned["status"] = Activity.Status.PLANNED
    if cleaned["status"] == Activity.Status.CANCELLED:
        raise FieldErrors({"status": [_("Log it as planned or done.")]})
    _check(cleaned, now)
    support_data = _support(support) if is_campaign else None
    activity = Activity.objects.create(**cleaned, account=account, contact=contact,
                                       opportunity=opportunity, lead=lead, owner=actor)
    _follow_up(activity, now)
    audit.log(actor, "sales.activity.created", activity,
              changes=diff({}, {**cleaned, "account": account, "opportunity": opportunity,
                                "lead": lead}))
    if support_data is not None:
        _request_support(actor, activity, support_data)
    return activity


def _request_support(actor: User, activity: Activity, data: dict[str, Any]) -> SupportRequest:
    request = SupportRequest.objects.create(activity=activity, requested_by=actor,
                                            currency=(activity.account.currency
                                                      if activity.account else "CNY"),
                                            **data)
    audit.log(actor, "sales.support_request.created", request, changes=diff({}, data))
    url = reverse("sales:support_requests")
    for manager in deciders(actor):
        notify(manager, gettext_noop("%(rep)s asks for support for “%(subject)s”"),
               {"rep": actor, "subject": activity.subject}, kind="sales.support_request",
               url=url, actor=actor)
    return request


@transaction.atomic
def update_activity(actor: User, activity: Activity, data: dict[str, Any], version: int,
                    *, contact: Contact | None | Literal[False] = False,
                    now: dt.datetime | None = None) -> Activity:
    """Edit subject, notes, outcome, place, time and duration (and the contact; pass
    ``contact=None`` to clear it, leave it out to keep it)."""
    now = now or timezone.now()
    if not perms.can_change_activity(actor, activity):
        raise Forbidden(_("Only the one who logged it or a manager may change it."))
    check_version(activity, version)
    if activity.status == Activity.Status.CANCELLED:
        raise DomainError(_("A cancelled activity cannot be changed."), code="cancelled")
    cleaned = clean(Activity, data, EDIT_FIELDS)
    if "starts_at" in cleaned and not cleaned["starts_at"]:
        raise FieldErrors({"starts_at": [_("This field is required.")]})
    _check({"status": activity.status, **cleaned}, now)
    if contact is not False:
        if contact is not None and (contact.account_id != activity.account_id
                                    or not contact.is_active):
            raise FieldErrors({"contact": [_("This contact belongs to another customer.")]})
        cleaned["contact"] = contact
    before = {k: getattr(activity, k) for k in cleaned}
    save_versioned(activity, version, cleaned)
    _follow_up(activity, now)
    audit.log(actor, "sales.activity.updated", activity, changes=diff(before, cleaned))
    return activity


def _transition(actor: User, activity: Activity, version: int, status: str,
                changes: dict[str, Any]) -> None:
    if not perms.can_change_activity(actor, activity):
        raise Forbidden(_("Only the one who logged it or a manager may change it."))
    check_version(activity, version)
    if activity.status != Activity.Status.PLANNED:
        raise Conflict(_("This activity is no longer planned."), field="status",
                       code="not_planned")
    save_versioned(activity, version, {"status": status, **changes})
    audit.log(actor, f"sales.activity.{status}", activity,
              changes={"status": [Activity.Status.PLANNED, status]})


@transaction.atomic
def complete_activity(actor: User, activity: Activity, version: int, outcome: str = "",
                      now: dt.datetime | None = None) -> Activity:
    """Mark a planned activity done (when it lay in the future, it happened now)."""
    now = now or timezone.now()
    changes: dict[str, Any] = {}
    if outcome.strip():
        changes["outcome"] = outcome.strip()[:300]
    if activity.starts_at > now:
        changes["starts_at"] = now
    _transition(actor, activity, version, Activity.Status.DONE, changes)
    _follow_up(activity, now)
    return activity


@transaction.atomic
def cancel_activity(actor: User, activity: Activity, version: int,
                    now: dt.datetime | None = None) -> Activity:
    now = now or timezone.now()
    _transition(actor, activity, version, Activity.Status.CANCELLED, {})
    request = getattr(activity, "support_request", None)
    if request is not None and request.status == SupportRequest.Status.PENDING:
        SupportRequest.objects.filter(pk=request.pk).update(
            status=SupportRequest.Status.WITHDRAWN, version=request.version + 1)
    return activity


# --- Support requests ------------------------------------------------------------------------

SUPPORT_TITLES: dict[str, str] = {
    SupportRequest.Status.APPROVED: gettext_noop("Support approved for “%(subject)s”"),
    SupportRequest.Status.DECLINED: gettext_noop("Support declined for “%(subject)s”"),
    SupportRequest.Status.WITHDRAWN: gettext_noop("Support request withdrawn: “%(subject)s”"),
}


def _close_request(actor: User, request: SupportRequest, version: int, status: str,
                   changes: dict[str, Any], now: dt.datetime) -> None:
    if request.status != SupportRequest.Status.PENDING:
        raise Conflict(_("This request has already been decided or withdrawn."),
                       field="status", code="already_decided")
    save_versioned(request, version, {"status": status, **changes})
    audit.log(actor, f"sales.support_request.{status}", request,
              changes={"status": [SupportRequest.Status.PENDING, status]},
              data={"comment": changes.get("decision_note", "")})


@transaction.atomic
def decide_support(actor: User, request: SupportRequest, approve: bool, comment: str,
                   version: int, now: dt.datetime | None = None) -> SupportRequest:
    """A manager over the rep's team approves or declines (with a reason) the support."""
    now = now or timezone.now()
    if not perms.can_decide_support(actor, request):
        raise Forbidden(_("Only a manager over the rep's team decides this request."))
    comment = (comment or "").strip()
    if len(comment) > 300:
        raise FieldErrors({"comment": [_("At most 300 characters.")]})
    if not approve and not comment:
        raise FieldErrors({"comment": [_("Say why you decline, so the rep can adjust the "
                                         "plan.")]})
    status = SupportRequest.Status.APPROVED if approve else SupportRequest.Status.DECLINED
    _close_request(actor, request, version, status,
                   {"decided_by": actor, "decided_at": now, "decision_note": comment}, now)
    if request.requested_by is not None:
        message = (gettext_noop("%(manager)s approved your support request for “%(subject)s”")
                   if approve else
                   gettext_noop("%(manager)s declined your support request for "
                                "“%(subject)s”: %(comment)s"))
        notify(request.requested_by, message,
               {"manager": actor, "subject": request.activity.subject, "comment": comment},
               kind="sales.support_request",
               url=reverse("sales:activity_detail", args=[request.activity_id]), actor=actor)
    return request


@transaction.atomic
def withdraw_support(actor: User, request: SupportRequest, version: int,
                     now: dt.datetime | None = None) -> SupportRequest:
    now = now or timezone.now()
    if not perms.can_withdraw_support(actor, request):
        raise Forbidden(_("Only the rep who asked may withdraw the request."))
    _close_request(actor, request, version, SupportRequest.Status.WITHDRAWN, {}, now)
    return request
