"""Reads for the executive dashboard (老板视图), within the caller's customer scope.

Someone who sees every customer gets the figures the run stored for the whole base (instant
at a million customers); anyone with a narrower scope gets them computed over their own
customers' metrics and transactions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.analytics import contributions, labels
from guanxi.analytics.models import AnalysisRun, CustomerMetrics, Transaction
from guanxi.analytics.selectors import current_run, require_analyst, visible_metrics
from guanxi.customers.selectors import account_scope

AT_RISK = 0.5  # churn risk from which a valuable customer is listed for win-back
AT_RISK_ROWS = 15
KPI_RUNS = 30

LABELS = {
    "segment": labels.segment_label, "lifecycle": labels.lifecycle_label,
    "value_type": labels.value_type_label, "abc": lambda k: k,
}
ORDER = {
    "lifecycle": ["exploration", "development", "stable", "decline"],
    "abc": ["A", "B", "C"],
}


def _count_rows(name: str, rows: list[list[Any]], cluster_labels: dict[str, str]) -> list[dict]:
    def label(key: str) -> str:
        if name == "cluster":
            return labels.cluster_label(cluster_labels.get(key, "")) or key
        return LABELS[name](key)

    out = [{"key": str(k), "label": label(str(k)), "customers": int(n),
            "clv": Decimal(str(v)).quantize(Decimal("0.01")) if v is not None else None}
           for k, n, v in rows]
    order = ORDER.get(name)
    if order:
        out.sort(key=lambda r: order.index(r["key"]) if r["key"] in order else len(order))
    else:
        out.sort(key=lambda r: -r["customers"])
    return out


def _empty() -> dict[str, Any]:
    return {"run": None, "customers": 0, "equity": Decimal("0"), "revenue": Decimal("0"),
            "profit": Decimal("0"), "top20_share": None, "repeat_rate": None,
            "retention_rate": None, "segments": [], "lifecycle": [], "value_types": [],
            "abc": [], "clusters": [], "pareto": [], "months": [], "revenue_by_month": [],
            "profit_by_month": [], "at_risk": [], "kpis": [], "satisfaction": None}


def dashboard(user: User) -> dict[str, Any]:
    require_analyst(user)
    run = current_run()
    if run is None:
        return _empty()
    scoped = account_scope(user) is not None
    metrics = visible_metrics(user, run)
    figures = run.summary or {}
    cluster_labels = figures.get("cluster_labels", {})
    if scoped:
        base = _scoped_figures(user, run, metrics)
    else:
        base = {key: figures.get(key) for key in (
            "customers", "top20_share", "repeat_rate", "retention_rate", "pareto", "months",
            "revenue_by_month", "profit_by_month", "counts")}
        base |= {"equity": run.equity, "revenue": run.revenue, "profit": run.profit}
    counts = base.pop("counts") or {}
    out = base | {
        "run": run,
        "segments": _count_rows("segment", counts.get("segment", []), cluster_labels),
        "lifecycle": _count_rows("lifecycle", counts.get("lifecycle", []), cluster_labels),
        "value_types": _count_rows("value_type", counts.get("value_type", []), cluster_labels),
        "abc": _count_rows("abc", counts.get("abc", []), cluster_labels),
        "clusters": _count_rows("cluster", counts.get("cluster", []), cluster_labels),
        "at_risk": list(metrics.filter(churn_risk__gte=AT_RISK).select_related("account", "run")
                        .order_by("-clv", "account_id")[:AT_RISK_ROWS]),
        "kpis": _kpis(user, scoped),
        "satisfaction": _satisfaction(),
    }
    out["revenue_by_month"] = [Decimal(str(v)).quantize(Decimal("0.01"))
                               for v in out["revenue_by_month"] or []]
    out["profit_by_month"] = [Decimal(str(v)).quantize(Decimal("0.01"))
                              for v in out["profit_by_month"] or []]
    out["pareto"] = out["pareto"] or []
    out["months"] = out["months"] or []
    return out


def _satisfaction() -> dict[str, Any] | None:
    """CSAT and NPS over the last 12 months from the app that measures them (if any)."""
    from guanxi.analytics import contributions

    today = timezone.localdate()
    return contributions.satisfaction(today.replace(day=1) - dt.timedelta(days=335), today)


def _scoped_figures(user: User, run: AnalysisRun, metrics) -> dict[str, Any]:
    totals = metrics.aggregate(n=Count("id"), equity=Sum("clv"), revenue=Sum("revenue"),
                               profit=Sum("profit"), repeat=Count("id", filter=Q(frequency__gt=0)))
    n = totals["n"] or 0
    counts = {}
    for name, column in (("segment", "segment"), ("lifecycle", "lifecycle"),
                         ("value_type", "value_type"), ("abc", "abc_revenue"),
                         ("cluster", "cluster")):
        counts[name] = [[row[column], row["n"], row["clv"]] for row in
                        metrics.values(column).annotate(n=Count("id"), clv=Sum("clv"))
                        .order_by()]
    revenues = sorted((float(v) for v in metrics.values_list("revenue", flat=True)),
                      reverse=True)
    total = sum(r for r in revenues if r > 0)
    pareto, top20 = [], None
    if revenues and total > 0:
        running, cumulative = 0.0, []
        for r in revenues:
            running += max(r, 0.0)
            cumulative.append(running / total)
        step = max(1, len(revenues) // 50)
        pareto = [[(i + 1) / len(revenues), cumulative[i]]
                  for i in range(0, len(revenues), step)]
        top = max(1, int(round(len(revenues) * 0.2)))
        top20 = cumulative[top - 1]
    months, by_month, profit_by_month = _months(user, run.until)
    return {"customers": n, "equity": totals["equity"] or Decimal("0"),
            "revenue": totals["revenue"] or Decimal("0"),
            "profit": totals["profit"] or Decimal("0"),
            "repeat_rate": (totals["repeat"] / n) if n else None,
            "retention_rate": _retention(user, run), "top20_share": top20,
            "pareto": pareto, "months": months, "revenue_by_month": by_month,
            "profit_by_month": profit_by_month, "counts": counts}


def _visible_transactions(user: User):
    qs = Transaction.objects.filter(account__is_active=True)
    scope = account_scope(user, "account__")
    return qs if scope is None else qs.filter(scope)


def _months(user: User, until: dt.date | None) -> tuple[list[str], list, list]:
    until = until or timezone.localdate()
    first = (until.replace(day=1) - dt.timedelta(days=700)).replace(day=1)
    rows = (_visible_transactions(user).filter(date__gte=first, date__lte=until)
            .annotate(month=TruncMonth("date")).values("month")
            .annotate(revenue=Sum("amount"), cost=Sum("cost")).order_by("month"))
    found = {r["month"].strftime("%Y-%m"): r for r in rows}
    months, revenue, profit = [], [], []
    day = first
    while day <= until:
        key = day.strftime("%Y-%m")
        row = found.get(key, {})
        months.append(key)
        revenue.append(row.get("revenue") or Decimal("0"))
        # Known costs only: months whose costs were not recorded show their revenue.
        profit.append((row.get("revenue") or Decimal("0")) - (row.get("cost") or Decimal("0")))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months, revenue, profit


def _retention(user: User, run: AnalysisRun) -> float | None:
    """Share of the customers who bought in the window before the last one and again in it."""
    if run.until is None:
        return None
    window = dt.timedelta(days=int(run.parameters.get("active_days", 365)))
    txns = _visible_transactions(user)
    earlier = set(txns.filter(date__gt=run.until - 2 * window, date__lte=run.until - window)
                  .values_list("account_id", flat=True).distinct())
    if not earlier:
        return None
    again = txns.filter(date__gt=run.until - window, date__lte=run.until,
                        account_id__in=earlier).values("account_id").distinct().count()
    return again / len(earlier)


def _kpis(user: User, scoped: bool) -> list[dict[str, Any]]:
    """The CRM evaluation KPIs of the last runs, oldest first."""
    runs = list(AnalysisRun.objects.filter(status=AnalysisRun.Status.DONE)
                .order_by("-id")[:KPI_RUNS])[::-1]
    out = _own_kpis(user, scoped, runs)
    # KPIs other apps contribute (campaign ROI …), for the period since the run before.
    for n, row in enumerate(out):
        since = runs[n - 1].until if n else None
        row["extra"] = {k.key: k.value(since, row["until"]) if row["until"] else None
                        for k in contributions.kpis()}
    return out


def _own_kpis(user: User, scoped: bool, runs: list[AnalysisRun]) -> list[dict[str, Any]]:
    if not scoped:
        return [{"run_id": r.pk, "until": r.until, "equity": r.equity, "revenue": r.revenue,
                 "profit": r.profit, "retention_rate": r.retention_rate,
                 "repeat_rate": r.repeat_rate, "top20_share": r.top20_share} for r in runs]
    scope = account_scope(user, "account__")
    rows = {row["run_id"]: row for row in CustomerMetrics.objects.filter(
        scope, run_id__in=[r.pk for r in runs], account__is_active=True).values("run_id")
        .annotate(n=Count("id"), equity=Sum("clv"), revenue=Sum("revenue"),
                  profit=Sum("profit"), repeat=Count("id", filter=Q(frequency__gt=0)))
        .order_by()}
    out = []
    for r in runs:
        row = rows.get(r.pk, {})
        n = row.get("n") or 0
        out.append({"run_id": r.pk, "until": r.until,
                    "equity": row.get("equity") or Decimal("0"),
                    "revenue": row.get("revenue") or Decimal("0"),
                    "profit": row.get("profit") or Decimal("0"), "retention_rate": None,
                    "repeat_rate": (row["repeat"] / n) if n else None, "top20_share": None})
    return out
