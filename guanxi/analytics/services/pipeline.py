"""The whole analysis on arrays: transactions in, one array per stored metric out. No Django
here except the parameters' plain values; the database side is in ``runs.py``.

Every model comes from ``guanxi.analytics.engine``; this module only chains them and adds
what is about the business rather than the statistics: cost estimates where the cost of goods
is unknown, profitability, the historical value, and the figures of the whole customer base.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from guanxi.analytics.engine import (
    abc,
    bgnbd,
    churn,
    cluster,
    clv,
    gammagamma,
    lifecycle,
    paretonbd,
    rfm,
    summary,
    valuematrix,
)

DAYS_PER_WEEK = 7.0
PARETO_POINTS = 50


@dataclass
class Params:
    """What the analysis is given (AnalyticsSettings as plain values)."""

    until_day: int  # days since 1970-01-01, inclusive
    model: str = "bgnbd"
    horizon_months: int = 12
    discount_rate: float = 0.10
    margin: float = 0.25  # default margin where the cost of goods is unknown
    clusters: int = 4
    active_days: int = 365
    segment_map: Mapping[str, str] | None = None


@dataclass
class Result:
    """One entry per customer in ``account_ids`` order, plus the fitted models and figures."""

    account_ids: np.ndarray
    columns: dict[str, np.ndarray]
    fitted: dict[str, Any]
    spend_check: dict[str, Any]
    figures: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


Progress = Callable[[int, str], None]


def analyse(customers: np.ndarray, days: np.ndarray, amounts: np.ndarray, costs: np.ndarray,
            params: Params, *, answers: Mapping[str, np.ndarray] | None = None,
            answer_ids: np.ndarray | None = None,
            progress: Progress = lambda _p, _s: None,
            clock: Callable[[], float] | None = None) -> Result:
    """Run every model. ``costs`` holds NaN where the cost of goods is unknown; ``answers``
    are the attitude scores (1–5, NaN unanswered) of the customers ``answer_ids``."""
    import time

    tick = clock or time.perf_counter
    timings: dict[str, float] = {}
    started = tick()

    def lap(name: str) -> None:
        nonlocal started
        now = tick()
        timings[name] = timings.get(name, 0.0) + now - started
        started = now

    keep = days <= params.until_day
    customers, days, amounts, costs = customers[keep], days[keep], amounts[keep], costs[keep]
    # Unknown cost of goods: estimated from the default margin, so profit is never overstated
    # as pure revenue.
    costs = np.where(np.isnan(costs), amounts * (1.0 - params.margin), costs)
    s = summary.summarize(customers, days, amounts, params.until_day, costs=costs,
                          freq="D", unit="W")
    n = len(s)
    index = np.searchsorted(s.customer_ids, customers)
    lap("summary")
    progress(35, "summary")

    x, t_x, T = s.frequency, s.recency, s.T
    m = s.monetary_value
    if params.model == "paretonbd":
        purchase_model: Any = paretonbd.fit(x, t_x, T)
    else:
        purchase_model = bgnbd.fit(x, t_x, T)
    spend_model = gammagamma.fit(x, m)
    lap("fit")
    progress(50, "fit")

    horizon_weeks = params.horizon_months * 30.0 / DAYS_PER_WEEK
    expected = purchase_model.conditional_expected_purchases(horizon_weeks, x, t_x, T)
    p_alive = purchase_model.probability_alive(x, t_x, T)
    spend = spend_model.conditional_expected_spend(x, m)
    margin = np.clip(np.divide(s.profit, s.revenue, out=np.full(n, params.margin),
                               where=s.revenue > 0), 0.0, 1.0)
    value = clv.customer_lifetime_value(
        purchase_model, x, t_x, T, spend, months=params.horizon_months, margin=1.0,
        annual_discount_rate=params.discount_rate, unit="W") * margin
    risk = churn.risk_from_p_alive(p_alive)
    check = gammagamma.check_independence(x, m)
    lap("predict")
    progress(60, "predict")

    purchases = s.n_transactions
    average = s.revenue / np.maximum(purchases, 1)
    scores = rfm.rfm_scores(s.days_since_last, purchases, average,
                            segment_map=params.segment_map or None)
    by_revenue = abc.abc_classes(s.revenue)
    by_profit = abc.abc_classes(s.profit)
    recent = lifecycle.trend(index, days, amounts, params.until_day, n)
    stages = lifecycle.lifecycle_stages(s.tenure_days, purchases, s.days_since_last,
                                        recent.spend_ratio, p_alive)
    matrix = valuematrix.value_matrix(
        recency_days=s.days_since_last, frequency=purchases.astype(float), monetary=average,
        spend_ratio=recent.spend_ratio, answers=_align(answers, answer_ids, s.customer_ids))
    groups = _clusters(s, purchases, average, params.clusters)
    labels = np.array([c.label for c in groups.clusters] or [""], dtype=object)
    lap("models")
    progress(75, "models")

    # Past customer value: each purchase's profit compounded to today at the discount rate.
    years = (params.until_day - days) / 365.0
    history = np.bincount(index, weights=(amounts - costs) * (1.0 + params.discount_rate)
                          ** years, minlength=n)
    retention = lifecycle.trend(index, days, amounts, params.until_day, n,
                                window_days=params.active_days)
    columns = {
        "recency_days": s.days_since_last, "frequency": x.astype(np.int64),
        "purchases": purchases, "monetary": average,
        "first_purchase": s.first_purchase, "last_purchase": s.last_purchase,
        "r_score": scores.r, "f_score": scores.f, "m_score": scores.m,
        "rfm_code": scores.codes, "segment": scores.segments,
        "abc_revenue": by_revenue.classes, "abc_profit": by_profit.classes,
        "revenue": s.revenue, "cost": s.cost, "profit": s.profit,
        "historical_value": history,
        "expected_purchases": expected, "p_alive": p_alive, "expected_spend": spend,
        "clv": value, "churn_risk": risk,
        "cluster": groups.labels, "cluster_label": labels[groups.labels],
        "value_type": matrix.types, "lifecycle": stages,
    }
    figures = _figures(s, by_revenue, by_profit, value, retention, days, amounts, costs,
                       groups, params)
    figures["counts"] = {name: _counts(columns[column], value) for name, column in (
        ("segment", "segment"), ("lifecycle", "lifecycle"), ("value_type", "value_type"),
        ("abc", "abc_revenue"), ("cluster", "cluster"))}
    figures["cluster_labels"] = {str(i): c.label for i, c in enumerate(groups.clusters)}
    fitted = {"model": params.model, "purchase": _params(purchase_model),
              "spend": _params(spend_model),
              "clusters": {"k": groups.k, "silhouette": groups.silhouette,
                           "silhouette_by_k": {str(k): v
                                               for k, v in groups.silhouette_by_k.items()},
                           "described": [_describe(c) for c in groups.clusters]}}
    lap("figures")
    return Result(account_ids=s.customer_ids, columns=columns, fitted=fitted,
                  spend_check=_params(check), figures=figures, timings=timings)


def _clusters(s: Any, purchases: np.ndarray, average: np.ndarray, k: int) -> Any:
    """k-means around the configured number of clusters (silhouette picks within ±1); a
    handful of customers is one group."""
    n = len(s)
    high = min(k + 1, n - 1)
    if high < 2:
        return cluster.ClusterResult(labels=np.zeros(n, dtype=np.int64), k=1,
                                     silhouette=float("nan"), silhouette_by_k={})
    return cluster.cluster_customers(
        {"recency": s.days_since_last.astype(float), "frequency": purchases.astype(float),
         "monetary": average, "tenure": s.tenure_days.astype(float)},
        k_range=(min(max(2, k - 1), high), high))


def _counts(keys: np.ndarray, value: np.ndarray) -> list[list[Any]]:
    """[key, customers, Σ CLV] per distinct key: the dashboard's figures for everyone."""
    distinct, inverse, counts = np.unique(np.asarray(keys).astype(str), return_inverse=True,
                                          return_counts=True)
    sums = np.bincount(inverse.ravel(), weights=value, minlength=len(distinct))
    return [[str(k), int(c), round(float(v), 2)] for k, c, v in zip(distinct, counts, sums,
                                                                    strict=True)]


