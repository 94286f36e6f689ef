"""Reads of the daily work: the scoped querysets of activities, support requests and tasks,
who decides a support request, and the Today, calendar and work-list queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from guanxi.accounts.models import Role, User
from guanxi.accounts.selectors import administrators
from guanxi.core.filters import Param, choices, parse
from guanxi.customers.models import Account
from guanxi.sales.models import Activity, Lead, Opportunity, SupportRequest, Task

READ_ALL_ROLES = (Role.ADMIN, Role.EXECUTIVE)
TEAM_ROLES = (Role.MANAGER, Role.ASSISTANT)
# The kinds that are appointments: they go into the calendar with a time and a duration.
CALENDAR_KINDS = (Activity.Kind.VISIT, Activity.Kind.MEETING, Activity.Kind.CALL,
                  Activity.Kind.CAMPAIGN)


def activity_scope(user: User) -> Q | None:
    """Own activities and those on a customer, opportunity or lead the user may see; None
    means everything."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.has_role(*READ_ALL_ROLES):
        return None
    return (Q(owner=user) | Q(account__in=Account.objects.visible_to(user))
            | Q(opportunity__in=Opportunity.objects.visible_to(user))
            | Q(lead__in=Lead.objects.visible_to(user)))


def task_scope(user: User) -> Q | None:
    """Assigned or created by the user, and (managers, assistants) the tasks of their team
    subtree; None means everything."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.has_role(*READ_ALL_ROLES):
        return None
    q = Q(assignee=user) | Q(created_by=user)
    if user.has_role(*TEAM_ROLES) and user.team_id:
        q |= Q(assignee__team_id__in=user.team_subtree_ids)
    return q


def assignable_users(user: User) -> QuerySet[User] | None:
    """Whom the user may give a task to (``permissions.can_assign_task``): everyone active
    for an administrator, the team subtree and themself for a manager or sales assistant;
    None when only themself (no choice to offer)."""
    if user.has_role(Role.ADMIN):
        return User.objects.filter(is_active=True).order_by("username")
    if user.has_role(*TEAM_ROLES) and user.team_id:
        return User.objects.filter(Q(team_id__in=user.team_subtree_ids) | Q(pk=user.pk),
                                   is_active=True).order_by("username")
    return None


def visible_activities(user: User) -> QuerySet[Activity]:
    return Activity.objects.visible_to(user).select_related(
        "account", "contact", "opportunity", "lead", "owner")


def visible_tasks(user: User) -> QuerySet[Task]:
    return Task.objects.visible_to(user).select_related(
        "assignee", "account", "opportunity", "lead")


ACTIVITY_FILTERS = (
    Param("account", "int", aliases=("account_id",)),
    Param("opportunity", "int", aliases=("opportunity_id",)),
    Param("lead", "int", aliases=("lead_id",)),
    Param("kind", "choice", choices(Activity.Kind)),
    Param("status", "choice", choices(Activity.Status)),
    Param("mine", "bool"),
)


def filter_activities(user: User, filters: Mapping[str, Any]) -> QuerySet[Activity]:
    """Activities ``user`` sees: ``account``, ``opportunity``, ``lead`` (ids), ``kind``,
    ``status``, ``mine`` (only those ``user`` logged)."""
    f = parse(filters, ACTIVITY_FILTERS)
    qs = visible_activities(user)
    for name in ("account", "opportunity", "lead"):
        if name in f:
            qs = qs.filter(**{f"{name}_id": f[name]})
    for name in ("kind", "status"):
        if name in f:
            qs = qs.filter(**{name: f[name]})
    if f.get("mine"):
        qs = qs.filter(owner=user)
    return qs


TASK_FILTERS = (
    Param("status", "choice", ("open", "done", "cancelled", "all"), default="open"),
    Param("due", "choice", ("overdue", "today", "week")),
    # ``all`` and ``team``: every task ``user`` sees; ``created``: those ``user`` created.
    Param("assignee", "user", choices=("all", "team", "created"), aliases=("who",),
          default="me"),
    Param("account", "int", aliases=("account_id",)),
    Param("opportunity", "int", aliases=("opportunity_id",)),
    Param("q"),
)


def filter_tasks(user: User, filters: Mapping[str, Any],
                 now: dt.datetime | None = None) -> QuerySet[Task]:
    """Tasks ``user`` sees: ``status`` (open by default, ``all``), ``due`` (overdue, today,
    week), ``assignee`` (``me`` by default, ``all``, ``team``, ``created`` or a user id),
    ``account``, ``opportunity``, ``q`` (title or customer name)."""
    f = parse(filters, TASK_FILTERS)
    now = now or timezone.now()
    qs = visible_tasks(user)
    assignee = f["assignee"]
    if assignee == "me":
        qs = qs.filter(assignee=user)
    elif assignee == "created":
        qs = qs.filter(created_by=user)
    elif isinstance(assignee, int):
        qs = qs.filter(assignee_id=assignee)
    if f["status"] != "all":
        qs = qs.filter(status=f["status"])
    due = f.get("due")
    if due == "overdue":
        qs = qs.filter(overdue_q(now))
    elif due == "today":
        qs = qs.filter(due_today_q(now))
    elif due == "week":
        qs = qs.filter(due_at__lt=now + dt.timedelta(days=7))
    for name in ("account", "opportunity"):
        if name in f:
            qs = qs.filter(**{f"{name}_id": f[name]})
    if q := f.get("q"):
        qs = qs.filter(Q(title__icontains=q) | Q(account__name__icontains=q))
    return qs


def visible_support_requests(user: User) -> QuerySet[SupportRequest]:
    """Requests on activities the user sees, and those a manager over the requester decides."""
    qs = SupportRequest.objects.select_related(
        "activity__account", "activity__owner", "requested_by", "decided_by")
    scope = activity_scope(user)
    if scope is None:
        return qs
    q = Q(activity__in=Activity.objects.filter(scope))
    if user.has_role(Role.MANAGER) and user.team_id:
        q |= Q(requested_by__team_id__in=user.team_subtree_ids)
    return qs.filter(q)


def deciders(requester: User | None) -> list[User]:
    """The managers over the requester's team (any level above or at it); administrators
    when there is none."""
    managers = User.objects.none()
    if requester is not None and requester.team is not None:
        ancestors = [int(i) for i in requester.team.path.strip("/").split("/") if i]
        managers = User.objects.filter(is_active=True, user_roles__role=Role.MANAGER,
                                       team_id__in=ancestors)
    found = list(managers.distinct())
    if not found:
        found = list(administrators())
    return found


def decided_requests(user: User) -> QuerySet[SupportRequest]:
    """Requests the user decides: all for an administrator, those of requesters in a
    manager's team subtree, none otherwise. A manager sees these anyway, so the filter
    starts from the requester's team and never from the scope over all activities."""
    qs = SupportRequest.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.has_role(Role.ADMIN):
        return qs
    if not (user.has_role(Role.MANAGER) and user.team_id):
        return qs.none()
    return qs.filter(requested_by__team_id__in=user.team_subtree_ids)


