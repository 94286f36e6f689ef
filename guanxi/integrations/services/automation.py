"""Automation rules: when an event happens (or a customer goes quiet), if the record's fields
meet the conditions, then assign, notify, create a task, tag or e-mail.

Rules run after the change commits, each in its own transaction, acting as the administrator
who made the rule, through the same services a person uses (so permissions, audit and timeline
apply). Every run is logged. Loops stop: a rule never reacts to its own changes, and changes
made by rules in reaction to other rules' changes (depth 2 and more) trigger nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import CharField, Exists, Model, OuterRef
from django.db.models.functions import Cast
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from guanxi.accounts.models import Role, User
from guanxi.core import audit, events
from guanxi.core import automation as automation_targets
from guanxi.core.automation import AutomationTarget
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.events import Event
from guanxi.core.locking import check_version, save_versioned
from guanxi.core.notifications import notify
from guanxi.core.tasks import later
from guanxi.integrations import permissions as perms
from guanxi.integrations.models import AutomationRule, AutomationRun
from guanxi.integrations.services.webhooks import require_admin

logger = logging.getLogger(__name__)
Trigger = AutomationRule.Trigger
MAX_DEPTH = 1

OPERATORS = {
    "eq": gettext_lazy("equals"),
    "ne": gettext_lazy("does not equal"),
    "in": gettext_lazy("is one of"),
    "contains": gettext_lazy("contains"),
    "gte": gettext_lazy("≥"),
    "lte": gettext_lazy("≤"),
    "empty": gettext_lazy("is empty"),
    "not_empty": gettext_lazy("is not empty"),
}
ACTIONS = {
    "assign_owner": gettext_lazy("Assign the owner"),
    "notify": gettext_lazy("Notify"),
    "create_task": gettext_lazy("Create a task"),
    "add_tag": gettext_lazy("Add a tag to the customer"),
    "send_email": gettext_lazy("Send an e-mail template to the primary contact"),
}
RECIPIENTS = {"owner": gettext_lazy("the record's owner"), "user": gettext_lazy("a user"),
              "role": gettext_lazy("everyone with a role")}


# --- Records and their fields ---------------------------------------------------------------

def targets() -> dict[str, AutomationTarget]:
    """The record types rules can act on, as the owning apps registered them."""
    return automation_targets.targets()


def model_of(target: str) -> type[Model]:
    return _target(target).model_class()


def _target(key: str) -> AutomationTarget:
    found = automation_targets.get_target(key)
    if found is None:
        raise DomainError(_("Unknown record type."), field="target")
    return found


def fields_of(target: str) -> list[tuple[str, str]]:
    """The fields conditions may test: (name, label)."""
    from guanxi.core.models import CustomFieldDefinition

    out = _target(target).fields()
    out += [(f"custom.{d.key}", d.label) for d in
            CustomFieldDefinition.objects.filter(target=target, active=True)]
    return out


def field_value(record: Model, name: str) -> Any:
    if name.startswith("custom."):
        return (getattr(record, "custom", None) or {}).get(name[7:])
    meta = record._meta
    target = automation_targets.target_for_object(f"{meta.app_label}.{meta.model_name}")
    if target is None:
        raise DomainError(_("Unknown record type."))
    return target.value(record, name)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(_text(value))
    except (InvalidOperation, ValueError):
        return None


def _same(actual: Any, expected: Any) -> bool:
    a, e = _number(actual), _number(expected)
    if a is not None and e is not None and not isinstance(actual, str):
        return a == e
    return _text(actual).casefold() == _text(expected).casefold()


def holds(condition: dict[str, Any], record: Model) -> bool:
    actual = field_value(record, condition["field"])
    op, expected = condition["op"], condition.get("value")
    if op in ("empty", "not_empty"):
        empty = actual in (None, "", [], {})
        return empty if op == "empty" else not empty
    if op in ("gte", "lte"):
        a, e = _number(actual), _number(expected)
        if a is None or e is None:
            return False
        return a >= e if op == "gte" else a <= e
    if op == "in":
        options = expected if isinstance(expected, list) else _text(expected).split(",")
        return any(_same(actual, o) for o in options)
    if op == "contains":
        if isinstance(actual, list):
            return any(_same(item, expected) for item in actual)
        return _text(expected).casefold() in _text(actual).casefold()
    same = _same(actual, expected)
    return same if op == "eq" else not same


def owner_of(record: Model) -> User | None:
    if hasattr(record, "assignee"):
        return record.assignee
    if hasattr(record, "owner"):
        return record.owner
    account = getattr(record, "account", None)
    return account.owner if account is not None else None


def account_of(record: Model):
    from guanxi.customers.models import Account

    if isinstance(record, Account):
        return record
    return getattr(record, "account", None)


def record_url(record: Model) -> str:
    meta = record._meta
    target = automation_targets.target_for_object(f"{meta.app_label}.{meta.model_name}")
    try:
        return target.url_of(record) if target is not None else ""
    except NoReverseMatch:
        return ""


def target_of(rule: AutomationRule) -> str:
    if rule.trigger == Trigger.EVENT:
        return rule.event_type.rsplit(".", 1)[0]
    if rule.trigger == Trigger.STAGE_CHANGED:
        return "sales.opportunity"
    if rule.trigger == Trigger.NO_FOLLOW_UP:
        return "customers.account"
    return rule.target


# --- Administering rules --------------------------------------------------------------------

def _clean_actions(actions: Any, target: str) -> list[dict[str, Any]]:
    from guanxi.sales.models import EmailTemplate

    if not isinstance(actions, list) or not actions:
        raise FieldErrors({"actions": [_("Add at least one action.")]})
    out = []
    for raw in actions:
        kind = (raw or {}).get("type") if isinstance(raw, dict) else None
        if kind not in ACTIONS:
            raise FieldErrors({"actions": [_("Unknown action.")]})
        action: dict[str, Any] = {"type": kind}
        if kind in ("assign_owner", "notify", "create_task"):
            to = raw.get("to") or ("user" if kind == "assign_owner" else "owner")
            if kind == "notify" and to == "role":
                if raw.get("role") not in Role.values:
                    raise FieldErrors({"actions": [_("Choose a role to notify.")]})
                action["role"] = raw["role"]
            elif to == "user" or kind == "assign_owner":
                user_id = _int(raw.get("user_id"))
                user = User.objects.filter(pk=user_id, is_active=True).first() \
                    if user_id is not None else None
                if user is None:
                    raise FieldErrors({"actions": [_("Choose an active user.")]})
                action["user_id"] = user.pk
                to = "user"
            elif to != "owner":
                raise FieldErrors({"actions": [_("Choose who is meant.")]})
            if kind != "assign_owner":
                action["to"] = to
            if kind == "assign_owner" and target == "sales.task":
                raise FieldErrors({"actions": [_("Tasks have an assignee, not an owner.")]})
        if kind == "notify":
            action["message"] = _required_text(raw.get("message"), 300)
        if kind == "create_task":
            action["title"] = _required_text(raw.get("title"), 200)
            days = _int(raw.get("due_in_days"))
            if days is None or not 0 <= days <= 365:
                raise FieldErrors({"actions": [_("A task is due in 0 to 365 days.")]})
            action["due_in_days"] = days
            action["priority"] = raw.get("priority") if raw.get("priority") in (
                "low", "normal", "high") else "normal"
        if kind in ("add_tag", "send_email") and target in ("sales.task",):
            raise FieldErrors({"actions": [_("This action needs a record with a customer.")]})
        if kind == "add_tag":
            tag = _required_text(raw.get("tag"), 40)
            action["tag"] = tag
        if kind == "send_email":
            template_id = _int(raw.get("template_id"))
            template = EmailTemplate.objects.filter(pk=template_id, active=True).first() \
                if template_id is not None else None
            if template is None:
                raise FieldErrors({"actions": [_("Choose an active e-mail template.")]})
            action["template_id"] = template.pk
        out.append(action)
    return out


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _required_text(value: Any, limit: int) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise FieldErrors({"actions": [_("Fill in every action.")]})
    if len(text) > limit:
        raise FieldErrors({"actions": [_("At most %(n)s characters.") % {"n": limit}]})
    return text


def clean_rule(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = " ".join(str(data.get("name") or "").split())[:100]
    if not name:
        errors["name"] = [_("This field is required.")]
    trigger = data.get("trigger")
    fields: dict[str, Any] = {"name": name, "trigger": trigger, "event_type": "", "target": "",
                              "field": "", "value": "", "days": None,
                              "active": bool(data.get("active", True))}
    if trigger not in Trigger.values:
        raise FieldErrors({**errors, "trigger": [_("Choose when the rule runs.")]})
    if trigger == Trigger.EVENT:
        if not events.is_event_type(data.get("event_type") or ""):
            errors["event_type"] = [_("Choose an event.")]
        fields["event_type"] = data.get("event_type") or ""
    elif trigger == Trigger.FIELD_CHANGED:
        if data.get("target") not in targets():
            errors["target"] = [_("Choose a record type.")]
        else:
            fields["target"] = data["target"]
            names = {n for n, _label in fields_of(data["target"])} - {"tags"}
            if data.get("field") not in names:
                errors["field"] = [_("Choose a field of this record type.")]
        fields["field"] = data.get("field") or ""
        fields["value"] = _text(data.get("value"))[:200]
    elif trigger == Trigger.STAGE_CHANGED:
        fields["value"] = _text(data.get("value"))[:200]
    else:
        days = _int(data.get("days"))
        if days is None or not 1 <= days <= 3650:
            errors["days"] = [_("Enter a number of days from 1 to 3650.")]
        fields["days"] = days
    if errors:
        raise FieldErrors(errors)
    target = target_of(AutomationRule(**fields))
    names = {n for n, _label in fields_of(target)} if target in targets() else set()
    conditions = []
    for raw in data.get("conditions") or []:
        if not isinstance(raw, dict) or raw.get("field") not in names \
                or raw.get("op") not in OPERATORS:
            raise FieldErrors({"conditions": [_("Each condition needs a field of the record "
                                                "and an operator.")]})
        value = raw.get("value")
        value = [_text(v) for v in value] if isinstance(value, list) else _text(value)
        if raw["op"] in ("gte", "lte") and _number(value) is None:
            raise FieldErrors({"conditions": [_("≥ and ≤ compare with a number.")]})
        conditions.append({"field": raw["field"], "op": raw["op"], "value": value})
    fields["conditions"] = conditions
    fields["actions"] = _clean_actions(data.get("actions"), target)
    return fields


@transaction.atomic
def create_rule(actor: User, data: dict[str, Any]) -> AutomationRule:
    require_admin(actor)
    fields = clean_rule(data)
    rule = AutomationRule.objects.create(**fields, created_by=actor)
    audit.log(actor, "integrations.automation_rule.created", rule,
              changes=audit.diff({}, fields))
    return rule


@transaction.atomic
def update_rule(actor: User, rule: AutomationRule, data: dict[str, Any],
                version: int) -> AutomationRule:
    """Replace the rule's definition. The rule then acts as ``actor``."""
    require_admin(actor)
    fields = clean_rule(data)
    changes = audit.diff({k: getattr(rule, k) for k in fields}, fields)
    save_versioned(rule, version, {**fields, "created_by": actor})
    if changes:
        audit.log(actor, "integrations.automation_rule.updated", rule, changes=changes)
    return rule


