"""Service analytics over the cases a user sees: volume, backlog, SLA attainment,
first-contact resolution, handling time, CSAT and NPS (per month, product, team and agent),
top complaint causes and warranty cost per product. Each series carries the link to the cases
(or assets) behind it, so every chart element opens them.

Also what service gives the analytics app through its plug-in points: satisfaction by month
(KPIs over time, the executive dashboard) and the service cost per customer (profitability)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.service.models import Case, ServiceRecord, Survey
from guanxi.service.selectors.cases import visible_cases

MONTHS = 12
OPEN = ("new", "assigned", "in_progress", "waiting")


def _month_starts(today: dt.date, months: int = MONTHS) -> list[dt.date]:
    out, year, month = [], today.year, today.month
    for _ in range(months):
        out.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _cases_url(**params: Any) -> str:
    return reverse("service:cases") + "?" + urlencode({k: v for k, v in params.items()
                                                       if v not in (None, "")})


def _key(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _nps(scores: list[int]) -> float | None:
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return round((promoters - detractors) * 100 / len(scores), 1)


def overview(user: User, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    months = _month_starts(today)
    start = months[0]
    since = timezone.make_aware(dt.datetime.combine(start, dt.time()))
    cases = visible_cases(user)
    recent = cases.filter(created_at__gte=since)
    labels = [m.strftime("%Y-%m") for m in months]
    links = [_cases_url(created_from=m.isoformat(),
                        created_to=(_next_month(m) - dt.timedelta(days=1)).isoformat())
             for m in months]

    volume = {_key(r["m"]): r["n"] for r in recent.annotate(m=TruncMonth("created_at"))
              .values("m").annotate(n=Count("id"))}
    resolved = recent.filter(resolved_at__isnull=False)
    per_month: dict[dt.date, dict[str, Any]] = defaultdict(lambda: {
        "resolved": 0, "met": 0, "fcr": 0, "hours": 0.0})
    rows = resolved.annotate(m=TruncMonth("created_at"), replies=Count(
        "messages", filter=Q(messages__kind="reply"))).values_list(
        "m", "sla_state", "replies", "created_at", "resolved_at")
    for month, sla_state, replies, created, done in rows.iterator(chunk_size=2000):
        row = per_month[_key(month)]  # type: ignore[index]
        row["resolved"] += 1
        row["met"] += sla_state == Case.Sla.MET
        row["fcr"] += replies <= 1
        if done is not None:
            row["hours"] += (done - created).total_seconds() / 3600
    sla = [_ratio(per_month[m]["met"], per_month[m]["resolved"]) for m in months]
    fcr = [_ratio(per_month[m]["fcr"], per_month[m]["resolved"]) for m in months]
    hours = [round(per_month[m]["hours"] / per_month[m]["resolved"], 1)
             if per_month[m]["resolved"] else None for m in months]

    surveys = Survey.objects.filter(case__in=cases.values("pk"), answered_at__isnull=False,
                                    answered_at__gte=since)
    by_month: dict[Any, list[tuple[int, int]]] = defaultdict(list)
    for month, c, n in surveys.annotate(m=TruncMonth("answered_at")).values_list(
            "m", "csat", "nps").iterator(chunk_size=2000):
        by_month[_key(month)].append((c or 0, n or 0))
    csat_trend = [round(sum(c for c, _n in by_month[m]) / len(by_month[m]), 2) if by_month[m]
            else None for m in months]
    nps_trend = [_nps([n for _c, n in by_month[m]]) for m in months]

    def grouped(field: str, name_field: str, link: str | None) -> list[dict[str, Any]]:
        out = []
        for r in surveys.values(field, name_field).annotate(
                csat=Avg("csat"), n=Count("id")).order_by("-n")[:12]:
            scores = [n for n in surveys.filter(**{field: r[field]}).values_list(
                "nps", flat=True) if n is not None]
            out.append({"name": r[name_field] or "—", "csat": round(r["csat"] or 0, 2),
                        "nps": _nps(scores), "n": r["n"],
                        "url": _cases_url(**{link: r[field]}) if link and r[field] else ""})
        return out

    causes = [{"name": str(Case.RootCause(r["root_cause"]).label), "value": r["n"],
               "url": _cases_url(kind="complaint", q="")}
              for r in cases.filter(kind=Case.Kind.COMPLAINT).exclude(root_cause="")
              .values("root_cause").annotate(n=Count("id")).order_by("-n")[:10]
              if r["root_cause"] in Case.RootCause.values]
    warranty = [{"name": r["asset__product__name_zh"] or r["asset__product__code"],
                 "value": float(r["cost"] or Decimal(0)), "visits": r["n"],
                 "url": reverse("service:assets") + f"?product={r['asset__product_id']}"}
                for r in ServiceRecord.objects.visible_to(user)
                .filter(warranty_decision__in=("approved", "partly"))
                .values("asset__product_id", "asset__product__code", "asset__product__name_zh")
                .annotate(cost=Sum("covered_amount"), n=Count("id")).order_by("-cost")[:12]]
    backlog = [{"name": r["team__name"] or "—", "value": r["n"],
                "url": _cases_url(open=1, team=r["team_id"] or "none")}
               for r in cases.filter(status__in=OPEN).values("team_id", "team__name")
               .annotate(n=Count("id")).order_by("-n")[:12]]
    return {
        "months": labels, "links": links,
        "volume": [{"value": volume.get(m, 0), "url": links[i]} for i, m in enumerate(months)],
        "sla": sla, "fcr": fcr, "hours": hours, "csat": csat_trend, "nps": nps_trend,
        "backlog": backlog, "causes": causes, "warranty": warranty,
        "by_product": grouped("product_id", "product__name_zh", None),
        "by_team": grouped("team_id", "team__name", "team"),
        "by_agent": grouped("agent_id", "agent__display_name", "assignee"),
        "totals": {"open": cases.filter(status__in=OPEN).count(),
                   "breached": cases.filter(status__in=OPEN, sla_state=Case.Sla.BREACHED)
                   .count(),
                   "answered": surveys.count()},
    }


# --- For analytics' plug-in points -------------------------------------------------------------

def satisfaction_by_month(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Average CSAT, NPS and the number of answers per month of answering."""
    out = []
    rows: dict[Any, list[tuple[int, int]]] = defaultdict(list)
    qs = Survey.objects.filter(answered_at__isnull=False, answered_at__date__gte=start,
                               answered_at__date__lte=end)
    for month, csat, nps in qs.annotate(m=TruncMonth("answered_at")).values_list(
            "m", "csat", "nps").iterator(chunk_size=5000):
        rows[_key(month)].append((csat or 0, nps or 0))
    for month in sorted(rows):
        answers = rows[month]
        out.append({"month": month, "csat": round(sum(c for c, _ in answers) / len(answers), 2),
                    "nps": _nps([n for _, n in answers]), "answers": len(answers)})
    return out


def satisfied_share(since: dt.date | None, until: dt.date) -> float | None:
    """The share of survey answers in the period (after ``since``, up to ``until``) that rated
    the service 4 or 5: the CRM KPI over time. None when nobody answered."""
    qs = Survey.objects.filter(answered_at__isnull=False, csat__isnull=False,
                               answered_at__date__lte=until)
    if since is not None:
        qs = qs.filter(answered_at__date__gt=since)
    counts = qs.aggregate(n=Count("id"), satisfied=Count("id", filter=Q(csat__gte=4)))
    return counts["satisfied"] / counts["n"] if counts["n"] else None


def service_cost_by_account(account_ids: list[int] | None, start: dt.date,
                            end: dt.date) -> dict[int, Decimal]:
    """What service cost us per customer in a period: warranty parts and labour (the amounts
    the warranty covered)."""
    qs = ServiceRecord.objects.filter(performed_on__gte=start, performed_on__lte=end,
                                      covered_amount__gt=0)
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    return {r["account_id"]: r["cost"] for r in qs.values("account_id").annotate(
        cost=Sum("covered_amount"))}
