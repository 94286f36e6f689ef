"""The personal calendar: the month and week grids of the calendar page, and the iCalendar
feed a phone calendar subscribes to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import icalendar
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.sales.models import Activity, CalendarFeed, Task
from guanxi.sales.selectors.work import CALENDAR_KINDS, calendar_items, day_bounds

# How far the feed reaches: a phone needs recent history and what is planned.
FEED_PAST = dt.timedelta(days=60)
FEED_FUTURE = dt.timedelta(days=366)
DEFAULT_MINUTES = 60
TASK_MINUTES = 30


@dataclass
class Day:
    date: dt.date
    in_period: bool
    is_today: bool
    activities: list[Activity] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


def period(view: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day shown: whole weeks from Monday, a month is 4–6 weeks."""
    if view == "week":
        start = anchor - dt.timedelta(days=anchor.weekday())
        return start, start + dt.timedelta(days=6)
    first = anchor.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    start = first - dt.timedelta(days=first.weekday())
    last = nxt - dt.timedelta(days=1)
    return start, last + dt.timedelta(days=6 - last.weekday())


def grid(user: User, view: str, anchor: dt.date, today: dt.date) -> list[list[Day]]:
    """Weeks of days, each with the user's appointments and tasks of that day."""
    first, last = period(view, anchor)
    start, _e = day_bounds(first)
    _s, end = day_bounds(last)
    activities, tasks = calendar_items(user, start, end)
    days: dict[dt.date, Day] = {}
    d = first
    while d <= last:
        in_period = view == "week" or d.month == anchor.month
        days[d] = Day(d, in_period, d == today)
        d += dt.timedelta(days=1)
    for a in activities:
        days[timezone.localtime(a.starts_at).date()].activities.append(a)
    for t in tasks:
        days[timezone.localtime(t.due_at).date()].tasks.append(t)
    ordered = list(days.values())
    return [ordered[i:i + 7] for i in range(0, len(ordered), 7)]


def feed_by_token(token: str) -> CalendarFeed | None:
    """The feed of an active user with this secret address, or None."""
    feed = (CalendarFeed.objects.select_related("user").filter(token=token).first()
            if token else None)
    if feed is None or not feed.user.is_active:
        return None
    return feed


def ics(user: User, host: str, now: dt.datetime | None = None) -> bytes:
    """The user's appointments (with their duration) and tasks (all-day or timed) as an
    iCalendar document, times in the site's time zone with its VTIMEZONE."""
    now = now or timezone.now()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Guanxi CRM//guanxi//")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Guanxi · {user}")
    cal.add("x-wr-timezone", str(timezone.get_current_timezone()))
    stamp = now.astimezone(dt.UTC)
    activities = (Activity.objects.filter(owner=user, kind__in=CALENDAR_KINDS,
                                          starts_at__gte=now - FEED_PAST,
                                          starts_at__lt=now + FEED_FUTURE)
                  .exclude(status=Activity.Status.CANCELLED)
                  .select_related("account", "contact").order_by("starts_at", "id"))
    for a in activities:
        event = icalendar.Event()
        event.add("uid", f"activity-{a.pk}@{host}")
        event.add("dtstamp", stamp)
        start = timezone.localtime(a.starts_at)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=a.duration_minutes or DEFAULT_MINUTES))
        event.add("summary", f"{a.get_kind_display()}: {a.subject}")
        if a.location:
            event.add("location", a.location)
        description = [x for x in (a.account and a.account.name,
                                   a.contact and a.contact.name, a.body) if x]
        if description:
            event.add("description", "\n".join(description))
        event.add("status", "CONFIRMED")
        event.add("sequence", a.version)
        cal.add_component(event)
    tasks = (Task.objects.filter(assignee=user, due_at__gte=now - FEED_PAST,
                                 due_at__lt=now + FEED_FUTURE)
             .exclude(status=Task.Status.CANCELLED).select_related("account")
             .order_by("due_at", "id"))
    for t in tasks:
        event = icalendar.Event()
        event.add("uid", f"task-{t.pk}@{host}")
        event.add("dtstamp", stamp)
        due = timezone.localtime(t.due_at)
        if t.all_day:
            event.add("dtstart", due.date())
            event.add("dtend", due.date() + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        else:
            event.add("dtstart", due)
            event.add("dtend", due + dt.timedelta(minutes=TASK_MINUTES))
        done = "✓ " if t.status == Task.Status.DONE else ""
        event.add("summary", f"{done}{t.title}")
        lines = [x for x in (t.account and t.account.name, t.notes) if x]
        if lines:
            event.add("description", "\n".join(lines))
        event.add("sequence", t.version)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