@transaction.atomic
def set_active(actor: User, rule: AutomationRule, active: bool, version: int) -> AutomationRule:
    require_admin(actor)
    if rule.active != active:
        save_versioned(rule, version, {"active": active})
        audit.log(actor, "integrations.automation_rule.updated", rule,
                  changes={"active": [not active, active]})
    else:
        check_version(rule, version)
    return rule


@transaction.atomic
def delete_rule(actor: User, rule: AutomationRule) -> None:
    require_admin(actor)
    audit.log(actor, "integrations.automation_rule.deleted", rule)
    rule.delete()


# --- Running --------------------------------------------------------------------------------

def matches(rule: AutomationRule, event: Event, target: str = "") -> bool:
    """Does ``event`` (about a record of type ``target``, a registered key) trigger ``rule``?"""
    if rule.trigger == Trigger.EVENT:
        return rule.event_type == event.type
    if rule.trigger == Trigger.STAGE_CHANGED:
        new = (event.changes.get("stage") or [None, None])[1]
        return event.type == "sales.opportunity.stage_changed" and (
            not rule.value or _same(new, rule.value))
    if rule.trigger == Trigger.FIELD_CHANGED:
        change = event.changes.get(rule.field)
        if (target or event.object_type) != rule.target \
                or not isinstance(change, list | tuple):
            return False
        return not rule.value or _same(change[-1], rule.value)
    return False


