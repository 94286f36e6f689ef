"""Routing leads by purchase timeframe (SPEC C2).

* immediately: a rep gets it at once (first matching routing rule) and a notification;
* within 3 months: assigned the same way, plus a task to try to bring the purchase forward;
* within 6 months: detailed material is e-mailed (in the background), or waits to be sent;
* within a year: nurtured with general material, back to a rep 60 days before the window.

``today`` is always a parameter so the rules can be tested with a fake clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import Role, User
from guanxi.core import audit, send_gates
from guanxi.core.errors import Conflict, FieldErrors, Forbidden
from guanxi.core.locking import save_versioned, stale_version
from guanxi.core.notifications import notify
from guanxi.core.tasks import later
from guanxi.customers.models import Source
from guanxi.customers.regions import province_code
from guanxi.sales import permissions as perms
from guanxi.sales.models import Lead, LeadRoutingRule, Task, Timeframe

PULL_FORWARD = "sales.lead.pull_forward"
WINDOW_DAYS = {Timeframe.MONTHS_12: 365}
REVISIT_AHEAD_DAYS = 60
PULL_FORWARD_DUE_DAYS = 3


def _same_province(a: str, b: str) -> bool:
    return (province_code(a) or a.strip()) == (province_code(b) or b.strip())


def matching_rule(lead: Lead) -> LeadRoutingRule | None:
    """The first active rule, by position, whose source, timeframe and province match."""
    for rule in LeadRoutingRule.objects.filter(active=True).select_related("user", "team"):
        if rule.source and rule.source != lead.source:
            continue
        if rule.timeframe and rule.timeframe != lead.timeframe:
            continue
        if rule.province and not (lead.province and _same_province(rule.province,
                                                                    lead.province)):
            continue
        return rule
    return None


def team_reps(rule: LeadRoutingRule) -> QuerySet[User]:
    if rule.team is None:
        return User.objects.none()
    return (User.objects.filter(is_active=True, user_roles__role=Role.REP,
                                team_id__in=rule.team.subtree_ids())
            .distinct().order_by("pk"))


def next_assignee(rule: LeadRoutingRule) -> User | None:
    """The rule's user, or the next rep of its team after the last one served. Two requests
    routing at once cannot both take the same turn: the turn moves with a conditional update
    on ``last_assigned`` and the loser tries again."""
    if rule.user is not None:
        return rule.user if rule.user.is_active else None
    if not rule.team_id:
        return None
    reps = list(team_reps(rule))
    if not reps:
        return None
    for _attempt in range(10):
        previous = LeadRoutingRule.objects.filter(pk=rule.pk).values_list(
            "last_assigned_id", flat=True).first()
        chosen = next((u for u in reps if previous is None or u.pk > previous), reps[0])
        if LeadRoutingRule.objects.filter(pk=rule.pk, last_assigned_id=previous).update(
                last_assigned=chosen):
            rule.last_assigned = chosen
            return chosen
    return None


def give_to(lead: Lead, owner: User, *, actor: User | None, now: dt.datetime, reason: str,
            rule: LeadRoutingRule | None = None) -> None:
    """Make ``owner`` the lead's rep and tell them."""
    before = {"owner": lead.owner_id, "team": lead.team_id, "status": lead.status}
    changes = {"owner": owner, "team": owner.team or lead.team, "assigned_at": now,
               "status": Lead.Status.ASSIGNED, "revisit_on": None}
    save_versioned(lead, lead.version, changes)
    audit.log(actor, "sales.lead.assigned", lead,
              changes=audit.diff(before, {"owner": owner.pk, "team": lead.team_id,
                                          "status": lead.status}),
              data={"reason": reason, "rule": rule.pk if rule else None,
                    "rule_name": rule.name if rule else ""})
    if owner != actor:
        notify(owner, gettext_noop("Lead for you: %(lead)s"), {"lead": str(lead)},
               kind="sales.lead.assigned", actor=actor,
               url=reverse("sales:lead_detail", args=[lead.pk]))


