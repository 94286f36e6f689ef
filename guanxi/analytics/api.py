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
    recommendations_for,
    visible_metrics,
    visible_rules,
    visible_runs,
)
from guanxi.analytics.services import runs
from guanxi.core.schemas import Id
from guanxi.core.selectors import keyset_page
from guanxi.customers.selectors import get_account

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


def _product(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "code": p.code, "name": p.label}


@router.get("/analytics/customers/{customer_id}/recommendations",
            response=list[schemas.RecommendationOut])
def customer_recommendations(request: HttpRequest, customer_id: Id,
                             limit: int = Query(5, ge=1, le=5)):
    """Products customers like this one bought and it has not, best first, each with the rule
    behind it in words (cross-sell, from the latest analysis run). Empty before any run."""
    actor = _actor(request)
    account = get_account(actor, customer_id)  # 404 for missing and not visible alike
    return [{"rank": s.rank, "product": _product(s.product), "because": _product(s.because),
             "confidence": s.confidence, "lift": s.lift, "reason": s.reason}
            for s in recommendations_for(actor, account, limit)]


@router.get("/analytics/cross-sell/rules", response=list[schemas.RuleOut])
def cross_sell_rules(request: HttpRequest, product: Id | None = None,
                     limit: int = Query(100, ge=1, le=1000)):
    """The latest run's association rules, highest lift first; `product` keeps the rules
    from that product."""
    qs = visible_rules(_actor(request))
    if product is not None:
        qs = qs.filter(antecedent_id=product)
    return [{"antecedent": _product(r.antecedent), "consequent": _product(r.consequent),
             "customers": r.customers, "support": r.support, "confidence": r.confidence,
             "lift": r.lift} for r in qs[:limit]]
