"""Tasks and reminders: create, edit, complete, reopen, cancel; assign to oneself or (managers
and sales assistants) to someone in their team; remind once when ``remind_at`` passes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.audit import diff
from guanxi.core.errors import Conflict, FieldErrors, Forbidden
from guanxi.core.locking import save_versioned
from guanxi.core.notifications import notify
from guanxi.customers.models import Account
from guanxi.sales import permissions as perms
from guanxi.sales.models import CalendarFeed, Lead, Opportunity, Task
from guanxi.sales.models.work import new_feed_token
from guanxi.sales.selectors.work import day_bounds
from guanxi.sales.services.work_common import clean, resolve_records

FIELDS = ("title", "notes", "due_at", "all_day", "remind_at", "priority")


def _cleaned(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = clean(Task, data, FIELDS)
    errors: dict[str, list[str]] = {}
    if "due_at" in cleaned and not cleaned["due_at"]:
        errors["due_at"] = [_("This field is required.")]
    if "title" in cleaned and not cleaned["title"]:
        errors["title"] = [_("This field is required.")]
    if errors:
        raise FieldErrors(errors)
    return cleaned


def _normalise(fields: dict[str, Any]) -> None:
    """An all-day task is due at the start of its day (in the user's time zone)."""
    if fields.get("all_day") and fields.get("due_at"):
        fields["due_at"] = day_bounds(timezone.localtime(fields["due_at"]).date())[0]


def _notify_assignee(actor: User, task: Task) -> None:
    if task.assignee_id != actor.pk:
        notify(task.assignee, gettext_noop("%(user)s gave you a task: %(title)s"),
               {"user": actor, "title": task.title}, kind="sales.task",
               url=reverse("sales:today"), actor=actor)


@transaction.atomic
def create_task(actor: User, data: dict[str, Any], *, assignee: User | None = None,
                account: Account | None = None, opportunity: Opportunity | None = None,
                lead: Lead | None = None) -> Task:
    assignee = assignee or actor
    if not perms.can_assign_task(actor, assignee):
        raise FieldErrors({"assignee": [_("You may give tasks only to yourself or (managers "
                                          "and assistants) to your team.")]})
    if account or opportunity or lead:
        account, _contact, opportunity, lead = resolve_records(actor, account, None,
                                                               opportunity, lead)
        if not perms.can_work_on(actor, account, opportunity, lead):
            raise Forbidden(_("You may not add tasks to this record."))
    if not data.get("title"):
        raise FieldErrors({"title": [_("This field is required.")]})
    if not data.get("due_at"):
        raise FieldErrors({"due_at": [_("This field is required.")]})
    cleaned = _cleaned(data)
    cleaned.setdefault("all_day", True)
    _normalise(cleaned)
    task = Task.objects.create(**cleaned, assignee=assignee, account=account,
                               opportunity=opportunity, lead=lead, created_by=actor)
    audit.log(actor, "sales.task.created", task,
              changes=diff({}, {**cleaned, "assignee": assignee, "account": account}))
    _notify_assignee(actor, task)
    return task


@transaction.atomic
def update_task(actor: User, task: Task, data: dict[str, Any], version: int, *,
                assignee: User | None = None) -> Task:
    if not perms.can_change_task(actor, task):
        raise Forbidden(_("Only the assignee, the one who created it or their manager may "
                          "change this task."))
    cleaned = _cleaned(data)
    if "all_day" in cleaned or "due_at" in cleaned:
        merged = {"all_day": task.all_day, "due_at": task.due_at, **cleaned}
        _normalise(merged)
        cleaned["due_at"] = merged["due_at"]
    if "remind_at" in cleaned and cleaned["remind_at"] != task.remind_at:
        cleaned["reminded_at"] = None  # a new reminder time is reminded again
    if assignee is not None and assignee.pk != task.assignee_id:
        if not perms.can_assign_task(actor, assignee):
            raise FieldErrors({"assignee": [_("You may give tasks only to yourself or "
                                              "(managers and assistants) to your team.")]})
        cleaned["assignee"] = assignee
    before = {k: getattr(task, k) for k in cleaned}
    save_versioned(task, version, cleaned)
    audit.log(actor, "sales.task.updated", task, changes=diff(before, cleaned))
    if "assignee" in cleaned:
        _notify_assignee(actor, task)
    return task


def _set_status(actor: User, task: Task, version: int, allowed_from: tuple[str, ...],
                status: str, changes: dict[str, Any]) -> None:
    if not perms.can_change_task(actor, task):
        raise Forbidden(_("Only the assignee, the one who created it or their manager may "
                          "change this task."))
    if task.status not in allowed_from:
        raise Conflict(_("This task is already %(status)s.")
                       % {"status": task.get_status_display().lower()},
                       field="status", code="status")
    old = task.status
    save_versioned(task, version, {"status": status, **changes})
    audit.log(actor, f"sales.task.{status}", task, changes={"status": [old, status]})


@transaction.atomic
def complete_task(actor: User, task: Task, version: int,
                  now: dt.datetime | None = None) -> Task:
    now = now or timezone.now()
    _set_status(actor, task, version, (Task.Status.OPEN,), Task.Status.DONE, {"done_at": now})
    return task


@transaction.atomic
def reopen_task(actor: User, task: Task, version: int) -> Task:
    _set_status(actor, task, version, (Task.Status.DONE, Task.Status.CANCELLED),
                Task.Status.OPEN, {"done_at": None})
    return task



@transaction.atomic
def postpone_task(actor: User, task: Task, version: int, days: int = 1) -> Task:
    """Move an open task (and its reminder) ``days`` later: the one-click "tomorrow"."""
    if task.status != Task.Status.OPEN:
        raise Conflict(_("This task is already %(status)s.")
                       % {"status": task.get_status_display().lower()},
                       field="status", code="status")
    shift = dt.timedelta(days=days)
    data: dict[str, Any] = {"due_at": task.due_at + shift}
    if task.remind_at:
        data["remind_at"] = task.remind_at + shift
    return update_task(actor, task, data, version)

@transaction.atomic
def cancel_task(actor: User, task: Task, version: int) -> Task:
    _set_status(actor, task, version, (Task.Status.OPEN,), Task.Status.CANCELLED, {})
    return task


def send_reminders(now: dt.datetime | None = None) -> int:
    """Notify the assignee of each open task whose reminder time has passed, once."""
    now = now or timezone.now()
    due = Task.objects.filter(status=Task.Status.OPEN, remind_at__lte=now,
                              reminded_at__isnull=True).select_related("assignee")
    sent = 0
    for task in due:
        with transaction.atomic():
            # Claim the reminder first: a second worker running at the same time gets 0 rows.
            # The version stays: a reminder is not an edit and must not make a form stale.
            if not Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(
                    reminded_at=now):
                continue
            notify(task.assignee, gettext_noop("Reminder: %(title)s (due %(due)s)"),
                   {"title": task.title,
                    "due": timezone.localtime(task.due_at).date() if task.all_day
                    else task.due_at},
                   kind="sales.task_reminder", url=reverse("sales:today"))
            sent += 1
    return sent


# --- Calendar feed ---------------------------------------------------------------------------

def calendar_feed(user: User) -> CalendarFeed:
    """The user's feed, made on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def reset_calendar_feed(user: User) -> CalendarFeed:
    """A new secret address: calendars subscribed to the old one stop receiving anything."""
    feed = calendar_feed(user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    audit.log(user, "sales.calendar_feed.reset", feed)
    return feed


def note_feed_read(feed: CalendarFeed, now: dt.datetime | None = None) -> None:
    """When a calendar last fetched the feed, so the owner sees whether the phone syncs."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now or timezone.now())
