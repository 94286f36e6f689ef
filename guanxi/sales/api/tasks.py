"""API: tasks (create, edit, complete, reopen, cancel), Today, and the calendar feed address.

Reads go through the scoped selector (404 for missing and not visible alike); writes call one
service each and take the ``version`` the caller read (409 when stale).
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.accounts.models import User
from guanxi.core.access import get_visible
from guanxi.core.errors import FieldErrors
from guanxi.core.idempotency import forget_answer
from guanxi.core.schemas import Id
from guanxi.core.selectors import keyset_page
from guanxi.customers.models import Account
from guanxi.sales.api import work_schemas as s
from guanxi.sales.api.activities import visible
from guanxi.sales.models import Lead, Opportunity, Task
from guanxi.sales.selectors import work as sel
from guanxi.sales.services import tasks as svc

router = Router(tags=["tasks"])


class TaskFilters(Schema):
    status: Literal["open", "done", "cancelled", "all"] = "open"
    due: Literal["overdue", "today", "week"] | None = None
    assignee: str = Field("me", description="`me`, `all` (everything you may see), `created` "
                                            "(by you) or a user id")
    q: str | None = Field(None, description="Part of the title or the customer's name")
    account_id: Id | None = None
    opportunity_id: Id | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _user(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise FieldErrors({field: [_("No active user with this id.")]})
    return user


def _task(request: HttpRequest, task_id: int) -> Task:
    return get_visible(sel.visible_tasks(request.auth), pk=task_id)


@router.get("/tasks", response=s.TaskPage)
def list_tasks(request: HttpRequest, filters: Query[TaskFilters]):
    """Tasks you may see, by due date; keyset pages: follow `next` until it is null."""
    qs = sel.filter_tasks(request.auth, request.GET)
    page = keyset_page(qs, "due_at", filters.cursor, filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/tasks", response={201: s.TaskOut})
def create_task(request: HttpRequest, payload: s.TaskIn):
    data = payload.model_dump(exclude={"assignee_id", "account_id", "opportunity_id",
                                       "lead_id"})
    task = svc.create_task(request.auth, data,
                           assignee=_user(payload.assignee_id, "assignee_id"),
                           account=visible(request, Account, payload.account_id),
                           opportunity=visible(request, Opportunity, payload.opportunity_id),
                           lead=visible(request, Lead, payload.lead_id))
    return Status(201, task)


@router.get("/tasks/{task_id}", response=s.TaskOut)
def get_task(request: HttpRequest, task_id: Id):
    return _task(request, task_id)


@router.patch("/tasks/{task_id}", response=s.TaskOut)
def update_task(request: HttpRequest, task_id: Id, payload: s.TaskPatch):
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    assignee = _user(data.pop("assignee_id", None), "assignee_id")
    for key in ("title", "due_at", "all_day", "priority"):
        if key in data and data[key] is None:
            raise FieldErrors({key: [_("This field is required.")]})
    if data.get("notes") is None:
        data.pop("notes", None)
    return svc.update_task(request.auth, _task(request, task_id), data, version,
                           assignee=assignee)


@router.post("/tasks/{task_id}/complete", response=s.TaskOut)
def complete_task(request: HttpRequest, task_id: Id, payload: s.VersionIn):
    return svc.complete_task(request.auth, _task(request, task_id), payload.version)


@router.post("/tasks/{task_id}/reopen", response=s.TaskOut)
def reopen_task(request: HttpRequest, task_id: Id, payload: s.VersionIn):
    return svc.reopen_task(request.auth, _task(request, task_id), payload.version)


@router.post("/tasks/{task_id}/cancel", response=s.TaskOut)
def cancel_task(request: HttpRequest, task_id: Id, payload: s.VersionIn):
    return svc.cancel_task(request.auth, _task(request, task_id), payload.version)


@router.get("/today", response=s.TodayOut)
def today(request: HttpRequest):
    """Your overdue tasks, tasks due today and today's planned visits and meetings."""
    day = sel.today(request.auth)
    return {"overdue": day.overdue, "due_today": day.due_today,
            "appointments": day.appointments}


def _feed_url(request: HttpRequest, token: str) -> dict:
    return {"url": request.build_absolute_uri(reverse("sales:calendar_ics", args=[token]))}


@router.get("/calendar-feed", response=s.FeedOut)
def calendar_feed(request: HttpRequest):
    """The secret address of your iCalendar feed."""
    return _feed_url(request, svc.calendar_feed(request.auth).token)


@router.post("/calendar-feed/reset", response=s.FeedOut)
def reset_calendar_feed(request: HttpRequest):
    """A new address; calendars subscribed to the old one stop receiving anything."""
    forget_answer(request)  # the address is a secret
    return _feed_url(request, svc.reset_calendar_feed(request.auth).token)