def on_event(event: Event) -> list[AutomationRun]:
    """After-commit subscriber: run the rules this event triggers."""
    target = automation_targets.target_for_object(event.object_type)
    if event.depth > MAX_DEPTH or target is None:
        return []
    rules = [r for r in AutomationRule.objects.filter(active=True)
             .exclude(trigger=Trigger.NO_FOLLOW_UP).select_related("created_by")
             if matches(r, event, target.key) and event.cause != f"automation.rule:{r.pk}"]
    runs = []
    for rule in rules:
        record = target.load(event.object_id)  # fresh: an earlier rule may have changed it
        if record is not None:
            runs.append(run_rule(rule, record, event))
    return runs


def run_rule(rule: AutomationRule, record: Model, event: Event) -> AutomationRun:
    base = {"rule": rule, "event_id": event.id, "event_type": event.type,
            "object_type": f"{record._meta.app_label}.{record._meta.model_name}",
            "object_id": str(record.pk), "object_repr": str(record)[:200]}
    try:
        if not all(holds(c, record) for c in rule.conditions):
            return AutomationRun.objects.create(result=AutomationRun.Result.SKIPPED, **base)
        actor = rule.created_by
        if actor is None or not perms.can_act_in_automation(actor):
            raise DomainError(_("The administrator who saved this rule can no longer act; "
                                "an administrator should save it again."))
        with transaction.atomic(), events.caused_by(event, f"automation.rule:{rule.pk}"):
            detail = [perform(action, rule, record, actor) for action in rule.actions]
            return AutomationRun.objects.create(result=AutomationRun.Result.DONE,
                                                detail=detail, **base)
    except DomainError as exc:
        error = exc.message
    except Exception as exc:  # a bug in one rule must not stop the others; it is logged
        logger.exception("automation rule %s failed", rule.pk)
        error = f"{type(exc).__name__}: {exc}"
    return AutomationRun.objects.create(result=AutomationRun.Result.FAILED, error=error[:500],
                                        **base)


