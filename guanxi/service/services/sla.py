"""Service level clocks: business hours per team, the holiday calendar (调休 included), the
policy a case falls under, pausing while waiting on the customer, and recomputing due times
set-wise after the calendar changes.

A running clock is stored as an anchor (when it last started) and budgets (business seconds
left at the anchor for the first response and the resolution); the due times follow from them
and are stored, indexed, so queues sort on them. Pausing spends the business time since the
anchor from the budgets and clears the anchor; resuming sets a new anchor.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from guanxi.service.models import BusinessHours, Case, Holiday, ServiceSettings, SlaPolicy

# Used when neither the team nor the default calendar has business hours.
DEFAULT_SPANS: dict[int, list[tuple[dt.time, dt.time]]] = {
    wd: [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(18))] for wd in range(5)}
HORIZON_DAYS = 62
UTC = dt.UTC


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass
class Calendar:
    """Working spans per weekday and the exceptions of the holiday calendar."""

    spans: dict[int, list[tuple[dt.time, dt.time]]]
    days_off: frozenset[dt.date]
    workdays: frozenset[dt.date]  # weekend days worked (调休)

    def spans_on(self, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        if day in self.days_off:
            return []
        if day in self.workdays and not self.spans.get(day.weekday()):
            # A swapped working weekend keeps the hours of the first working weekday.
            for wd in range(7):
                if self.spans.get(wd):
                    return self.spans[wd]
            return []
        return self.spans.get(day.weekday(), [])


def load_calendars(team_ids: Iterable[int | None]) -> dict[int | None, Calendar]:
    """The calendar of each team (``None``: the default), in three queries."""
    wanted = set(team_ids) | {None}
    off: set[dt.date] = set()
    work: set[dt.date] = set()
    for day, kind in Holiday.objects.values_list("date", "kind"):
        (work if kind == Holiday.Kind.WORKDAY else off).add(day)
    spans: dict[int | None, dict[int, list[tuple[dt.time, dt.time]]]] = defaultdict(
        lambda: defaultdict(list))
    real = [t for t in wanted if t is not None]
    for team_id, weekday, start, end in (BusinessHours.objects
                                         .filter(Q(team__isnull=True) | Q(team_id__in=real))
                                         .values_list("team_id", "weekday", "start", "end")
                                         .order_by("team_id", "weekday", "start")):
        spans[team_id][weekday].append((start, end))
    default = dict(spans[None]) if spans.get(None) else DEFAULT_SPANS
    frozen_off, frozen_work = frozenset(off), frozenset(work)
    return {t: Calendar(dict(spans[t]) if t is not None and spans.get(t) else default,
                        frozen_off, frozen_work) for t in wanted}


class Clock:
    """Business time on one calendar, as sorted intervals of epoch seconds with the business
    seconds before each, so adding or measuring business time is two binary searches."""

    def __init__(self, calendar: Calendar, start: dt.date, days: int = HORIZON_DAYS) -> None:
        self.calendar = calendar
        self.zone = local_zone()
        self.first = start
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.before: list[int] = []  # business seconds before each interval
        self.after: list[int] = []  # … and at its end
        self.last = start - dt.timedelta(days=1)
        self._extend(days)

    def _extend(self, days: int) -> None:
        total = self.after[-1] if self.after else 0
        for i in range(1, days + 1):
            day = self.last + dt.timedelta(days=i)
            for start, end in self.calendar.spans_on(day):
                a = int(dt.datetime.combine(day, start, self.zone).timestamp())
                b = int(dt.datetime.combine(day, end, self.zone).timestamp())
                if b <= a:
                    continue
                self.starts.append(a)
                self.ends.append(b)
                self.before.append(total)
                total += b - a
                self.after.append(total)
        self.last += dt.timedelta(days=days)

    def _cover(self, ts: int) -> None:
        # Make sure intervals exist past ``ts`` (a calendar with no hours at all never will).
        guard = 0
        while (not self.ends or self.ends[-1] <= ts) and guard < 40:
            self._extend(HORIZON_DAYS)
            guard += 1

    def _position(self, ts: int) -> int:
        """Business seconds from the clock's start to ``ts``."""
        self._cover(ts)
        i = bisect_right(self.ends, ts)
        if i >= len(self.starts):
            return self.after[-1] if self.after else 0
        return self.before[i] + max(0, ts - self.starts[i])

    def add(self, moment: dt.datetime, seconds: int) -> dt.datetime:
        """The moment ``seconds`` of business time after ``moment``."""
        return dt.datetime.fromtimestamp(self.add_ts(int(moment.timestamp()), seconds), UTC)

    def add_ts(self, ts: int, seconds: int) -> int:
        """``add`` on epoch seconds (the set-wise recompute stays off datetime objects)."""
        # A negative budget (overdue when the clock stopped) gives a due time in the past.
        target = max(0, self._position(ts) + seconds)
        guard = 0
        while (not self.after or self.after[-1] < target) and guard < 40:
            self._extend(HORIZON_DAYS)
            guard += 1
        if not self.after or self.after[-1] < target:
            return ts + seconds  # no business hours at all
        j = bisect_left(self.after, target)
        return self.starts[j] + target - self.before[j]

    def between(self, a: dt.datetime, b: dt.datetime) -> int:
        """Business seconds from ``a`` to ``b`` (0 if ``b`` is not later)."""
        if b <= a:
            return 0
        return self._position(int(b.timestamp())) - self._position(int(a.timestamp()))


