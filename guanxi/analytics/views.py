"""Analytics pages: the executive dashboard, the analysis runs, the customer metrics table,
the transaction import and the settings. Each view checks access, calls one selector or
service and renders."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.analytics import contributions, labels, selectors
from guanxi.analytics import permissions as perms
from guanxi.analytics.boss import booked_orders_url, business
from guanxi.analytics.dashboard import dashboard as dashboard_figures
from guanxi.analytics.engine.valuematrix import KINDS, TIMES, TYPE_GRID
from guanxi.analytics.forms import MetricFilterForm
from guanxi.analytics.models import AnalyticsSettings
from guanxi.analytics.services import imports, runs
from guanxi.analytics.services.settings import update_settings
from guanxi.core import uploads
from guanxi.core.errors import DomainError
from guanxi.core.forms import add_domain_error
from guanxi.core.selectors import keyset_page
from guanxi.core.views import refusals_as_http
from guanxi.sales.permissions import can_set_targets


def _customers(**params: Any) -> str:
    return reverse("customers:list") + "?" + urlencode(params)


def _month_orders(month: str) -> str:
    first = dt.date(int(month[:4]), int(month[5:7]), 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return booked_orders_url(first, last)


def _chart_data(d: dict[str, Any]) -> dict[str, Any]:
    """What the charts draw; every element carries the customer-list link behind it."""
    def rows(items: list[dict], param: str) -> list[dict]:
        return [{"name": r["label"], "value": r["customers"],
                 "clv": float(r["clv"] or 0), "url": _customers(**{param: r["key"]})}
                for r in items]

    by_type = {r["key"]: r for r in d["value_types"]}
    matrix = []
    for t in range(len(TIMES)):
        for k in range(len(KINDS)):
            key = TYPE_GRID[t][k]
            matrix.append({"value": [k, t, by_type.get(key, {}).get("customers", 0)],
                           "name": labels.value_type_label(key),
                           "url": _customers(value_type=key)})
    return {
        "months": d["months"],
        # A month's bar opens the orders booked in it.
        "revenue": [{"value": float(v), "url": _month_orders(m)}
                    for m, v in zip(d["months"], d["revenue_by_month"], strict=False)],
        "profit": [float(v) for v in d["profit_by_month"]],
        "segments": rows(d["segments"], "segment"),
        "lifecycle": rows(d["lifecycle"], "lifecycle"),
        "abc": rows(d["abc"], "abc"),
        "clusters": rows(d["clusters"], "cluster"),
        "matrix": matrix,
        "times": [str(TIME_LABELS[t]) for t in TIMES],
        "kinds": [str(KIND_LABELS[k]) for k in KINDS],
        "pareto": d["pareto"],
        "kpis": {
            "runs": [r["until"].isoformat() if r["until"] else str(r["run_id"])
                     for r in d["kpis"]],
            "equity": [float(r["equity"]) for r in d["kpis"]],
            "profit": [float(r["profit"]) for r in d["kpis"]],
            "retention": [r["retention_rate"] for r in d["kpis"]],
            "repeat": [r["repeat_rate"] for r in d["kpis"]],
            "top20": [r["top20_share"] for r in d["kpis"]],
            "extra": [{"name": str(k.label),
                       "data": [r.get("extra", {}).get(k.key) for r in d["kpis"]]}
                      for k in contributions.kpis()],
        },
        "labels": {
            "revenue": _("Revenue"), "profit": _("Profit"), "equity": _("Customer equity"),
            "retention": _("Retention rate"), "repeat": _("Repeat-purchase rate"),
            # xgettext:no-python-format
            "top20": _("Top 20% share"), "customers": _("Customers"),
            "cumulative": _("Cumulative revenue share"), "share": _("Share of customers"),
        },
    }


def _business_charts(b: dict[str, Any]) -> dict[str, Any]:
    """The business charts' data; each element carries the list it opens."""
    def money(v: Any) -> float:
        return float(v) if v is not None else 0.0

    bookings = b["bookings"]["rows"]
    return {
        "bookings": {
            "months": [r["month"] for r in bookings],
            "booked": [{"value": money(r["booked"]), "url": r["url"]} for r in bookings],
            "target": [{"value": money(r["target"]), "url": r["url"]}
                       if r["target"] is not None else None for r in bookings]},
        "stages": [{"name": s["name"], "value": money(s["amount"]),
                    "weighted": money(s["weighted"]), "n": s["n"], "url": s["url"]}
                   for s in b["pipeline"]["stages"]],
        "forecast": {"months": [r["month"] for r in b["pipeline"]["forecast"]],
                     "weighted": [{"value": money(r["weighted"]), "url": r["url"]}
                                  for r in b["pipeline"]["forecast"]]},
        "aging": [{"name": r["name"], "value": money(r["value"]), "url": r["url"]}
                  for r in b["receivables"]["buckets"]],
        "debtors": [{"name": r["name"], "value": money(r["overdue"]), "url": r["url"]}
                    for r in b["receivables"]["customers"]],
        "top": [{"name": r["name"], "value": money(r["revenue"]), "url": r["url"]}
                for r in b["top_customers"]],
        "labels": {"booked": _("Booked"), "target": _("Target"), "amount": _("Amount"),
                   "weighted": _("Weighted"), "overdue": _("Overdue"),
                   "outstanding": _("Outstanding"), "revenue": _("Revenue")},
    }


