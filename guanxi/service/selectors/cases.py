"""Reading cases: who sees which, the one filter used by the list page, the API and the export,
queues sorted by SLA due time, and the case's history."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core.errors import FieldErrors, NotFound
from guanxi.customers.search import customer_ids
from guanxi.customers.selectors import account_scope
from guanxi.service.models import (
    AssignmentRule,
    BusinessHours,
    Case,
    CaseEvent,
    CaseMessage,
    Holiday,
    ServiceSettings,
    ServiceTeam,
    SlaPolicy,
)
from guanxi.service.permissions import READ_ALL

NUMBER = re.compile(r"^CS-?(\d{4})-?(\d{1,6})$", re.IGNORECASE)
FILTERS = ("q", "status", "kind", "priority", "channel", "team", "assignee", "account",
           "sla", "open", "due_before", "created_from", "created_to")


def visible_cases(user: User) -> QuerySet[Case]:
    """Every case for agents, executives and administrators; for everyone else the cases
    of the customers they may see."""
    if not (user.is_authenticated and user.is_active):
        return Case.objects.none()
    if user.has_role(*READ_ALL):
        return Case.objects.all()
    scope = account_scope(user, "account__")
    qs = Case.objects.filter(account__isnull=False, account__is_active=True)
    return qs if scope is None else qs.filter(scope)


def get_case(user: User, pk: Any) -> Case:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("No such case.")) from None
    case = (visible_cases(user).select_related("account", "contact", "product", "team",
                                               "assignee", "sla_policy", "team__manager")
            .filter(pk=pk).first())
    if case is None:
        raise NotFound(_("No such case."))
    return case


def normalize_number(raw: str) -> str | None:
    """"cs-2026-123", "CS2026000123" → "CS-2026-000123"; None if it is not a case number."""
    match = NUMBER.match((raw or "").strip())
    if not match:
        return None
    return f"CS-{match.group(1)}-{int(match.group(2)):06d}"


def parse_filters(raw: Any) -> dict[str, Any]:
    """Validated filters from a query string or API parameters; bad values name the field."""
    get = raw.get if hasattr(raw, "get") else dict(raw).get
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    choices = {"status": Case.Status, "kind": Case.Kind, "priority": Case.Priority,
               "channel": Case.Channel, "sla": Case.Sla}
    for name, enum in choices.items():
        value = (get(name) or "").strip()
        if value:
            if value not in enum.values:
                errors[name] = [_("Choose one of: %(choices)s.")
                                % {"choices": ", ".join(enum.values)}]
            else:
                out[name] = value
    for name in ("team", "assignee", "account"):
        value = (str(get(name) or "")).strip()
        if value == "none" and name in ("team", "assignee"):
            out[name] = "none"
        elif value:
            if not value.isascii() or not value.isdigit() or not 0 < int(value) < 2 ** 63:
                errors[name] = [_("Enter a valid id.")]
            else:
                out[name] = int(value)
    for name in ("due_before", "created_from", "created_to"):
        value = (get(name) or "").strip()
        if value:
            try:
                parsed = parse_date(value)
            except ValueError:
                parsed = None
            if parsed is None or not 1900 <= parsed.year <= 2999:
                errors[name] = [_("Enter a date as YYYY-MM-DD.")]
            else:
                out[name] = parsed
    open_value = (get("open") or "").strip()
    if open_value:
        if open_value not in ("1", "0", "true", "false"):
            errors["open"] = [_("Enter 1 or 0.")]
        else:
            out["open"] = open_value in ("1", "true")
    q = (get("q") or "").strip()[:200]
    if q:
        out["q"] = q
    if errors:
        raise FieldErrors(errors)
    return out


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_cases(user: User, filters: dict[str, Any]) -> QuerySet[Case]:
    """The cases ``user`` sees that match parsed ``filters``: one selector for the list page,
    the API and the export."""
    qs = visible_cases(user)
    for name in ("status", "kind", "priority", "channel"):
        if name in filters:
            qs = qs.filter(**{name: filters[name]})
    if "sla" in filters:
        qs = qs.filter(sla_state=filters["sla"])
    for name in ("team", "assignee"):
        if filters.get(name) == "none":
            qs = qs.filter(**{f"{name}__isnull": True})
        elif name in filters:
            qs = qs.filter(**{f"{name}_id": filters[name]})
    if "account" in filters:
        qs = qs.filter(account_id=filters["account"])
    if "open" in filters:
        qs = (qs.filter(status__in=Case.OPEN) if filters["open"]
              else qs.exclude(status__in=Case.OPEN))
    if "due_before" in filters:
        qs = qs.filter(sla_due__lt=_day_start(filters["due_before"] + dt.timedelta(days=1)))
    if "created_from" in filters:
        qs = qs.filter(created_at__gte=_day_start(filters["created_from"]))
    if "created_to" in filters:
        qs = qs.filter(created_at__lt=_day_start(filters["created_to"] + dt.timedelta(days=1)))
    if "q" in filters:
        number = normalize_number(filters["q"])
        if number:
            qs = qs.filter(number=number)
        else:
            q = filters["q"]
            qs = qs.filter(Q(subject__icontains=q) | Q(number__icontains=q)
                           | Q(account__name__icontains=q) | Q(requester_email__icontains=q))
    return qs


def queue(user: User, team: ServiceTeam | None = None, *, mine: bool = False) -> QuerySet[Case]:
    """Open cases by SLA due time (soonest first, cases without a clock last): a team's, or
    the user's own."""
    qs = visible_cases(user).filter(status__in=Case.OPEN)
    if mine:
        qs = qs.filter(assignee=user)
    elif team is not None:
        qs = qs.filter(team=team)
    from django.db.models import F
    return qs.order_by(F("sla_due").asc(nulls_last=True), "id")