def _user(pk: int | None) -> User:
    user = User.objects.filter(pk=pk, is_active=True).first() if pk is not None else None
    if user is None:
        raise DomainError(_("The user named in the rule is no longer active."))
    return user


def _recipients(action: dict[str, Any], record: Model) -> list[User]:
    if action.get("to") == "role":
        return list(User.objects.filter(is_active=True, user_roles__role=action["role"])
                    .distinct())
    if action.get("to") == "user":
        return [_user(action.get("user_id"))]
    owner = owner_of(record)
    if owner is None:
        raise DomainError(_("The record has no owner."))
    return [owner]


def perform(action: dict[str, Any], rule: AutomationRule, record: Model,
            actor: User) -> dict[str, Any]:
    """Do one action; what was done, for the run log."""
    kind = action["type"]
    if kind == "assign_owner":
        return {"type": kind, "owner": _assign(actor, record, _user(action["user_id"]))}
    if kind == "notify":
        people = _recipients(action, record)
        for person in people:
            notify(person, gettext_noop("%(rule)s: %(text)s (%(record)s)"),
                   {"rule": rule.name, "text": action["message"], "record": record},
                   kind="integrations.automation", url=record_url(record))
        return {"type": kind, "users": [p.pk for p in people]}
    if kind == "create_task":
        return {"type": kind, "task": _task(action, rule, record, actor)}
    account = account_of(record)
    if account is None:
        raise DomainError(_("The record has no customer."))
    if kind == "add_tag":
        from guanxi.customers import services as customers

        names = list(account.tags.values_list("name", flat=True))
        if action["tag"] not in names:
            customers.set_tags(actor, account, [*names, action["tag"]])
        return {"type": kind, "tag": action["tag"], "account": account.pk}
    contact = account.contacts.filter(is_active=True).order_by("-is_primary", "pk").first()
    if contact is None or not contact.email:
        raise DomainError(_("The customer's primary contact has no e-mail address."))
    from guanxi.customers.services import consent

    # A rule's e-mail goes out unasked: it is marketing, and needs what marketing needs.
    decision = consent.may_contact(contact, "email", "marketing")
    if not decision.allowed:
        raise DomainError(_("The primary contact may not receive marketing e-mail: %(reason)s")
                          % {"reason": decision.reason})
    opportunity = record.pk if record._meta.model_name == "opportunity" else None
    from guanxi.integrations.hook_tasks import send_rule_email

    later(send_rule_email, action["template_id"], actor.pk, account.pk, contact.pk, opportunity)
    return {"type": kind, "template": action["template_id"], "contact": contact.pk}