def pending_support_count(user: User) -> int:
    """How many requests wait for the user's decision (the navigation badge); served by the
    (status, requested_by) index."""
    return decided_requests(user).filter(status=SupportRequest.Status.PENDING).count()


def support_inbox(user: User) -> QuerySet[SupportRequest]:
    """Requests the user decides, pending first."""
    qs = decided_requests(user).select_related(
        "activity__account", "activity__owner", "requested_by", "decided_by")
    pending_first = Case(When(status=SupportRequest.Status.PENDING, then=Value(0)),
                         default=Value(1))
    return qs.order_by(pending_first, "-requested_at", "-id")


# --- Days and periods ------------------------------------------------------------------------

def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of ``day`` in the current time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def overdue_q(now: dt.datetime) -> Q:
    """Open and due before now; an all-day task is overdue from the day after its date."""
    today_start, _end = day_bounds(timezone.localtime(now).date())
    return Q(status=Task.Status.OPEN) & (Q(all_day=False, due_at__lt=now)
                                         | Q(all_day=True, due_at__lt=today_start))


def due_today_q(now: dt.datetime) -> Q:
    start, end = day_bounds(timezone.localtime(now).date())
    return (Q(status=Task.Status.OPEN, due_at__gte=start, due_at__lt=end)
            & ~(Q(all_day=False, due_at__lt=now)))