def _assign_by_rules(lead: Lead, *, actor: User | None, now: dt.datetime) -> bool:
    if lead.owner is not None and lead.owner.is_active:
        if lead.status in (Lead.Status.NEW, Lead.Status.NURTURING):
            give_to(lead, lead.owner, actor=actor, now=now, reason="owner")
        return True
    rule = matching_rule(lead)
    owner = next_assignee(rule) if rule else None
    if owner is None:
        audit.log(actor, "sales.lead.unrouted", lead,
                  data={"rule": rule.pk if rule else None})
        return False
    give_to(lead, owner, actor=actor, now=now, reason="rule", rule=rule)
    return True


def _pull_forward_task(lead: Lead, now: dt.datetime) -> None:
    """One reminder per lead, however often the lead is routed."""
    owner = lead.owner
    if owner is None or Task.objects.filter(lead=lead, origin=PULL_FORWARD).exists():
        return
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        title = _("Try to bring the purchase forward: %(lead)s") % {"lead": str(lead)}
    task = Task.objects.create(
        title=title[:200], due_at=now + dt.timedelta(days=PULL_FORWARD_DUE_DAYS),
        assignee=owner, lead=lead, account=lead.account, origin=PULL_FORWARD,
        priority=Task.Priority.HIGH)
    audit.log(None, "sales.lead.pull_forward_task", lead, data={"task": task.pk})


def _queue_material(lead: Lead, kind: str) -> None:
    if not lead.email:
        audit.log(None, "sales.lead.material_waiting", lead, data={"kind": kind})
        return
    from guanxi.sales.tasks import send_lead_material

    later(send_lead_material, lead.pk, kind)
    audit.log(None, "sales.lead.material_queued", lead, data={"kind": kind})


def route_lead(lead: Lead, *, today: dt.date, actor: User | None = None,
               now: dt.datetime | None = None) -> None:
    """Apply the timeframe's routing to an open lead (see the module's docstring)."""
    if not lead.is_open:
        return
    now = now or timezone.now()
    if lead.timeframe == Timeframe.IMMEDIATE:
        _assign_by_rules(lead, actor=actor, now=now)
    elif lead.timeframe == Timeframe.MONTHS_3:
        if _assign_by_rules(lead, actor=actor, now=now):
            _pull_forward_task(lead, now)
    elif lead.timeframe == Timeframe.MONTHS_6:
        if lead.material_sent_at is None:
            _queue_material(lead, "detailed")
    elif lead.timeframe == Timeframe.MONTHS_12:
        revisit = today + dt.timedelta(days=WINDOW_DAYS[Timeframe.MONTHS_12]
                                       - REVISIT_AHEAD_DAYS)
        save_versioned(lead, lead.version, {"status": Lead.Status.NURTURING,
                                            "revisit_on": revisit})
        audit.log(actor, "sales.lead.nurtured", lead, data={"revisit_on": revisit})
        if lead.material_sent_at is None:
            _queue_material(lead, "general")


def bring_back_nurtured(today: dt.date, now: dt.datetime | None = None) -> int:
    """Nurtured leads whose revisit date has come go to a rep: their earlier owner if still
    active, else the routing rules. Returns how many were handed out."""
    now = now or timezone.now()
    count = 0
    due = Lead.objects.filter(status=Lead.Status.NURTURING, revisit_on__lte=today)
    for lead in due.select_related("owner").order_by("revisit_on", "pk"):
        try:
            with transaction.atomic():
                if lead.owner_id and lead.owner.is_active:
                    owner, rule = lead.owner, None
                else:
                    rule = matching_rule(lead)
                    owner = next_assignee(rule) if rule else None
                if owner is not None:
                    give_to(lead, owner, actor=None, now=now, reason="revisit", rule=rule)
                    count += 1
        except Conflict:
            continue  # edited meanwhile: tomorrow's run sees it again if still due
    return count


