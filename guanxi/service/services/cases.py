"""Writing cases: one function per change, each taking the acting user. Every change adds a
row to the case's history (who, when, from, to, note) and an audit entry, whose event feeds
the customer timeline, webhooks and automation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.locking import check_version, save_versioned
from guanxi.core.notifications import notify
from guanxi.service import permissions as perms
from guanxi.service.models import (
    Case,
    CaseEvent,
    CaseMessage,
    CaseSequence,
    ServiceSettings,
    ServiceTeam,
)
from guanxi.service.services import assignment, sla

S = Case.Status
# Where each status may go by hand; "assigned" is reached by assigning, reopening goes back
# to "in progress".
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.NEW: (S.IN_PROGRESS, S.WAITING, S.RESOLVED),
    S.ASSIGNED: (S.IN_PROGRESS, S.WAITING, S.RESOLVED),
    S.IN_PROGRESS: (S.WAITING, S.RESOLVED),
    S.WAITING: (S.IN_PROGRESS, S.RESOLVED),
    S.RESOLVED: (S.CLOSED, S.IN_PROGRESS),
    S.CLOSED: (S.IN_PROGRESS,),
}
EDITABLE = ("subject", "description", "kind", "channel", "priority", "product", "contact")


def _require_agent(actor: User | None) -> None:
    if actor is not None and not perms.is_agent(actor):
        raise Forbidden(_("Only service agents may work on cases."))


def next_number(year: int) -> str:
    """CS-2026-000123: the year's next number, safe under concurrent writers."""
    with transaction.atomic():
        CaseSequence.objects.get_or_create(year=year)
        CaseSequence.objects.filter(year=year).update(last=F("last") + 1)
        last = CaseSequence.objects.get(year=year).last
    return f"CS-{year}-{last:06d}"


def _event(case: Case, kind: str, actor: User | None, from_value: Any = "", to_value: Any = "",
           note: str = "", at: dt.datetime | None = None) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor if getattr(
        actor, "pk", None) else None, from_value=str(from_value or "")[:200],
        to_value=str(to_value or "")[:200], note=note, at=at or timezone.now())


def customer_class(account: Any, actor: User | None) -> str:
    """The customer's value class (A/B/C by revenue) from the current analysis run."""
    if account is None or actor is None:
        return ""
    from guanxi.analytics.selectors import account_metrics
    try:
        metrics = account_metrics(actor, account)
    except DomainError:
        return ""
    return (metrics.abc_revenue or "") if metrics else ""


def _province(account: Any) -> str:
    if account is None:
        return ""
    from guanxi.customers.selectors import addresses
    for address in addresses(account):
        if address.province:
            return address.province[:30]
    return ""


