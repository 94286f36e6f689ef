"""Reads of sales expenses: the claim lists and the reports of approved expenses per customer,
per rep and per period, and for each customer expenses against revenue — so pricing and
expense control can be judged per customer. Everything goes through the document scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncQuarter

from guanxi.accounts.models import Role, User
from guanxi.core.filters import Param, choices, parse
from guanxi.orders.models import ExpenseClaim, ReviewStep, SalesOrder
from guanxi.orders.models.common import ZERO
from guanxi.orders.permissions import can_see_all
from guanxi.orders.selectors.reviews import waiting_for

__all__ = ["can_see_all"]

Status = ExpenseClaim.Status
# Orders that count as revenue: confirmed and beyond, not cancelled.
REVENUE_STATUSES = (SalesOrder.Status.CONFIRMED, SalesOrder.Status.IN_PRODUCTION,
                    SalesOrder.Status.PARTIALLY_SHIPPED, SalesOrder.Status.SHIPPED,
                    SalesOrder.Status.DELIVERED)
EXPENSE_ROLES = (Role.REP, Role.ASSISTANT, Role.MANAGER, Role.FINANCE, Role.EXECUTIVE,
                 Role.ADMIN)
GroupBy = Literal["customer", "rep", "month", "quarter"]


def sees_expenses(user: User) -> bool:
    """Sales staff, finance, executives and administrators work with sales expenses."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*EXPENSE_ROLES)


def visible_claims(user: User) -> QuerySet[ExpenseClaim]:
    return ExpenseClaim.objects.visible_to(user).select_related(
        "account", "opportunity", "claimant", "team", "review")


def get_claim(user: User, pk: Any) -> ExpenseClaim:
    from guanxi.core.access import get_visible

    return get_visible(visible_claims(user), pk=pk)


def claim_list(user: User, show: str = "mine", status: str = "") -> QuerySet[ExpenseClaim]:
    """``mine``: my claims; ``team``: claims I see of others; ``waiting``: claims whose
    approval waits for me."""
    qs = visible_claims(user)
    if show == "waiting":
        ids = waiting_for(user).filter(review__flow="expense").values("review__subject_id")
        qs = qs.filter(pk__in=ids, status=Status.SUBMITTED)
    elif show == "team":
        qs = qs.exclude(claimant=user)
    else:
        qs = qs.filter(claimant=user)
    if status in Status.values:
        qs = qs.filter(status=status)
    return qs


CLAIM_FILTERS = (
    Param("show", "choice", ("mine", "team", "waiting", "all"), default="mine"),
    Param("status", "choice", choices(Status)),
    Param("account", "int", aliases=("account_id",)),
)


def filter_expenses(user: User, data: Mapping[str, Any]) -> QuerySet[ExpenseClaim]:
    """Expense claims ``user`` sees: ``show`` (``mine`` — the default —, ``team``: others'
    claims, ``waiting``: waiting for my approval, ``all``), ``status``, ``account``."""
    data = parse(data, CLAIM_FILTERS)
    qs = claim_list(user, data["show"], data.get("status", "")) if data["show"] != "all" \
        else visible_claims(user).filter(**({"status": data["status"]}
                                            if "status" in data else {}))
    if "account" in data:
        qs = qs.filter(account_id=data["account"])
    return qs


def waiting_count(user: User) -> int:
    return waiting_for(user).filter(review__flow="expense",
                                    status=ReviewStep.Status.WAITING).count()


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date                       # inclusive
    team: int | None = None            # the claimant's team subtree
    rep: int | None = None             # the claimant
    category: str = ""


def approved(user: User, f: Filters) -> QuerySet[ExpenseClaim]:
    """Approved claims in the period that ``user`` may see, narrowed by the filters."""
    qs = ExpenseClaim.objects.visible_to(user).filter(
        status=Status.APPROVED, spent_on__gte=f.start, spent_on__lte=f.end)
    if f.team:
        from guanxi.accounts.models import Team

        team = Team.objects.filter(pk=f.team).first()
        qs = qs.filter(team_id__in=team.subtree_ids() if team else [])
    if f.rep:
        qs = qs.filter(claimant_id=f.rep)
    if f.category:
        qs = qs.filter(category=f.category)
    return qs


CENT = Decimal("0.01")


def _money(value: Decimal | None) -> Decimal:
    """Sums come back as 800 on SQLite and 800.00 on PostgreSQL: always two places."""
    return (value or ZERO).quantize(CENT)


