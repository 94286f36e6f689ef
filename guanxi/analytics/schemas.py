"""API shapes of customer analytics. Money is a Decimal (a string in JSON)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from guanxi.core.schemas import Int


class MetricFilters(Schema):
    segment: str | None = Field(None, description="RFM segment key, e.g. `champions`")
    lifecycle: str | None = Field(None, description="exploration, development, stable, decline")
    value_type: str | None = Field(None, description="value-matrix type, e.g. `perfectionist`")
    abc: str | None = Field(None, description="ABC class by revenue: A, B or C")
    rfm: str | None = Field(None, description="RFM code, e.g. `545`")
    cluster: Int | None = None
    clv_min: Decimal | None = None
    clv_max: Decimal | None = None
    churn_min: float | None = Field(None, ge=0, le=1, description="churn risk at least")
    sort: Literal["-clv", "clv", "-churn_risk", "churn_risk", "-revenue", "revenue",
                  "-profit", "recency_days", "-recency_days"] = "-clv"
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=500)


class CustomerRef(Schema):
    id: int
    name: str


class MetricsOut(Schema):
    account: CustomerRef
    run_id: int
    as_of: dt.date | None
    recency_days: int
    frequency: int
    purchases: int
    monetary: Decimal
    first_purchase: dt.date
    last_purchase: dt.date
    r_score: int
    f_score: int
    m_score: int
    rfm_code: str
    segment: str
    segment_label: str
    abc_revenue: str
    abc_profit: str
    revenue: Decimal
    cost: Decimal
    profit: Decimal
    historical_value: Decimal
    expected_purchases: float
    p_alive: float
    expected_spend: Decimal
    clv: Decimal
    churn_risk: float
    cluster: int
    cluster_label: str
    value_type: str
    value_type_label: str
    lifecycle: str
    lifecycle_label: str
    lifecycle_strategy: str


class MetricsPage(Schema):
    items: list[MetricsOut]
    next: str | None


class AnalysisRunOut(Schema):
    id: int
    status: str
    is_current: bool
    progress: int
    stage: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    until: dt.date | None
    parameters: dict[str, Any]
    fitted: dict[str, Any]
    spend_check: dict[str, Any]
    customers: int
    transactions: int
    revenue: Decimal
    profit: Decimal
    equity: Decimal
    top20_share: float | None
    retention_rate: float | None
    repeat_rate: float | None
    error: str


class RunIn(Schema):
    until: dt.date | None = Field(None, description="analyse transactions up to this date")


class CountOut(Schema):
    key: str
    label: str
    customers: int
    clv: Decimal | None = None


class KpiOut(Schema):
    run_id: int
    until: dt.date | None
    equity: Decimal
    revenue: Decimal
    profit: Decimal
    retention_rate: float | None
    repeat_rate: float | None
    top20_share: float | None


class DashboardOut(Schema):
    run: AnalysisRunOut | None
    customers: int
    equity: Decimal
    revenue: Decimal
    profit: Decimal
    top20_share: float | None
    repeat_rate: float | None
    retention_rate: float | None
    segments: list[CountOut]
    lifecycle: list[CountOut]
    value_types: list[CountOut]
    abc: list[CountOut]
    clusters: list[CountOut]
    pareto: list[list[float]]
    months: list[str]
    revenue_by_month: list[Decimal]
    profit_by_month: list[Decimal]
    at_risk: list[MetricsOut]
    kpis: list[KpiOut]


class ProductRef(Schema):
    id: int
    code: str
    name: str = Field(description="in the reader's language")


class RecommendationOut(Schema):
    rank: int
    product: ProductRef
    because: ProductRef = Field(description="the product they bought that the rule starts from")
    confidence: float = Field(description="share of the buyers of `because` who also bought "
                                          "`product`")
    lift: float
    reason: str = Field(description="the rule in words, in the reader's language")


class RuleOut(Schema):
    antecedent: ProductRef
    consequent: ProductRef
    customers: int
    support: float
    confidence: float
    lift: float