def _validate(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not (values.get("subject") or "").strip():
        errors["subject"] = [_("Say what the case is about.")]
    for name, enum in (("kind", Case.Kind), ("channel", Case.Channel),
                       ("priority", Case.Priority)):
        if values.get(name) not in enum.values:
            errors[name] = [_("Choose one of: %(choices)s.")
                            % {"choices": ", ".join(enum.values)}]
    contact, account = values.get("contact"), values.get("account")
    if contact is not None and account is not None and contact.account_id != account.pk:
        errors["contact"] = [_("The contact works for another customer.")]
    if errors:
        raise FieldErrors(errors)


@transaction.atomic
def create_case(actor: User | None, *, subject: str, kind: str = Case.Kind.INQUIRY,
                channel: str = Case.Channel.PHONE, priority: str = Case.Priority.NORMAL,
                description: str = "", account: Any = None, contact: Any = None,
                product: Any = None, team: ServiceTeam | None = None,
                assignee: User | None = None, requester_email: str = "",
                requester_name: str = "", now: dt.datetime | None = None) -> Case:
    """Open a case. Without a team or assignee the assignment rules route it; its SLA policy
    starts the clock. ``actor`` None: opened by the system (a mail to the support mailbox)."""
    _require_agent(actor)
    if contact is not None and account is None:
        account = contact.account
    values = {"subject": subject, "kind": kind, "channel": channel, "priority": priority,
              "contact": contact, "account": account}
    _validate(values)
    now = now or timezone.now()
    case = Case(number=next_number(timezone.localtime(now).year), kind=kind, channel=channel,
                priority=priority, subject=subject.strip()[:300], description=description,
                account=account, contact=contact, product=product,
                requester_email=requester_email[:254], requester_name=requester_name[:200],
                customer_class=customer_class(account, actor), province=_province(account),
                created_by=actor, team=team, assignee=assignee)
    if team is None and assignee is None:
        routed = assignment.route(case)
        case.team, case.assignee = routed.get("team"), routed.get("assignee")
    elif assignee is not None and team is None:
        case.team = ServiceTeam.objects.filter(members=assignee).order_by("pk").first()
    if case.assignee is not None:
        case.status = S.ASSIGNED
    case.save()
    Case.objects.filter(pk=case.pk).update(created_at=now)
    case.created_at = now
    changes = sla.start(case, now)
    if changes:
        for key, value in changes.items():
            setattr(case, key, value)
        Case.objects.filter(pk=case.pk).update(**changes)
    _event(case, CaseEvent.Kind.CREATED, actor, "", case.status, case.subject, at=now)
    if case.assignee is not None:
        _event(case, CaseEvent.Kind.ASSIGNED, actor, "", case.assignee, at=now)
        if case.assignee != actor:
            _notify_assigned(case, actor)
    audit.log(actor, "service.case.created", case,
              data={"number": case.number, "kind": case.kind, "status": case.status,
                    "priority": case.priority, "assignee": case.assignee_id})
    return case


def _notify_assigned(case: Case, actor: User | None) -> None:
    from django.urls import reverse
    notify(case.assignee, gettext_noop("Case %(number)s was assigned to you: %(subject)s"),
           {"number": case.number, "subject": case.subject[:120]},
           kind="service.case.assigned", url=reverse("service:case", args=[case.pk]),
           actor=actor if getattr(actor, "pk", None) else None)


def _reload(case: Case) -> Case:
    return Case.objects.select_related("team", "assignee", "sla_policy", "account").get(
        pk=case.pk)


@transaction.atomic
def update_case(actor: User, case: Case, version: int | None, **fields: Any) -> Case:
    """Edit what the case is about; a new kind or priority may bring another SLA policy."""
    _require_agent(actor)
    check_version(case, version)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be changed here."), field=sorted(unknown)[0])
    values = {name: getattr(case, name) for name in EDITABLE} | fields
    values["account"] = case.account
    _validate(values)
    if case.kind == Case.Kind.COMPLAINT and values["kind"] != Case.Kind.COMPLAINT:
        raise DomainError(_("A complaint stays a complaint: it is always recorded."),
                          field="kind")
    changes = {k: v for k, v in fields.items() if getattr(case, k) != v}
    if not changes:
        return case
    before = {k: getattr(case, k) for k in changes}
    save_versioned(case, version, changes)
    if "priority" in changes:
        _event(case, CaseEvent.Kind.PRIORITY, actor, before["priority"], case.priority)
    other = [k for k in changes if k != "priority"]
    if other:
        _event(case, CaseEvent.Kind.EDITED, actor, note=", ".join(other))
    if {"priority", "kind"} & set(changes):
        retarget = sla.retarget(case, timezone.now())
        if retarget:
            Case.objects.filter(pk=case.pk).update(**retarget)
            for key, value in retarget.items():
                setattr(case, key, value)
    audit.log(actor, "service.case.updated", case, changes=audit.diff(before, changes))
    return case


@transaction.atomic
def change_status(actor: User, case: Case, status: str, version: int | None, *,
                  note: str = "", resolution: str | None = None,
                  root_cause: str | None = None, now: dt.datetime | None = None) -> Case:
    """Move the case along its life. Resolving and closing take the resolution (a complaint
    cannot close without one and a root-cause category); reopening a closed case is allowed
    within the configured window."""
    _require_agent(actor)
    check_version(case, version)
    now = now or timezone.now()
    old = case.status
    if status not in S.values:
        raise DomainError(_("Unknown status."), field="status")
    if status == old:
        return case
    if status not in TRANSITIONS.get(old, ()):
        raise Conflict(_("A case that is %(from)s cannot become %(to)s.")
                       % {"from": S(old).label, "to": S(status).label}, field="status",
                       code="invalid_transition")
    changes: dict[str, Any] = {"status": status}
    if resolution is not None:
        changes["resolution"] = resolution.strip()
    if root_cause is not None:
        if root_cause and root_cause not in Case.RootCause.values:
            raise DomainError(_("Choose one of the root-cause categories."), field="root_cause")
        changes["root_cause"] = root_cause
    final_resolution = changes.get("resolution", case.resolution)
    final_cause = changes.get("root_cause", case.root_cause)
    if status == S.CLOSED and case.kind == Case.Kind.COMPLAINT:
        errors: dict[str, list[str]] = {}
        if not final_resolution:
            errors["resolution"] = [_("A complaint closes only with its resolution.")]
        if not final_cause:
            errors["root_cause"] = [_("A complaint closes only with its root cause.")]
        if errors:
            raise FieldErrors(errors)
    reopening = old in (S.RESOLVED, S.CLOSED) and status == S.IN_PROGRESS
    if reopening and old == S.CLOSED:
        window = ServiceSettings.current().reopen_days
        if case.closed_at and now - case.closed_at > dt.timedelta(days=window):
            raise Conflict(_("This case was closed more than %(days)s days ago; open a new "
                             "case instead.") % {"days": window}, field="status",
                           code="reopen_window")
    # The SLA clock: paused while waiting on the customer, stopped at resolution.
    if status == S.WAITING:
        changes |= sla.pause(case, now)
    elif status == S.RESOLVED:
        if old != S.WAITING:
            changes |= sla.pause(case, now, state=Case.Sla.MET)
        else:
            changes["sla_state"] = (Case.Sla.BREACHED if case.sla_state == Case.Sla.BREACHED
                                    else (Case.Sla.MET if case.sla_policy_id
                                          else Case.Sla.NONE))
        changes["resolved_at"] = now
    elif status == S.CLOSED:
        changes["closed_at"] = now
        if not case.resolved_at:
            changes["resolved_at"] = now
            changes |= sla.pause(case, now, state=Case.Sla.MET)
    elif old in (S.WAITING, S.RESOLVED, S.CLOSED):
        changes |= sla.resume(case, now)
        if reopening:
            changes |= {"resolved_at": None, "closed_at": None}
    if status == S.IN_PROGRESS and case.assignee_id is None:
        changes["assignee"] = actor
    save_versioned(case, version, changes)
    _event(case, CaseEvent.Kind.REOPENED if reopening else CaseEvent.Kind.STATUS, actor,
           old, status, note, at=now)
    audit.log(actor, "service.case.status_changed", case,
              changes={"status": [old, status]},
              data={"number": case.number, "from": old, "to": status, "note": note[:500]})
    return case


@transaction.atomic
def assign(actor: User, case: Case, version: int | None, *, assignee: User | None,
           team: ServiceTeam | None = None, note: str = "") -> Case:
    """Reassign by hand: to a person (and their team unless one is named) or to a team's
    queue (no person)."""
    _require_agent(actor)
    check_version(case, version)
    if not case.is_open:
        raise Conflict(_("Only an open case can be reassigned."), field="assignee",
                       code="closed")
    if assignee is not None and not assignee.is_active:
        raise DomainError(_("This person can no longer sign in."), field="assignee")
    if assignee is not None and not perms.is_agent(assignee):
        raise DomainError(_("Cases go to service agents only."), field="assignee")
    if team is None and assignee is not None:
        teams = ServiceTeam.objects.filter(members=assignee)
        team = (case.team if case.team_id and teams.filter(pk=case.team_id).exists()
                else teams.order_by("pk").first())
    changes: dict[str, Any] = {"assignee": assignee, "team": team or case.team}
    if assignee is not None and case.status == S.NEW:
        changes["status"] = S.ASSIGNED
    if assignee is None and case.status == S.ASSIGNED:
        changes["status"] = S.NEW
    before = case.assignee
    save_versioned(case, version, changes)
    _event(case, CaseEvent.Kind.ASSIGNED, actor, before or "", assignee or case.team or "", note)
    if assignee is not None and assignee != actor:
        _notify_assigned(case, actor)
    audit.log(actor, "service.case.assigned", case,
              changes={"assignee": [getattr(before, "pk", None), getattr(assignee, "pk", None)]},
              data={"number": case.number, "team": case.team_id})
    return case


def take_next(actor: User, team: ServiceTeam) -> Case | None:
    """The unassigned case of ``team``'s queue due soonest, now the actor's; None if the queue
    has none. Two agents taking at once get two cases (the claim is a conditional update)."""
    _require_agent(actor)
    from guanxi.service.selectors.cases import queue
    for _attempt in range(5):
        candidate = queue(actor, team).filter(assignee__isnull=True).first()
        if candidate is None:
            return None
        with transaction.atomic():
            claimed = Case.objects.filter(pk=candidate.pk, assignee__isnull=True,
                                          version=candidate.version).update(
                assignee=actor, status=S.ASSIGNED if candidate.status == S.NEW
                else candidate.status, version=F("version") + 1, updated_at=timezone.now())
            if not claimed:
                continue
            case = _reload(candidate)
            _event(case, CaseEvent.Kind.ASSIGNED, actor, "", actor, _("Taken from the queue"))
            audit.log(actor, "service.case.assigned", case,
                      changes={"assignee": [None, actor.pk]},
                      data={"number": case.number, "team": case.team_id, "taken": True})
            return case
    return None


def _thread_subject(case: Case, subject: str = "") -> str:
    base = subject.strip() or case.subject
    tag = f"[{case.number}]"
    return base if tag in base else f"{base} {tag}"


def reply_to_address(case: Case) -> str:
    if case.contact_id and case.contact and case.contact.email:
        return case.contact.email
    return case.requester_email


@transaction.atomic
def reply(actor: User, case: Case, body: str, *, to: str = "", by_email: bool = True,
          now: dt.datetime | None = None) -> CaseMessage:
    """A reply to the customer. By e-mail it goes out after commit, threaded onto the case's
    conversation; it is the case's first response if none went out yet."""
    _require_agent(actor)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write the reply."), field="body")
    if case.status == S.CLOSED:
        raise Conflict(_("Reopen the case before replying."), field="body", code="closed")
    now = now or timezone.now()
    to = (to or reply_to_address(case)).strip() if by_email else ""
    if by_email and not to:
        raise DomainError(_("This case has no e-mail address to reply to."), field="to")
    last = (case.messages.exclude(kind=CaseMessage.Kind.NOTE).exclude(message_id="")
            .order_by("-created_at", "-id").first())
    references = " ".join(filter(None, [last.references if last else "",
                                        last.message_id if last else ""])).strip()
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or "guanxi.local"
    message = CaseMessage.objects.create(
        case=case, kind=CaseMessage.Kind.REPLY, author=actor, by_email=by_email,
        sender=(case.team.e_mail if case.team_id and case.team and case.team.e_mail
                else settings.DEFAULT_FROM_EMAIL), to=to,
        subject=_thread_subject(case, f"Re: {last.subject}" if last and last.subject
                                and not last.subject.lower().startswith("re:")
                                else (last.subject if last else "")),
        body=body, in_reply_to=last.message_id if last else "", references=references,
        created_at=now)
    if by_email:
        message.message_id = f"case-{case.pk}-{message.pk}.{int(now.timestamp())}@{domain}"
        message.save(update_fields=["message_id"])
    changes = sla.responded(case, now)
    if case.status in (S.NEW, S.ASSIGNED):
        changes["status"] = S.IN_PROGRESS
        if case.assignee_id is None:
            changes["assignee"] = actor
    if changes:
        old = case.status
        save_versioned(case, None, changes)
        if "status" in changes:
            _event(case, CaseEvent.Kind.STATUS, actor, old, case.status, at=now)
    _event(case, CaseEvent.Kind.REPLY, actor, "", to, body[:500], at=now)
    audit.log(actor, "service.case.replied", case,
              data={"number": case.number, "to": to, "message": message.pk})
    if by_email:
        from guanxi.core.tasks import later
        from guanxi.service.tasks import send_reply
        later(send_reply, message.pk)
    return message


@transaction.atomic
def add_note(actor: User, case: Case, body: str) -> CaseMessage:
    """An internal note: colleagues see it on the case; the customer never does."""
    _require_agent(actor)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write the note."), field="body")
    message = CaseMessage.objects.create(case=case, kind=CaseMessage.Kind.NOTE, author=actor,
                                         body=body)
    _event(case, CaseEvent.Kind.NOTE, actor, note=body[:500])
    audit.log(actor, "service.case.noted", case, data={"number": case.number})
    return message


@transaction.atomic
def delete_case(actor: User, case: Case, version: int | None) -> None:
    """Remove a case opened by mistake. A complaint is always recorded: never deleted."""
    if case.kind == Case.Kind.COMPLAINT:
        raise Forbidden(_("A complaint is always recorded and cannot be deleted."),
                        code="complaint")
    if not perms.can_delete_case(actor, case):
        raise Forbidden(_("Only a service manager may delete a case."))
    check_version(case, version)
    audit.log(actor, "service.case.deleted", case, data={"number": case.number})
    Case.objects.filter(pk=case.pk).delete()


# --- SLA warnings and breaches (the periodic check) -------------------------------------------

def warn_near(case_id: int, now: dt.datetime) -> bool:
    """Tell the assignee the SLA is due soon, once (a conditional update claims the case)."""
    with transaction.atomic():
        if not Case.objects.filter(pk=case_id, sla_state=Case.Sla.OK).update(
                sla_state=Case.Sla.NEAR, sla_warned_at=now):
            return False
        case = _reload(Case(pk=case_id))
        _event(case, CaseEvent.Kind.SLA_NEAR, None, "", case.sla_due, at=now)
        if case.assignee_id:
            from django.urls import reverse
            notify(case.assignee, gettext_noop("Case %(number)s is due soon: %(subject)s"),
                   {"number": case.number, "subject": case.subject[:120]},
                   kind="service.case.sla_near", url=reverse("service:case", args=[case.pk]))
        audit.log(None, "service.case.sla_near", case,
                  data={"number": case.number, "due": case.sla_due})
    return True


def escalate_breach(case_id: int, now: dt.datetime) -> bool:
    """Record the breach on the case and escalate to the team manager, once."""
    with transaction.atomic():
        if not Case.objects.filter(pk=case_id, sla_state__in=[Case.Sla.OK, Case.Sla.NEAR]
                                   ).update(sla_state=Case.Sla.BREACHED, sla_breached_at=now):
            return False
        case = _reload(Case(pk=case_id))
        _event(case, CaseEvent.Kind.SLA_BREACHED, None, "", case.sla_due, at=now)
        manager = case.team.manager if case.team_id and case.team else None
        if manager is not None:
            from django.urls import reverse
            _event(case, CaseEvent.Kind.ESCALATED, None, case.assignee or "", manager,
                   _("SLA breached: escalated to the team manager"), at=now)
            notify(manager, gettext_noop("SLA breached on case %(number)s: %(subject)s"),
                   {"number": case.number, "subject": case.subject[:120]},
                   kind="service.case.sla_breached",
                   url=reverse("service:case", args=[case.pk]))
        audit.log(None, "service.case.sla_breached", case,
                  data={"number": case.number, "due": case.sla_due,
                        "escalated_to": getattr(manager, "pk", None)})
    return True


def check_sla(now: dt.datetime | None = None) -> tuple[int, int]:
    """Find near and breached cases set-wise and act on each once; (warned, breached)."""
    now = now or timezone.now()
    near, breached = sla.near_and_breached(now)
    warned = sum(warn_near(pk, now) for pk in near)
    escalated = sum(escalate_breach(pk, now) for pk in breached)
    return warned, escalated