def _ratio(expenses: Decimal, revenue: Decimal) -> Decimal | None:
    """Expenses as a percentage of revenue, two decimals; None without revenue."""
    if not revenue:
        return None
    return (expenses * 100 / revenue).quantize(Decimal("0.01"))


def revenue_by_customer(user: User, account_ids: list[int], start: dt.date,
                        end: dt.date) -> dict[int, Decimal]:
    """Net order amounts (before tax) of confirmed and later orders dated in the period,
    per customer, from the orders ``user`` may see."""
    rows = (SalesOrder.objects.visible_to(user)
            .filter(account_id__in=account_ids, status__in=REVENUE_STATUSES,
                    order_date__gte=start, order_date__lte=end)
            .values("account_id").annotate(total=Sum("net_amount")))
    return {r["account_id"]: _money(r["total"]) for r in rows}


def by_customer(user: User, f: Filters) -> list[dict[str, Any]]:
    rows = list(approved(user, f).exclude(account__isnull=True)
                .values("account_id", "account__name")
                .annotate(count=Count("id"), amount=Sum("amount"))
                .order_by("-amount", "account_id"))
    revenue = revenue_by_customer(user, [r["account_id"] for r in rows], f.start, f.end)
    return [{"key": r["account_id"], "label": r["account__name"], "count": r["count"],
             "amount": _money(r["amount"]), "revenue": revenue.get(r["account_id"], _money(ZERO)),
             "ratio": _ratio(r["amount"], revenue.get(r["account_id"], ZERO))}
            for r in rows]


def by_rep(user: User, f: Filters) -> list[dict[str, Any]]:
    rows = (approved(user, f)
            .values("claimant_id", "claimant__display_name", "claimant__username")
            .annotate(count=Count("id"), amount=Sum("amount"),
                      customers=Count("account_id", distinct=True))
            .order_by("-amount", "claimant_id"))
    return [{"key": r["claimant_id"],
             "label": r["claimant__display_name"] or r["claimant__username"],
             "count": r["count"], "amount": _money(r["amount"]), "customers": r["customers"]}
            for r in rows]


def by_period(user: User, f: Filters, period: Literal["month", "quarter"] = "month"
              ) -> list[dict[str, Any]]:
    trunc = TruncQuarter if period == "quarter" else TruncMonth
    rows = (approved(user, f).annotate(period=trunc("spent_on")).values("period")
            .annotate(count=Count("id"), amount=Sum("amount")).order_by("period"))
    out = []
    for r in rows:
        start = r["period"]
        if isinstance(start, dt.datetime):
            start = start.date()
        label = (f"{start.year} Q{(start.month - 1) // 3 + 1}" if period == "quarter"
                 else f"{start.year}-{start.month:02d}")
        out.append({"key": start.isoformat(), "label": label, "count": r["count"],
                    "amount": _money(r["amount"])})
    return out


def report(user: User, f: Filters, group_by: GroupBy) -> list[dict[str, Any]]:
    if group_by == "customer":
        return by_customer(user, f)
    if group_by == "rep":
        return by_rep(user, f)
    return by_period(user, f, group_by)


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"count": sum(r["count"] for r in rows),
            "amount": _money(sum((r["amount"] for r in rows), ZERO))}


def account_summary(user: User, account: Any, today: dt.date) -> dict[str, Any] | None:
    """This year's approved expenses of a customer against its revenue, for the customer
    page; None for those who do not work with expenses or see none of them."""
    if not sees_expenses(user):
        return None
    start = dt.date(today.year, 1, 1)
    qs = ExpenseClaim.objects.visible_to(user).filter(account=account)
    agg = qs.aggregate(
        amount=Sum("amount", filter=Q(status=Status.APPROVED, spent_on__gte=start,
                                      spent_on__lte=today)),
        count=Count("id", filter=Q(status=Status.APPROVED, spent_on__gte=start,
                                   spent_on__lte=today)),
        pending=Count("id", filter=Q(status=Status.SUBMITTED)))
    if not agg["count"] and not agg["pending"]:
        return None
    amount = _money(agg["amount"])
    revenue = revenue_by_customer(user, [account.pk], start, today).get(account.pk, ZERO)
    latest = list(qs.filter(status__in=[Status.APPROVED, Status.SUBMITTED])
                  .select_related("claimant")[:5])
    return {"year": today.year, "amount": amount, "count": agg["count"],
            "pending": agg["pending"], "revenue": revenue, "ratio": _ratio(amount, revenue),
            "latest": latest}
