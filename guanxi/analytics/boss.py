"""The business half of the executive dashboard (老板视图): bookings against the monthly
targets, the pipeline and its forecast, overdue receivables, late deliveries and the top
customers, each read through the app that owns it, within the reader's scope. Every figure
carries the link to the list behind it, so each chart element opens its records."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, DecimalField, F, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from guanxi.accounts.models import User
from guanxi.analytics.models import AnalysisRun
from guanxi.analytics.selectors import visible_metrics
from guanxi.orders.selectors.orders import bookings_by_month, filter_orders
from guanxi.orders.selectors.receivables import BUCKETS, aging
from guanxi.sales.selectors.opportunities import visible_opportunities
from guanxi.sales.selectors.targets import targets_between

MONTHS = 12
FORECAST_MONTHS = 6
TOP_CUSTOMERS = 10
LATE_ROWS = 8
MONEY: DecimalField = DecimalField(max_digits=20, decimal_places=2)
ZERO = Decimal("0")


def _url(name: str, **params: Any) -> str:
    return reverse(name) + ("?" + urlencode(params) if params else "")


def _month_starts(first: dt.date, count: int) -> list[dt.date]:
    out, day = [], first
    for _n in range(count):
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def booked_orders_url(first: dt.date, last: dt.date) -> str:
    return _url("orders:orders", booked="true", ordered_from=first.isoformat(),
                ordered_to=last.isoformat())


def bookings(user: User, today: dt.date) -> dict[str, Any]:
    """The last twelve months and this one: booked net amount and the target of each."""
    first = (today.replace(day=1) - dt.timedelta(days=MONTHS * 31)).replace(day=1)
    starts = [d for d in _month_starts(first, MONTHS + 2) if d <= today][-(MONTHS + 1):]
    booked = bookings_by_month(user, starts[0], today)
    targets = targets_between(starts[0], today)
    rows = []
    for start in starts:
        key = start.strftime("%Y-%m")
        rows.append({"month": key, "booked": booked.get(key, ZERO),
                     "target": targets.get(key),
                     "url": booked_orders_url(start, _month_end(start))})
    this = rows[-1]
    year = [r for r in rows if r["month"].startswith(str(today.year))]
    year_target = sum((r["target"] for r in year if r["target"] is not None), ZERO)
    return {"rows": rows, "this_month": this,
            "year_booked": sum((r["booked"] for r in year), ZERO),
            "year_target": year_target if any(r["target"] is not None for r in year) else None}


def pipeline(user: User, today: dt.date) -> dict[str, Any]:
    """Open opportunities by stage (amount and weighted), and the weighted forecast by the
    month they are expected to close."""
    open_opps = visible_opportunities(user).filter(closed_at__isnull=True).order_by()
    # Annotation names unlike the model's fields: F("amount") must still mean the column.
    weighted = Sum(F("amount") * F("probability") / 100, output_field=MONEY)
    by_stage = list(open_opps.values("stage_id", "stage__position", "stage__name_en",
                                     "stage__name_zh")
                    .annotate(n=Count("id"), total=Sum("amount"), w=weighted)
                    .order_by("stage__position", "stage_id"))
    zh = (get_language() or "").startswith("zh")
    stages = [{"name": (r["stage__name_zh"] if zh and r["stage__name_zh"] else
                        r["stage__name_en"]), "n": r["n"],
               "amount": r["total"] or ZERO, "weighted": r["w"] or ZERO,
               "url": _url("sales:opportunities", stage=r["stage_id"])} for r in by_stage]
    first = today.replace(day=1)
    starts = _month_starts(first, FORECAST_MONTHS)
    by_month = {r["month"].strftime("%Y-%m"): r for r in open_opps.filter(
        expected_close__gte=first, expected_close__lte=_month_end(starts[-1]))
        .annotate(month=TruncMonth("expected_close")).values("month")
        .annotate(w=weighted, total=Sum("amount"))}
    forecast = []
    for n, start in enumerate(starts):
        key = start.strftime("%Y-%m")
        row = by_month.get(key, {})
        forecast.append({"month": key, "weighted": row.get("w") or ZERO,
                         "amount": row.get("total") or ZERO,
                         "url": _url("sales:opportunities", closing="month") if n == 0 else
                         _url("sales:opportunities", closing="quarter") if n < 3 else
                         _url("sales:opportunities")})
    return {"stages": stages, "forecast": forecast,
            "open_amount": sum((s["amount"] for s in stages), ZERO),
            "weighted": sum((s["weighted"] for s in stages), ZERO),
            "open_n": sum(s["n"] for s in stages)}


def receivables(user: User, today: dt.date) -> dict[str, Any]:
    report = aging(user, as_of=today, top=TOP_CUSTOMERS)
    labels = dict(zip(BUCKETS, report.labels, strict=True))
    return {
        "total": report.totals.total, "overdue": report.totals.overdue,
        "count": report.totals.count,
        "buckets": [{"key": key, "name": labels[key], "value": report.totals.buckets[key],
                     "url": _url("orders:invoices", status="open")} for key in BUCKETS],
        "customers": [{"name": r.name, "overdue": r.overdue, "total": r.total,
                       "url": _url("orders:invoices", account=r.account_id, status="open")}
                      for r in report.customers if r.overdue > 0],
        "url": _url("orders:invoices", overdue="true"),
    }


def late_deliveries(user: User, today: dt.date) -> dict[str, Any]:
    late = filter_orders(user, {"alert": "late"}, today=today).select_related("account")
    rows = list(late.order_by("promised_date", "id")[:LATE_ROWS])
    return {"count": late.count(), "rows": rows, "url": _url("orders:orders", alert="late")}


def top_customers(user: User, run: AnalysisRun | None) -> list[dict[str, Any]]:
    if run is None:
        return []
    rows = visible_metrics(user, run).select_related("account").order_by(
        "-revenue", "account_id")[:TOP_CUSTOMERS]
    return [{"name": m.account.name, "revenue": m.revenue, "clv": m.clv,
             "url": reverse("customers:detail", args=[m.account_id])} for m in rows]


def business(user: User, run: AnalysisRun | None, today: dt.date | None = None
             ) -> dict[str, Any]:
    today = today or timezone.localdate()
    return {"bookings": bookings(user, today), "pipeline": pipeline(user, today),
            "receivables": receivables(user, today), "late": late_deliveries(user, today),
            "top_customers": top_customers(user, run), "today": today}