@dataclass
class Today:
    overdue: list[Task]
    due_today: list[Task]
    appointments: list[Activity]

    @property
    def counts(self) -> dict[str, int]:
        return {"overdue": len(self.overdue), "due_today": len(self.due_today),
                "appointments": len(self.appointments)}


def today(user: User, now: dt.datetime | None = None) -> Today:
    """The user's overdue and due-today tasks and today's planned visits and meetings."""
    now = now or timezone.now()
    tasks = Task.objects.filter(assignee=user).select_related("account", "opportunity", "lead")
    start, end = day_bounds(timezone.localtime(now).date())
    appointments = (Activity.objects.filter(owner=user, status=Activity.Status.PLANNED,
                                            starts_at__gte=start, starts_at__lt=end)
                    .select_related("account", "contact", "opportunity")
                    .order_by("starts_at", "id"))
    overdue = list(tasks.filter(overdue_q(now)).order_by("due_at", "id"))
    for task in overdue:
        task.is_overdue = True
    return Today(overdue=overdue,
                 due_today=list(tasks.filter(due_today_q(now)).order_by("due_at", "id")),
                 appointments=list(appointments))


def today_counts(user: User, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    tasks = Task.objects.filter(assignee=user)
    start, end = day_bounds(timezone.localtime(now).date())
    return {
        "overdue": tasks.filter(overdue_q(now)).count(),
        "due_today": tasks.filter(due_today_q(now)).count(),
        "appointments": Activity.objects.filter(
            owner=user, status=Activity.Status.PLANNED, starts_at__gte=start,
            starts_at__lt=end).count(),
    }


def calendar_items(user: User, start: dt.datetime, end: dt.datetime,
                   ) -> tuple[list[Activity], list[Task]]:
    """The user's appointments and open or done tasks between ``start`` and ``end``."""
    activities = (Activity.objects.filter(owner=user, kind__in=CALENDAR_KINDS,
                                          starts_at__gte=start, starts_at__lt=end)
                  .exclude(status=Activity.Status.CANCELLED)
                  .select_related("account", "contact", "opportunity")
                  .order_by("starts_at", "id"))
    tasks = (Task.objects.filter(assignee=user, due_at__gte=start, due_at__lt=end)
             .exclude(status=Task.Status.CANCELLED)
             .select_related("account", "opportunity").order_by("due_at", "id"))
    return list(activities), list(tasks)


def account_work(user: User, account: Account, now: dt.datetime | None = None,
                 limit: int = 5) -> dict:
    """Open tasks, upcoming activities and pending support requests of a customer."""
    now = now or timezone.now()
    tasks = visible_tasks(user).filter(account=account, status=Task.Status.OPEN)
    pending = visible_support_requests(user).filter(
        activity__account=account, status=SupportRequest.Status.PENDING)
    # A campaign plan waiting for its decision is listed once, as the pending request.
    upcoming = visible_activities(user).filter(
        account=account, status=Activity.Status.PLANNED).exclude(
        support_request__status=SupportRequest.Status.PENDING).order_by("starts_at", "id")
    return {"tasks": list(tasks[:limit]), "upcoming": list(upcoming[:limit]),
            "pending": list(pending[:limit]), "now": now}


def next_for_opportunity(user: User, opportunity: Opportunity) -> dict:
    """The next thing to do on an open opportunity: its soonest open task or planned activity,
    else its next step."""
    if opportunity.closed_at:
        return {}
    task = visible_tasks(user).filter(opportunity=opportunity, status=Task.Status.OPEN) \
        .order_by("due_at", "id").first()
    visit = visible_activities(user).filter(
        opportunity=opportunity, status=Activity.Status.PLANNED).order_by("starts_at", "id") \
        .first()
    if task and visit:
        if visit.starts_at < task.due_at:
            task = None
        else:
            visit = None
    return {"next_task": task, "next_visit": visit, "next_step": opportunity.next_step,
            "show_next": True}


def opportunity_work(user: User, opportunity: Opportunity, limit: int = 10) -> dict:
    return {
        "activities": list(visible_activities(user).filter(opportunity=opportunity)[:limit]),
        "tasks": list(visible_tasks(user).filter(opportunity=opportunity)
                      .exclude(status=Task.Status.CANCELLED)[:limit]),
    }
