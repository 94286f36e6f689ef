"""API: customer analytics — every customer's current metrics (filterable like the customer
list), the executive dashboard figures, and the analysis runs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from guanxi.accounts.models import User
from guanxi.analytics import labels, schemas
from guanxi.analytics.dashboard import dashboard
from guanxi.analytics.models import CustomerMetrics
from guanxi.analytics.selectors import (
    get_metrics,
    get_run,
    parse_filters,
    visible_metrics,
    visible_runs,
)
from guanxi.analytics.services import runs
from guanxi.core.schemas import Id
from guanxi.core.selectors import keyset_page

router = Router(tags=["analytics"])


def _actor(request: HttpRequest) -> User:
    return request.auth


def metrics_out(m: CustomerMetrics) -> dict[str, Any]:
    """A metrics row with the readable names a client shows."""
    data = {name: getattr(m, name) for name in schemas.MetricsOut.model_fields
            if hasattr(m, name) and name not in ("account",)}
    return data | {
        "account": {"id": m.account_id, "name": m.account.name}, "run_id": m.run_id,
        "as_of": m.run.until,
        "segment_label": labels.segment_label(m.segment),
        "value_type_label": labels.value_type_label(m.value_type),
        "lifecycle_label": labels.lifecycle_label(m.lifecycle),
        "lifecycle_strategy": labels.lifecycle_strategy(m.lifecycle),
        "cluster_label": labels.cluster_label(m.cluster_label),
    }


@router.get("/analytics/customers", response=schemas.MetricsPage)
def list_metrics(request: HttpRequest, filters: Query[schemas.MetricFilters]):
    """Current metrics of the customers you may see, with the customer list's metric filters.
    Pages are keyset cursors: follow `next` until it is null."""
    data = filters.model_dump()
    qs = visible_metrics(_actor(request)).filter(**parse_filters(data))
    page = keyset_page(qs.select_related("account", "run"), filters.sort, filters.cursor,
                       filters.limit)
    return {"items": [metrics_out(m) for m in page.items], "next": page.next}


@router.get("/analytics/customers/{customer_id}", response=schemas.MetricsOut)
def customer_metrics(request: HttpRequest, customer_id: Id):
    """One customer's current metrics (404 if not computed or not visible)."""
    return metrics_out(get_metrics(_actor(request), customer_id))


@router.get("/analytics/dashboard", response=schemas.DashboardOut)
def dashboard_figures(request: HttpRequest):
    """The executive dashboard's figures over the customers you may see."""
    data = dashboard(_actor(request))
    data["at_risk"] = [metrics_out(m) for m in data["at_risk"]]
    return data


@router.get("/analytics/runs", response=list[schemas.AnalysisRunOut])
def list_runs(request: HttpRequest, limit: int = Query(30, ge=1, le=200)):
    """Analysis runs, newest first, with their parameters, fitted models and KPIs."""
    return list(visible_runs(_actor(request))[:limit])


@router.get("/analytics/runs/{run_id}", response=schemas.AnalysisRunOut)
def get_analysis_run(request: HttpRequest, run_id: Id):
    return get_run(_actor(request), run_id)


@router.post("/analytics/runs", response={202: schemas.AnalysisRunOut})
def start_analysis(request: HttpRequest, payload: schemas.RunIn):
    """Queue an analysis (administrators and executives); poll the run for its progress.
    409 while another run is under way."""
    return Status(202, runs.start_run(_actor(request), payload.until))
