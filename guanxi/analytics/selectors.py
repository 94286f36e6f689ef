"""Reads: the current run, the scoped customer metrics, and the metric filters that the
customer list, the API and marketing segments share.

Metrics are visible exactly where their customer is (``Account.objects.visible_to``): a rep
sees the metrics of their own customers, a manager those of the team subtree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.analytics import permissions as perms
from guanxi.analytics.models import AnalysisRun, CustomerMetrics, ProductRule, Recommendation
from guanxi.core.access import get_visible
from guanxi.core.errors import FieldErrors, Forbidden
from guanxi.customers.models import Account
from guanxi.customers.selectors import account_scope
from guanxi.orders.selectors.purchases import product_exists, products_by_id

# The metric filters, by name: (lookup on CustomerMetrics, parser).
FILTERS = ("segment", "lifecycle", "value_type", "abc", "rfm", "cluster", "clv_min", "clv_max",
           "churn_min")


def require_analyst(user: User) -> None:
    if not perms.can_see_analytics(user):
        raise Forbidden(_("Customer analytics is for executives, managers, marketing and "
                          "administrators."))


def current_run() -> AnalysisRun | None:
    return AnalysisRun.objects.filter(is_current=True).first()


def visible_runs(user: User) -> QuerySet[AnalysisRun]:
    require_analyst(user)
    return AnalysisRun.objects.select_related("requested_by").order_by("-id")


def get_run(user: User, pk: Any) -> AnalysisRun:
    return get_visible(visible_runs(user), pk=pk)


def visible_metrics(user: User, run: AnalysisRun | int | None = None) -> QuerySet[CustomerMetrics]:
    """Metrics of the customers ``user`` sees, of ``run`` (default: the current run)."""
    run_id = run.pk if isinstance(run, AnalysisRun) else run
    if run_id is None:
        current = current_run()
        run_id = current.pk if current else None
    qs = CustomerMetrics.objects.filter(run_id=run_id, account__is_active=True)
    scope = account_scope(user, "account__")
    return qs if scope is None else qs.filter(scope)


def account_metrics(user: User, account: Account) -> CustomerMetrics | None:
    """The current metrics of a customer the caller already may see."""
    return visible_metrics(user).filter(account=account).select_related("run").first()


def get_metrics(user: User, account_id: Any) -> CustomerMetrics:
    return get_visible(visible_metrics(user).select_related("account", "run"),
                       account_id=account_id)


class _Bad(Exception):
    """A filter value refused with a message of its own."""


def parse_filters(raw: dict[str, Any], *, strict: bool = True) -> dict[str, Any]:
    """Lookups on CustomerMetrics from the filter values (empty ones ignored). Bad values are
    field errors when ``strict``; the forgiving customer list just drops them."""
    lookups: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in FILTERS:
        value = raw.get(name)
        if value in (None, ""):
            continue
        value = str(value).strip()
        try:
            if name in ("segment", "lifecycle", "value_type"):
                lookups[name] = value
            elif name == "abc":
                if value.upper() not in ("A", "B", "C"):
                    raise _Bad(_("Give A, B or C."))
                lookups["abc_revenue"] = value.upper()
            elif name == "rfm":
                if len(value) != 3 or not all(c in "12345" for c in value):
                    raise _Bad(_("Give three digits from 1 to 5, such as 545."))
                lookups["rfm_code"] = value
            elif name == "cluster":
                lookups["cluster"] = int(value)
            elif name in ("clv_min", "clv_max"):
                lookups["clv__gte" if name == "clv_min" else "clv__lte"] = Decimal(value)
            else:
                risk = float(value)
                if not 0 <= risk <= 1:
                    raise _Bad(_("Give a probability between 0 and 1."))
                lookups["churn_risk__gte"] = risk
        except _Bad as exc:
            errors[name] = [str(exc)]
        except (ValueError, InvalidOperation):
            errors[name] = [_("Invalid value.")]
    if errors and strict:
        raise FieldErrors(errors)
    return lookups


def filter_accounts(accounts: QuerySet[Account], lookups: dict[str, Any]) -> QuerySet[Account]:
    """``accounts`` narrowed to customers whose current metrics match ``lookups``."""
    if not lookups:
        return accounts
    current = current_run()
    if current is None:
        return accounts.none()
    matching = CustomerMetrics.objects.filter(run_id=current.pk, **lookups)
    return accounts.filter(pk__in=matching.values("account_id"))


def current_values(account_ids: Any, column: str) -> dict[int, Any]:
    """One metric (``segment``, ``lifecycle``, ``value_type`` …) of the customers from the
    current run, by customer id (a campaign's response rates by segment, say)."""
    run = current_run()
    if run is None:
        return {}
    return dict(CustomerMetrics.objects.filter(run=run, account_id__in=account_ids)
                .values_list("account_id", column))


# Cross-sell ---------------------------------------------------------------------------------

CROSS_SELL_FILTERS = ("recommend",)


@dataclass(frozen=True)
class Suggestion:
    """One product to offer a customer, with why, in the reader's language."""

    product: Any  # orders.Product
    because: Any  # orders.Product
    confidence: float
    lift: float
    rank: int

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)

    @property
    def reason(self) -> str:
        return _("%(percent)s%% of customers who bought %(bought)s also bought %(product)s") % {
            "percent": self.percent, "bought": self.because.label,
            "product": self.product.label}


def recommendations_for(user: User, account: Account | int, limit: int = 5,
                        exclude: Iterable[int] = ()) -> list[Suggestion]:
    """Products customers like this one bought and it has not (current run, best first),
    for a customer ``user`` sees; empty for one they do not or before any run. ``exclude``:
    product ids left out (already on the quote being written)."""
    account_id = account.pk if isinstance(account, Account) else account
    if not Account.objects.visible_to(user).filter(pk=account_id).exists():
        return []
    current = current_run()
    if current is None:
        return []
    rows = list(Recommendation.objects.filter(run_id=current.pk, account_id=account_id)
                .exclude(product_id__in=list(exclude)).order_by("rank")[:limit])
    products = products_by_id([r.product_id for r in rows] + [r.because_id for r in rows])
    return [Suggestion(products[r.product_id], products[r.because_id], r.confidence, r.lift,
                       r.rank) for r in rows]


def visible_rules(user: User) -> QuerySet[ProductRule]:
    """The current run's cross-sell rules (company-wide figures: analysts only)."""
    require_analyst(user)
    current = current_run()
    return ProductRule.objects.filter(run_id=current.pk if current else None).select_related(
        "antecedent", "consequent").order_by("-lift", "-confidence", "pk")


def parse_cross_sell(raw: Mapping[str, Any]) -> dict[str, Any]:
    """``recommend``: a product id — customers to whom the current run recommends it."""
    value = raw.get("recommend")
    if value in (None, ""):
        return {}
    try:
        pk = int(str(value).strip())
    except ValueError:
        raise FieldErrors({"recommend": [_("Give a product id.")]}) from None
    if pk < 1 or not product_exists(pk):
        raise FieldErrors({"recommend": [_("No product with this id.")]})
    return {"product": pk}


def filter_recommended(accounts: QuerySet[Account], cleaned: dict[str, Any]) -> QuerySet[Account]:
    """``accounts`` narrowed to the customers the current run recommends the product to."""
    if not cleaned:
        return accounts
    current = current_run()
    if current is None:
        return accounts.none()
    matching = Recommendation.objects.filter(run_id=current.pk, product_id=cleaned["product"])
    return accounts.filter(pk__in=matching.values("account_id"))
