"""Pages: Today (overdue, due today, today's visits and meetings, quick complete), the task
list with filters, task create and edit, the calendar (month and week) and its iCalendar
feed with the page that shows and resets the subscription address."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.access import get_visible
from guanxi.core.errors import DomainError, FieldErrors, Forbidden
from guanxi.core.forms import add_domain_error
from guanxi.core.pages import done, page_template, posted
from guanxi.core.views import refusals_as_http
from guanxi.sales import permissions as perms
from guanxi.sales.models import Task
from guanxi.sales.selectors import work as sel
from guanxi.sales.selectors import work_calendar as cal
from guanxi.sales.services import tasks as svc
from guanxi.sales.views.activities import next_url, records_from_query
from guanxi.sales.views.work_forms import TaskFilterForm, TaskForm, VersionForm

LIST_SIZE = 200


@login_required
@refusals_as_http
def today(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(request, "sales/tasks/today.html", {
        "day": sel.today(request.user, now), "now": now})


@login_required
@refusals_as_http
def task_list(request: HttpRequest) -> HttpResponse:
    user, now = request.user, timezone.now()
    form = TaskFilterForm(request.GET or None)
    try:
        tasks = sel.filter_tasks(user, request.GET, now=now)
    except FieldErrors as exc:
        messages.error(request, exc.message)
        tasks = sel.visible_tasks(user).none()
    rows = list(tasks.order_by("due_at", "id")[:LIST_SIZE + 1])
    overdue_ids = set(sel.visible_tasks(user).filter(
        sel.overdue_q(now), pk__in=[t.pk for t in rows]).values_list("pk", flat=True))
    for t in rows:
        t.is_overdue = t.pk in overdue_ids
    return render(request, "sales/tasks/list.html", {
        "form": form, "tasks": rows[:LIST_SIZE], "more": len(rows) > LIST_SIZE,
        "team_view": sel.assignable_users(user) is not None})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    found = records_from_query(request)
    choices = sel.assignable_users(request.user)
    due = timezone.localtime().replace(hour=17, minute=0, second=0, microsecond=0)
    form = TaskForm(posted(request), assignees=choices,
                    initial={"due_at": due, "assignee": request.user.pk})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.create_task(request.user, form.task_data(),
                                assignee=form.cleaned_data.get("assignee"),
                                account=found.get("account"),
                                opportunity=found.get("opportunity"), lead=found.get("lead"))
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Task created."))
                return done(request, next_url(request, reverse("sales:tasks")))
        else:
            status = 400
    return render(request, "sales/tasks/form.html", {
        "base": page_template(request), "form": form, "account": found.get("account"),
        "records": found, "title": _("New task"), "submit": _("Create task"),
        "action": request.get_full_path()}, status=status)


def _task(request: HttpRequest, pk: int) -> Task:
    return get_visible(sel.visible_tasks(request.user), pk=pk)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    if not perms.can_change_task(request.user, task):
        raise Forbidden(_("Only the assignee, the one who created it or their manager may "
                          "change this task."))
    choices = sel.assignable_users(request.user)
    form = TaskForm(posted(request), assignees=choices, initial={
        "title": task.title, "due_at": timezone.localtime(task.due_at),
        "all_day": task.all_day,
        "remind_at": task.remind_at and timezone.localtime(task.remind_at),
        "priority": task.priority, "assignee": task.assignee_id, "notes": task.notes,
        "version": task.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.update_task(request.user, task, form.task_data(),
                                form.cleaned_data["version"] or task.version,
                                assignee=form.cleaned_data.get("assignee"))
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Task saved."))
                return done(request, next_url(request, reverse("sales:tasks")))
        else:
            status = 400
    return render(request, "sales/tasks/form.html", {
        "base": page_template(request), "form": form, "account": task.account, "task": task,
        "title": _("Edit task"), "submit": _("Save"),
        "action": reverse("sales:task_edit", args=[task.pk])}, status=status)


ACTIONS = {"complete": svc.complete_task, "reopen": svc.reopen_task, "cancel": svc.cancel_task,
           "postpone": svc.postpone_task}


@login_required
@refusals_as_http
@require_POST
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Complete, reopen or cancel; with htmx the row answers in place (quick complete)."""
    task = _task(request, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else task.version
    error = ""
    try:
        ACTIONS[action](request.user, task, version)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        error = exc.message
    if request.htmx:
        task.refresh_from_db()
        task.is_overdue = sel.visible_tasks(request.user).filter(
            sel.overdue_q(timezone.now()), pk=task.pk).exists()
        return render(request, "sales/tasks/_item.html", {"t": task, "error": error},
                      status=409 if error else 200)
    if error:
        messages.error(request, error)
    return done(request, next_url(request, reverse("sales:tasks")))


# --- Calendar --------------------------------------------------------------------------------

@login_required
@refusals_as_http
def calendar(request: HttpRequest) -> HttpResponse:
    view = "week" if request.GET.get("view") == "week" else "month"
    today_ = timezone.localdate()
    try:
        anchor = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        anchor = today_
    weeks = cal.grid(request.user, view, anchor, today_)
    if view == "week":
        prev, nxt = anchor - dt.timedelta(days=7), anchor + dt.timedelta(days=7)
    else:
        first = anchor.replace(day=1)
        prev = (first - dt.timedelta(days=1)).replace(day=1)
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return render(request, "sales/tasks/calendar.html", {
        "weeks": weeks, "view": view, "anchor": anchor, "prev": prev, "next": nxt,
        "today": today_, "weekdays": [d.date for d in weeks[0]]})


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def calendar_feed(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        svc.reset_calendar_feed(request.user)
        messages.success(request, _("New address made. Calendars subscribed to the old one "
                                    "no longer receive anything: subscribe again."))
        return redirect("sales:calendar_feed")
    feed = svc.calendar_feed(request.user)
    url = request.build_absolute_uri(reverse("sales:calendar_ics", args=[feed.token]))
    return render(request, "sales/tasks/calendar_feed.html", {
        "feed": feed, "url": url, "webcal": url.replace("https://", "webcal://", 1)
        .replace("http://", "webcal://", 1)})


def calendar_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no login (calendar apps cannot), the secret address is the key."""
    feed = cal.feed_by_token(token)
    if feed is None:
        raise Http404
    body = cal.ics(feed.user, request.get_host().split(":")[0])
    svc.note_feed_read(feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="guanxi.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


urls = [
    path("today/", today, name="today"),
    path("tasks/", task_list, name="tasks"),
    path("tasks/new/", task_create, name="task_create"),
    path("tasks/<int:pk>/edit/", task_edit, name="task_edit"),
    path("tasks/<int:pk>/complete/", task_action, {"action": "complete"},
         name="task_complete"),
    path("tasks/<int:pk>/reopen/", task_action, {"action": "reopen"}, name="task_reopen"),
    path("tasks/<int:pk>/cancel/", task_action, {"action": "cancel"}, name="task_cancel"),
    path("tasks/<int:pk>/postpone/", task_action, {"action": "postpone"}, name="task_postpone"),
    path("calendar/", calendar, name="calendar"),
    path("calendar/feed/", calendar_feed, name="calendar_feed"),
    path("calendar/<str:token>.ics", calendar_ics, name="calendar_ics"),
]