def clock_for(team_id: int | None, start: dt.datetime) -> Clock:
    calendars = load_calendars([team_id])
    day = timezone.localtime(start, local_zone()).date() - dt.timedelta(days=1)
    return Clock(calendars[team_id], day)


# --- Policies ---------------------------------------------------------------------------------

def policy_for(case: Case) -> SlaPolicy | None:
    """The most specific active policy matching the case (priority, kind, customer class);
    ties go to the faster resolution target."""
    best: tuple[tuple[int, int], SlaPolicy] | None = None
    for policy in SlaPolicy.objects.filter(active=True):
        score = 0
        for name in ("priority", "kind", "customer_class"):
            wanted = getattr(policy, name)
            if wanted and wanted != getattr(case, name):
                break
            score += bool(wanted)
        else:
            key = (score, -policy.resolution_minutes)
            if best is None or key > best[0]:
                best = (key, policy)
    return best[1] if best else None


def _dues(case: Case, clock: Clock | None = None) -> dict[str, Any]:
    """The due times following from the case's anchor and budgets."""
    if case.sla_anchor_at is None:
        return {"response_due": case.response_due if case.response_budget is None else None,
                "resolution_due": None, "sla_due": None}
    clock = clock or clock_for(case.team_id, case.sla_anchor_at)
    response = (clock.add(case.sla_anchor_at, case.response_budget)
                if case.response_budget is not None else case.response_due)
    resolution = (clock.add(case.sla_anchor_at, case.resolution_budget)
                  if case.resolution_budget is not None else None)
    pending = [d for d in (response if case.response_budget is not None else None, resolution)
               if d is not None]
    return {"response_due": response, "resolution_due": resolution,
            "sla_due": min(pending) if pending else None}


def start(case: Case, now: dt.datetime) -> dict[str, Any]:
    """Fields that put a new case under its policy, its clock running from ``now``."""
    policy = policy_for(case)
    if policy is None:
        return {"sla_policy": None, "sla_state": Case.Sla.NONE}
    case.sla_policy = policy
    case.sla_anchor_at = now
    case.response_budget = policy.first_response_minutes * 60
    case.resolution_budget = policy.resolution_minutes * 60
    return {"sla_policy": policy, "sla_anchor_at": now,
            "response_budget": case.response_budget,
            "resolution_budget": case.resolution_budget, "sla_state": Case.Sla.OK,
            **_dues(case)}


