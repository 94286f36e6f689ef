"""Reads of customer care for its pages: the rules with what they sent, a rule's history, and
the preview of its next greetings — who, at which address, whether consent lets it go, and
when the hourly run (at minute 7, outside quiet hours) sends it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractDay, ExtractMonth
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.core import send_gates
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import GreetingRule, GreetingSent, Holiday
from guanxi.marketing.services import greetings as svc

RUN_MINUTE = 7  # ``marketing.tasks.send_greetings`` runs at minute 7 of every hour
#: How far ahead the preview looks for a birthday or an anniversary.
HORIZON_DAYS = 31


def visible_rules(user: User) -> QuerySet[GreetingRule]:
    if not perms.can_view_care(user):
        return GreetingRule.objects.none()
    return GreetingRule.objects.annotate(
        n_sent=Count("sent", filter=Q(sent__status=GreetingSent.Status.SENT)))


def history(rule: GreetingRule, status: str = "", limit: int = 200) -> list[GreetingSent]:
    rows = GreetingSent.objects.filter(rule=rule).select_related("account", "contact")
    if status in GreetingSent.Status.values:
        rows = rows.filter(status=status)
    return list(rows.order_by("-at", "-id")[:limit])


def history_counts(rule: GreetingRule) -> dict[str, int]:
    counts = dict(GreetingSent.objects.filter(rule=rule).values_list("status")
                  .annotate(n=Count("id")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in GreetingSent.Status.values}


def next_run(day: dt.date, now: dt.datetime) -> dt.datetime:
    """When the hourly run first sends on ``day``: minute 7 of an hour outside quiet hours,
    not before ``now``."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(0, RUN_MINUTE)))
    at = start
    if at < now:
        at = timezone.localtime(now).replace(minute=RUN_MINUTE, second=0, microsecond=0)
        if at < now:
            at += dt.timedelta(hours=1)
    for _hour in range(48):
        if not svc.is_quiet(at):
            return at
        at += dt.timedelta(hours=1)
    return at


def _candidate_days(rule: GreetingRule, today: dt.date) -> list[dt.date]:
    """The days on which the rule may greet someone, soonest first."""
    ahead = dt.timedelta(days=rule.days_before)
    if rule.occasion == GreetingRule.Occasion.HOLIDAY:
        dates = Holiday.objects.filter(key=rule.holiday_key, date__gte=today + ahead) \
            .order_by("date").values_list("date", flat=True)[:3]
        return [d - ahead for d in dates]
    if rule.occasion == GreetingRule.Occasion.NOTICE:
        return [rule.send_on - ahead] if rule.send_on and rule.send_on - ahead >= today else []
    days = [today + dt.timedelta(days=n) for n in range(HORIZON_DAYS)]
    return _days_with_people(rule, days)


def _days_with_people(rule: GreetingRule, days: list[dt.date]) -> list[dt.date]:
    """Of ``days``, those on which someone has a birthday or customer anniversary ahead by
    the rule's days: one query for the whole horizon instead of one per day."""
    from guanxi.customers.models import Account, Contact

    ahead = dt.timedelta(days=rule.days_before)
    if rule.occasion == GreetingRule.Occasion.BIRTHDAY:
        field = "birthday"
        rows: Any = Contact.objects.filter(is_active=True, account__is_active=True)
    else:
        field = "created_at"
        rows = Account.objects.filter(is_active=True)
    wanted = Q()
    for day in days:
        wanted |= svc._same_day(field, day + ahead)
    found = set(rows.filter(wanted).annotate(_m=ExtractMonth(field), _d=ExtractDay(field))
                .values_list("_m", "_d").distinct())
    out = []
    for day in days:
        target = day + ahead
        leap = target.year % 4 == 0 and (target.year % 100 != 0 or target.year % 400 == 0)
        if (target.month, target.day) in found or (
                (target.month, target.day) == (2, 28) and not leap and (2, 29) in found):
            out.append(day)
    return out


def preview(rule: GreetingRule, now: dt.datetime | None = None,
            limit: int = 20) -> dict[str, Any]:
    """The next day the rule greets anyone not greeted yet for that occasion: the day, when
    it goes out, and up to ``limit`` people with their address and whether consent lets the
    greeting go (and why not)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    for day in _candidate_days(rule, today):
        people: list[dict[str, Any]] = []
        more = False
        for occasion, account, contact in svc.due(rule, day):
            person_key = f"c{contact.pk}" if contact is not None else f"a{account.pk}"
            if GreetingSent.objects.filter(rule=rule, person_key=person_key,
                                           occasion=occasion).exists():
                continue
            if len(people) == limit:
                more = True
                break
            address = svc._address(rule, account, contact)
            decision = send_gates.check(address, rule.channel, rule.purpose) if address \
                else send_gates.Decision(False, "")
            people.append({"account": account, "contact": contact, "address": address,
                           "occasion": occasion, "allowed": decision.allowed,
                           "reason": decision.reason})
        if people:
            return {"day": day, "at": next_run(day, now), "people": people, "more": more,
                    "quiet": svc.quiet_hours()}
    return {"day": None, "at": None, "people": [], "more": False, "quiet": svc.quiet_hours()}


def today_counts(now: dt.datetime | None = None) -> dict[str, int]:
    """Greetings of today (local time) by outcome, for the marketing home."""
    now = now or timezone.now()
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time()))
    counts = dict(GreetingSent.objects.filter(at__gte=start, at__lt=start + dt.timedelta(days=1))
                  .values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in GreetingSent.Status.values}


def holidays_by_year() -> list[tuple[int, list[Holiday]]]:
    years: dict[int, list[Holiday]] = {}
    for holiday in Holiday.objects.order_by("date", "key"):
        years.setdefault(holiday.date.year, []).append(holiday)
    return sorted(years.items())