def send_material(lead_id: int, kind: str, now: dt.datetime | None = None) -> bool:
    """E-mail the detailed or general material to the lead, once; True when sent."""
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None or not lead.email or lead.material_sent_at is not None:
        return False
    # The lead asked for it (a service to them), unless the address unsubscribed.
    decision = send_gates.check(lead.email, send_gates.EMAIL, send_gates.SERVICE)
    if not decision.allowed:
        audit.log(None, "sales.lead.material_refused", lead, data={"reason": decision.reason})
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = (_("The product material you asked for") if kind == "detailed"
                   else _("An introduction to our products"))
        body = render_to_string("sales/leads/material_email.txt",
                                {"lead": lead, "detailed": kind == "detailed"})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [lead.email])
    Lead.objects.filter(pk=lead.pk).update(material_sent_at=now or timezone.now())
    audit.log(None, "sales.lead.material_sent", lead, data={"kind": kind})
    return True


# --- Routing rules (administrators) ---------------------------------------------------------

RULE_FIELDS = ("name", "position", "source", "timeframe", "province", "user", "team",
               "active")


def _require_admin(actor: User) -> None:
    if not perms.can_configure(actor):
        raise Forbidden(_("Only administrators change lead routing."))


def _clean_rule(data: dict[str, Any], current: LeadRoutingRule | None) -> dict[str, Any]:
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise FieldErrors({k: [_("This field cannot be set here.")] for k in sorted(unknown)})
    values = {k: data[k] for k in RULE_FIELDS if k in data}
    for key in ("name", "source", "timeframe", "province"):
        if key in values:
            values[key] = (values[key] or "").strip()
    errors: dict[str, list[str]] = {}
    merged = {k: getattr(current, k) if current else None for k in RULE_FIELDS} | values
    if not merged.get("name"):
        errors["name"] = [_("This field is required.")]
    if values.get("source") and values["source"] not in Source.values:
        errors["source"] = [_("Choose a valid source.")]
    if values.get("timeframe") and values["timeframe"] not in Timeframe.values:
        errors["timeframe"] = [_("Choose a valid purchase timeframe.")]
    if values.get("province") and province_code(values["province"]) is None:
        errors["province"] = [_("“%(value)s” is not a Chinese province.")
                              % {"value": values["province"]}]
    if (merged.get("user") is None) == (merged.get("team") is None):
        errors["user"] = [_("Choose either a user or a team for round robin.")]
    position = values.get("position")
    if position is not None and not (isinstance(position, int) and 0 <= position <= 10000):
        errors["position"] = [_("Enter a whole number from 0 to 10000.")]
    if errors:
        raise FieldErrors(errors)
    return values


@transaction.atomic
def create_rule(actor: User, data: dict[str, Any]) -> LeadRoutingRule:
    _require_admin(actor)
    values = _clean_rule(data, None)
    rule = LeadRoutingRule.objects.create(**values)
    audit.log(actor, "sales.lead_routing_rule.created", rule,
              changes={k: [None, audit.jsonable(v)] for k, v in values.items()})
    return rule


@transaction.atomic
def update_rule(actor: User, rule: LeadRoutingRule, data: dict[str, Any],
                version: int) -> LeadRoutingRule:
    _require_admin(actor)
    values = _clean_rule(data, rule)
    changes = audit.diff({k: getattr(rule, k) for k in values}, values)
    save_versioned(rule, version, values)
    if changes:
        audit.log(actor, "sales.lead_routing_rule.updated", rule, changes=changes)
    return rule


@transaction.atomic
def delete_rule(actor: User, rule: LeadRoutingRule, version: int) -> None:
    _require_admin(actor)
    if LeadRoutingRule.objects.filter(pk=rule.pk, version=version).delete()[0] == 0:
        raise stale_version()
    audit.log(actor, "sales.lead_routing_rule.deleted", rule, data={"name": rule.name})