def _assign(actor: User, record: Model, owner: User) -> int:
    from guanxi.customers import services as customers
    from guanxi.customers.models import Account, Contact
    from guanxi.sales.models import Lead, Opportunity
    from guanxi.sales.services.leads import assign_lead
    from guanxi.sales.services.opportunities import set_team_role

    if isinstance(record, Account):
        customers.assign_owner(actor, record, owner, record.version)
    elif isinstance(record, Contact):
        return _assign(actor, record.account, owner)
    elif isinstance(record, Lead):
        assign_lead(actor, record, owner, record.version)
    elif isinstance(record, Opportunity):
        set_team_role(actor, record, record.version, "owner", owner)
    else:
        raise DomainError(_("This kind of record has no owner a rule can assign."))
    return owner.pk


def _task(action: dict[str, Any], rule: AutomationRule, record: Model, actor: User) -> int:
    from guanxi.customers.models import Contact
    from guanxi.sales.services.tasks import create_task

    assignee = _recipients(action, record)[0]
    links = {"account": "account", "contact": "account", "lead": "lead",
             "opportunity": "opportunity"}
    name = record._meta.model_name
    link: dict[str, Any]
    if name in links:
        link = {links[name]: record.account if isinstance(record, Contact) else record}
    else:  # an invoice, a payment, an order …: the task is about its customer
        account = account_of(record)
        link = {"account": account} if account is not None else {}
    due = timezone.now() + dt.timedelta(days=action["due_in_days"])
    task = create_task(actor, {"title": action["title"], "due_at": due,
                               "priority": action["priority"],
                               "notes": _("Created by the automation rule “%(rule)s”.")
                               % {"rule": rule.name}},
                       assignee=assignee, **link)
    return task.pk


def send_rule_email(template_id: int, actor_id: int, account_id: int, contact_id: int,
                    opportunity_id: int | None) -> str:
    """Render the template for the contact and send it (the worker calls this)."""
    from guanxi.customers.models import Account, Contact
    from guanxi.sales.models import EmailTemplate, Opportunity
    from guanxi.sales.services import email

    template = EmailTemplate.objects.get(pk=template_id)
    actor = User.objects.get(pk=actor_id)
    account = Account.objects.get(pk=account_id)
    contact = Contact.objects.get(pk=contact_id)
    opportunity = Opportunity.objects.filter(pk=opportunity_id).first() \
        if opportunity_id is not None else None
    rendered = email.render(template.subject, template.body,
                            email.merge_context(contact, account, actor, opportunity))
    try:  # consent may have been withdrawn since the rule ran
        row = email.send_email(actor, account, contact=contact, subject=rendered.subject,
                               body=rendered.body, template=template,
                               opportunity=opportunity, purpose="marketing")
    except FieldErrors:
        return "refused"
    return row.status


# --- Customers without follow-up -------------------------------------------------------------

def check_no_follow_up(today: dt.date | None = None) -> int:
    """Daily: run each "no follow-up for N days" rule on the customers that went quiet — once
    per customer and quiet period (a new follow-up starts a new period)."""
    from guanxi.customers.models import Account

    today = today or timezone.localdate()
    count = 0
    for rule in AutomationRule.objects.filter(active=True, trigger=Trigger.NO_FOLLOW_UP) \
            .select_related("created_by"):
        if rule.days is None:  # the rule's form requires the days; nothing to measure without
            continue
        cutoff = timezone.make_aware(dt.datetime.combine(
            today - dt.timedelta(days=rule.days), dt.time.min))
        already = AutomationRun.objects.filter(
            rule=rule, object_type="customers.account",
            object_id=Cast(OuterRef("pk"), CharField()),
            at__gte=OuterRef("last_follow_up_at"))
        quiet = (Account.objects.filter(is_active=True, in_pool=False, owner__isnull=False,
                                        last_follow_up_at__lt=cutoff)
                 .exclude(Exists(already)).order_by("pk")[:1000])
        for account in quiet:
            event = Event(type="automation.no_follow_up", object_type="customers.account",
                          object_id=str(account.pk), object_repr=str(account)[:200],
                          actor_id=None, changes={}, data={"days": rule.days})
            run = run_rule(rule, account, event)
            count += run.result == AutomationRun.Result.DONE
    return count