def responded(case: Case, now: dt.datetime) -> dict[str, Any]:
    """The first response went out: that target is done; the nearer due is the resolution."""
    if case.first_response_at is not None:
        return {}
    changes: dict[str, Any] = {"first_response_at": now}
    if case.sla_policy_id and case.response_budget is not None:
        changes["response_budget"] = None
        changes["sla_due"] = case.resolution_due if case.sla_anchor_at else None
    return changes


def pause(case: Case, now: dt.datetime, *, state: str = Case.Sla.PAUSED) -> dict[str, Any]:
    """Stop the clock (waiting on the customer, or resolved): spend the business time since
    the anchor from the budgets."""
    if not case.sla_policy_id or case.sla_anchor_at is None:
        return {}
    used = clock_for(case.team_id, case.sla_anchor_at).between(case.sla_anchor_at, now)
    changes: dict[str, Any] = {"sla_anchor_at": None, "sla_due": None}
    if case.response_budget is not None:
        changes["response_budget"] = case.response_budget - used
    if case.resolution_budget is not None:
        changes["resolution_budget"] = case.resolution_budget - used
    if state == Case.Sla.MET:
        breached = case.sla_state == Case.Sla.BREACHED or (
            case.resolution_due is not None and now > case.resolution_due)
        state = Case.Sla.BREACHED if breached else Case.Sla.MET
    elif case.sla_state == Case.Sla.BREACHED:
        state = Case.Sla.BREACHED
    changes["sla_state"] = state
    return changes


def resume(case: Case, now: dt.datetime) -> dict[str, Any]:
    """Start the clock again from ``now`` with what is left of the budgets."""
    if not case.sla_policy_id or case.sla_anchor_at is not None:
        return {}
    case.sla_anchor_at = now
    changes = {"sla_anchor_at": now, **_dues(case)}
    if case.sla_state != Case.Sla.BREACHED:
        overdue = changes["sla_due"] is not None and changes["sla_due"] <= now
        changes["sla_state"] = Case.Sla.BREACHED if overdue else Case.Sla.OK
    return changes


def retarget(case: Case, now: dt.datetime) -> dict[str, Any]:
    """The case's priority, kind or customer changed: apply the policy that fits now, keeping
    the business time already spent."""
    if case.sla_anchor_at is not None and case.sla_policy_id:
        spent = clock_for(case.team_id, case.sla_anchor_at).between(case.sla_anchor_at, now)
    else:
        spent = 0
    old = case.sla_policy
    policy = policy_for(case)
    if policy is None or policy == old:
        return {}
    # What was spent of the old targets counts against the new ones.
    used_response = ((old.first_response_minutes * 60 - (case.response_budget or 0)) + spent
                     if old and case.response_budget is not None else spent)
    used_resolution = ((old.resolution_minutes * 60 - (case.resolution_budget or 0)) + spent
                       if old and case.resolution_budget is not None else spent)
    case.sla_policy = policy
    running = case.is_open and case.status != Case.Status.WAITING
    case.sla_anchor_at = now if running else None
    case.response_budget = (None if case.first_response_at
                            else policy.first_response_minutes * 60 - used_response)
    case.resolution_budget = policy.resolution_minutes * 60 - used_resolution
    changes = {"sla_policy": policy, "sla_anchor_at": case.sla_anchor_at,
               "response_budget": case.response_budget,
               "resolution_budget": case.resolution_budget, **_dues(case)}
    if case.sla_state in (Case.Sla.NONE, Case.Sla.NEAR):
        changes["sla_state"] = Case.Sla.OK if running else Case.Sla.PAUSED
    return changes


# --- Set-wise: recomputing after a calendar change, finding near and breached cases -----------