def _align(answers: Mapping[str, np.ndarray] | None, ids: np.ndarray | None,
           customer_ids: np.ndarray) -> dict[str, np.ndarray] | None:
    """Attitude answers of some customers spread onto the analysed customers (NaN elsewhere)."""
    if not answers or ids is None or not len(ids):
        return None
    position = np.searchsorted(customer_ids, ids)
    found = (position < len(customer_ids))
    found[found] = customer_ids[position[found]] == ids[found]
    out = {}
    for key, values in answers.items():
        column = np.full(len(customer_ids), np.nan)
        column[position[found]] = values[found]
        out[key] = column
    return out


def _params(obj: Any) -> dict[str, Any]:
    """A fitted dataclass as JSON-safe values (NaN and infinities as None)."""
    out: dict[str, Any] = {}
    for key, value in vars(obj).items():
        if isinstance(value, (bool, np.bool_)):
            out[key] = bool(value)
        elif isinstance(value, (int, float, np.integer, np.floating)):
            value = float(value)
            out[key] = value if np.isfinite(value) else None
    return out


def _describe(c: Any) -> dict[str, Any]:
    return {"key": c.key, "label": c.label, "size": int(c.size), "share": float(c.share),
            "centroid": {k: float(v) for k, v in c.centroid.items()}}


