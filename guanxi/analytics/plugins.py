"""What analytics puts into the lower layers' plug-in points, from ``AnalyticsConfig.ready()``:
the customer's value card (RFM, CLV, segment) and cross-sell suggestions on the 360° page, and
the suggestions in the quote editor."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from guanxi.accounts.models import Role
from guanxi.analytics import labels
from guanxi.analytics import navigation as analytics_navigation
from guanxi.analytics.selectors import account_metrics, recommendations_for
from guanxi.core import navigation
from guanxi.core.panels import Panel
from guanxi.customers.pages import account_page, home_page
from guanxi.orders.pages import quote_editor


def load_value(request: HttpRequest, account: Any) -> dict[str, Any]:
    """The customer's metrics from the current run with their readable names (``v``), or
    ``v = None`` when nothing is computed yet."""
    metrics = account_metrics(request.user, account)
    if metrics is None:
        return {"v": None}
    return {"v": {
        "m": metrics, "run": metrics.run,
        "segment": labels.segment_label(metrics.segment),
        "lifecycle": labels.lifecycle_label(metrics.lifecycle),
        "strategy": labels.lifecycle_strategy(metrics.lifecycle),
        "value_type": labels.value_type_label(metrics.value_type),
        "approach": labels.value_type_approach(metrics.value_type),
        "cluster": labels.cluster_label(metrics.cluster_label),
        "risk_class": "danger" if metrics.churn_risk >= 0.6 else
                      "warning" if metrics.churn_risk >= 0.3 else "success",
        **_net_profit(metrics),
    }}


def _net_profit(metrics: Any) -> dict[str, Any]:
    """Profitability after the costs other apps attribute to the customer (marketing)."""
    from guanxi.analytics.contributions import customer_costs

    costs = customer_costs(metrics.account_id, metrics.run.until)
    if not costs:
        return {"costs": [], "net_profit": None}
    return {"costs": costs, "net_profit": metrics.profit - sum(c for _l, c in costs)}


def load_suggestions(request: HttpRequest, account: Any) -> dict[str, Any]:
    """The customer's cross-sell suggestions (``suggestions``) from the current run."""
    return {"suggestions": recommendations_for(request.user, account)}


def load_quote_suggestions(request: HttpRequest, draft: Any) -> dict[str, Any]:
    """Suggestions for the quote's customer, less what the quote already holds."""
    return {"suggestions": recommendations_for(request.user, draft.account,
                                               exclude=draft.product_ids)}


HOME_AT_RISK = 5


def sees_value(user: Any, _obj: Any = None) -> bool:
    return user.has_role(Role.MANAGER, Role.EXECUTIVE, Role.ADMIN)


def load_home(request: HttpRequest, user: Any) -> dict[str, Any]:
    """Valuable customers at risk in the user's scope; for the boss, the customer value tiles
    of the current run too."""
    from guanxi.analytics.dashboard import AT_RISK
    from guanxi.analytics.selectors import current_run, visible_metrics

    run = current_run()
    if run is None:
        return {"value": None}
    at_risk = list(visible_metrics(user, run).filter(churn_risk__gte=AT_RISK)
                   .select_related("account").order_by("-clv", "account_id")[:HOME_AT_RISK])
    return {"value": {"run": run, "at_risk": at_risk,
                      "boss": user.has_role(Role.EXECUTIVE, Role.ADMIN)}}


def register() -> None:
    navigation.register(*analytics_navigation.ITEMS)
    home_page.register(Panel("analytics.home", "analytics/_home.html", slot="sections",
                             order=40, load=load_home, visible=sees_value))
    account_page.register(Panel("analytics.value", "analytics/_account_value.html",
                                slot="side", order=40, load=load_value))
    account_page.register(Panel("analytics.cross_sell", "analytics/_account_cross_sell.html",
                                slot="side", order=45, load=load_suggestions))
    quote_editor.register(Panel("analytics.cross_sell", "analytics/_quote_cross_sell.html",
                                slot="after_lines", order=10, load=load_quote_suggestions))