def breaches_soon(user: User, *, hours: int = 4) -> QuerySet[Case]:
    """Open cases the user sees whose SLA is breached or due within ``hours``: the user's own
    for an agent, the teams they manage for a service manager."""
    limit = timezone.now() + dt.timedelta(hours=hours)
    qs = visible_cases(user).filter(status__in=Case.OPEN, sla_due__lte=limit)
    managed = list(ServiceTeam.objects.filter(manager=user).values_list("pk", flat=True))
    qs = qs.filter(Q(assignee=user) | Q(team_id__in=managed)) if managed else qs.filter(
        assignee=user)
    return qs.order_by("sla_due", "id")


def search_cases(user: User, q: str, limit: int) -> list[Case]:
    """Ctrl-K and the case picker: a case number (full or without its dashes), else subjects,
    then the cases of the customers ``q`` names."""
    q = (q or "").strip()
    if not q:
        return []
    number = normalize_number(q)
    qs = visible_cases(user).select_related("account")
    if number:
        return list(qs.filter(number=number)[:limit])
    if q.upper().startswith("CS-"):
        return list(qs.filter(number__istartswith=q).order_by("-created_at")[:limit])
    if len(q) < 2:
        return []
    found = list(qs.filter(subject__icontains=q).order_by("-created_at")[:limit])
    if len(found) < limit and (accounts := customer_ids(q, limit=20)):
        # Then the customer's cases, by its name, pinyin, initials or phone.
        seen = {c.pk for c in found}
        found += [c for c in qs.filter(account_id__in=accounts).order_by("-created_at")[:limit]
                  if c.pk not in seen]
    return found[:limit]


def history(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("actor").order_by("at", "id"))


def messages(case: Case, *, internal: bool = True) -> list[CaseMessage]:
    qs = case.messages.select_related("author").prefetch_related("attachments")
    if not internal:
        qs = qs.exclude(kind=CaseMessage.Kind.NOTE)
    return list(qs.order_by("created_at", "id"))


def account_cases(user: User, account: Any, limit: int = 8) -> dict[str, Any]:
    """The 360° card: the customer's latest cases and the counts of open ones."""
    qs = visible_cases(user).filter(account=account)
    rows = list(qs.select_related("assignee").order_by("-created_at", "-id")[:limit + 1])
    return {"rows": rows[:limit], "more": len(rows) > limit,
            "open": qs.filter(status__in=Case.OPEN).count()}


def account_open_items(user: User, account: Any) -> dict[str, Any]:
    """Open complaints and SLA breaches of a customer, for the 360° open items."""
    qs = visible_cases(user).filter(account=account, status__in=Case.OPEN)
    complaints = list(qs.filter(kind=Case.Kind.COMPLAINT).order_by("sla_due", "id")[:5])
    breached = list(qs.filter(sla_state=Case.Sla.BREACHED).order_by("sla_due", "id")[:5])
    return {"complaints": complaints, "breached": breached}


def teams() -> QuerySet[ServiceTeam]:
    return ServiceTeam.objects.select_related("manager").order_by("name")


def policies() -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.order_by("name")


def rules() -> QuerySet[AssignmentRule]:
    return AssignmentRule.objects.select_related("team", "assignee").order_by("position", "id")


def holidays(year: int | None = None) -> QuerySet[Holiday]:
    qs = Holiday.objects.order_by("date")
    return qs.filter(date__year=year) if year else qs


def business_hours(team: ServiceTeam | None = None) -> QuerySet[BusinessHours]:
    return BusinessHours.objects.filter(team=team).order_by("weekday", "start")


def settings_row() -> ServiceSettings:
    return ServiceSettings.current()


def select_cases(user: User, params: Any) -> QuerySet[Case]:
    """Raw query parameters in, the matching cases out (exports)."""
    return filter_cases(user, parse_filters(params))