# The value matrix (SPEC C6): rows are the time of value, columns its kind.
TIME_LABELS = {"past": gettext_lazy("Past"), "present": gettext_lazy("Present"),
               "future": gettext_lazy("Future")}
KIND_LABELS = {"functional": gettext_lazy("Functional"), "economic": gettext_lazy("Economic"),
               "psychological": gettext_lazy("Psychological")}


@login_required
@refusals_as_http
def dashboard(request: HttpRequest) -> HttpResponse:
    data = dashboard_figures(request.user)
    biz = business(request.user, data["run"])
    return render(request, "analytics/dashboard.html", {
        "d": data, "charts": _chart_data(data), "biz": biz, "biz_charts": _business_charts(biz),
        "can_set_targets": can_set_targets(request.user),
        "can_run": perms.can_run_analysis(request.user),
        "at_risk_url": _customers(churn_min="0.5", sort="-clv"),
    })


@login_required
@refusals_as_http
def run_list(request: HttpRequest) -> HttpResponse:
    items = list(selectors.visible_runs(request.user)[:50])
    return render(request, "analytics/runs.html", {
        "runs": items, "can_run": perms.can_run_analysis(request.user),
        "active": any(r.active for r in items),
    })


@login_required
@refusals_as_http
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One run's row; while it runs, htmx polls this for the progress bar."""
    run = selectors.get_run(request.user, pk)
    return render(request, "analytics/_run.html", {"run": run})


@login_required
@refusals_as_http
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    try:
        runs.start_run(request.user)
        messages.success(request, _("Analysis started. This page shows its progress."))
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    return redirect("analytics:runs")


@login_required
@refusals_as_http
def customer_metrics(request: HttpRequest) -> HttpResponse:
    """Every visible customer's current metrics, most valuable first."""
    form = MetricFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.visible_metrics(request.user).filter(
        **selectors.parse_filters(data, strict=False)).select_related("account")
    page = keyset_page(qs, "-clv", request.GET.get("cursor") or None, 50)
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(request, "analytics/customers.html", {
        "form": form, "rows": page.items, "next": page.next, "query": params.urlencode(),
        "run": selectors.current_run(),
    })


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Transaction file (CSV)"))
    skip_errors = forms.BooleanField(
        label=gettext_lazy("Import the valid rows and skip the refused ones"), required=False)


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def transaction_import(request: HttpRequest) -> HttpResponse:
    if not perms.can_import_transactions(request.user):
        raise PermissionDenied(_("Only administrators and finance import transactions."))
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            uploads.check_size(form.cleaned_data["file"].size)
            report = imports.import_transactions(
                request.user, form.cleaned_data["file"].read(),
                skip_errors=form.cleaned_data["skip_errors"])
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "analytics/import.html", {"form": form, "report": report})


class SettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = AnalyticsSettings
        fields = ["model", "horizon_months", "discount_rate", "margin", "clusters",
                  "active_days", "keep_runs", "nightly", "segment_map"]
        widgets = {"segment_map": forms.Textarea(attrs={"rows": 8, "class": "font-monospace"})}


@login_required
@refusals_as_http
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    if not perms.can_change_settings(request.user):
        raise PermissionDenied(_("This page is for administrators."))
    current = AnalyticsSettings.current()
    form = SettingsForm(request.POST or None, instance=current,
                        initial={"version": current.version})
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            update_settings(request.user, form.cleaned_data["version"], changes)
            messages.success(request, _("Analytics settings saved; the next run uses them."))
            return redirect("analytics:settings")
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "analytics/settings.html", {"form": form})