def _figures(s: Any, by_revenue: Any, by_profit: Any, value: np.ndarray, retention: Any,
             days: np.ndarray, amounts: np.ndarray, costs: np.ndarray, groups: Any,
             params: Params) -> dict[str, Any]:
    """Figures of the whole customer base: KPIs, the Pareto curve and the revenue by month."""
    n = len(s)
    earlier = retention.earlier_count > 0
    retained = float(np.mean(retention.recent_count[earlier] > 0)) if earlier.any() else None
    revenue_total = float(s.revenue.sum())
    profit_total = float(s.profit.sum())
    # Revenue and profit by calendar month over the last 24 months.
    months = days.astype("datetime64[D]").astype("datetime64[M]")
    last = np.datetime64(int(params.until_day), "D").astype("datetime64[M]")
    recent = months > last - 24
    month_index = (months[recent] - (last - 23)).astype(np.int64)
    by_month = np.bincount(month_index, weights=amounts[recent], minlength=24)
    profit_by_month = np.bincount(month_index, weights=(amounts - costs)[recent], minlength=24)
    labels = [str(last - 23 + i) for i in range(24)]
    ordered = np.sort(np.clip(s.revenue, 0, None))[::-1]
    cumulative = np.cumsum(ordered) / ordered.sum() if n and ordered.sum() > 0 else ordered
    points: np.ndarray | list[int] = \
        np.unique(np.linspace(0, n - 1, min(n, PARETO_POINTS)).astype(int)) if n else []
    return {
        "customers": n, "transactions": int(s.n_transactions.sum()),
        "revenue": revenue_total, "profit": profit_total,
        "margin": profit_total / revenue_total if revenue_total else None,
        # The sum of the CLVs as stored (to the cent), so the total adds up to the rows shown.
        "equity": float(np.round(value, 2).sum()),
        "top20_share": float(by_revenue.top20_share),
        "top20_profit_share": float(by_profit.top20_share),
        "retention_rate": retained,
        "repeat_rate": float(np.mean(s.frequency > 0)) if n else None,
        "abc": {k: int(v) for k, v in by_revenue.counts.items()},
        "pareto": [[float((i + 1) / n), float(cumulative[i])] for i in points],
        "months": labels, "revenue_by_month": by_month.round(2).tolist(),
        "profit_by_month": profit_by_month.round(2).tolist(),
        "silhouette": float(groups.silhouette),
    }