def recompute_due(*, chunk: int = 20000) -> int:
    """Recompute the stored due times of every open case whose clock runs, after business
    hours or the holiday calendar changed. One read, binary searches in memory per team on
    epoch seconds, and one bulk write per chunk; returns how many cases were recomputed."""
    rows = list(Case.objects.filter(status__in=Case.OPEN, sla_anchor_at__isnull=False)
                .values_list("pk", "team_id", "sla_anchor_at", "response_budget",
                             "resolution_budget").order_by())
    if not rows:
        return 0
    by_team: dict[int | None, list[tuple]] = defaultdict(list)
    for row in rows:
        by_team[row[1]].append(row)
    calendars = load_calendars(by_team)
    zone = local_zone()
    # (id, response due or None to keep the stored one, resolution due, nearer due), in
    # epoch seconds.
    out: list[tuple[int, int | None, int | None, int | None]] = []
    for team_id, team_rows in by_team.items():
        earliest = min(r[2] for r in team_rows)
        clock = Clock(calendars[team_id],
                      timezone.localtime(earliest, zone).date() - dt.timedelta(days=1))
        for pk, _team, anchor, response_budget, resolution_budget in team_rows:
            ts = int(anchor.timestamp())
            response = (clock.add_ts(ts, response_budget) if response_budget is not None
                        else None)
            resolution = (clock.add_ts(ts, resolution_budget)
                          if resolution_budget is not None else None)
            pending = [d for d in (response, resolution) if d is not None]
            out.append((pk, response, resolution, min(pending) if pending else None))
    # By id, so each chunk's join walks only its own stretch of the primary key.
    out.sort()
    with transaction.atomic():
        for i in range(0, len(out), chunk):
            _write_dues(out[i:i + chunk])
        warn = dt.timedelta(minutes=ServiceSettings.current().warn_minutes)
        # A case no longer due soon is back on track (a breach stays recorded).
        Case.objects.filter(status__in=Case.OPEN, sla_state=Case.Sla.NEAR,
                            sla_due__gt=timezone.now() + warn).update(sla_state=Case.Sla.OK)
    return len(out)


def _write_dues(rows: list[tuple[int, int | None, int | None, int | None]]) -> None:
    """Store epoch-second due times; a response due of None keeps the stored one (the first
    response went out)."""
    table = Case._meta.db_table  # our own table's name: no user input in the SQL
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS c SET "  # noqa: S608
                f"response_due = COALESCE(to_timestamp(v.r), c.response_due), "
                f"resolution_due = to_timestamp(v.s), sla_due = to_timestamp(v.d) "
                f"FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[]) "
                f"AS v(id, r, s, d) WHERE c.id = v.id AND c.id BETWEEN %s AND %s",
                [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                 [r[3] for r in rows], rows[0][0], rows[-1][0]])
        else:
            # The driver's own executemany: Django's wrapper rewrites every row's parameters.
            cursor.connection.executemany(
                f"UPDATE {table} SET response_due = COALESCE(?, response_due), "  # noqa: S608
                f"resolution_due = ?, sla_due = ? WHERE id = ?",
                [(_sqlite(r[1]), _sqlite(r[2]), _sqlite(r[3]), r[0]) for r in rows])


_EPOCH = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - SQLite stores naive UTC


def _sqlite(ts: int | None) -> str | None:
    """Epoch seconds as Django stores an aware datetime in SQLite (naive UTC text)."""
    return None if ts is None else (_EPOCH + dt.timedelta(seconds=ts)).isoformat(" ")


def near_and_breached(now: dt.datetime) -> tuple[list[int], list[int]]:
    """Ids of open cases whose running clock is due within the warning window (not yet
    warned) and of those past due (not yet recorded as breached): two indexed queries."""
    warn = dt.timedelta(minutes=ServiceSettings.current().warn_minutes)
    running = Case.objects.filter(status__in=Case.OPEN, sla_anchor_at__isnull=False)
    breached = list(running.filter(sla_state__in=[Case.Sla.OK, Case.Sla.NEAR],
                                   sla_due__lte=now).values_list("pk", flat=True))
    near = list(running.filter(sla_state=Case.Sla.OK, sla_due__gt=now,
                               sla_due__lte=now + warn).values_list("pk", flat=True))
    return near, breached
