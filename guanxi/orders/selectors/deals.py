"""Reads of tenders, contracts and their documents, through the scoped querysets.

Contracts are also visible to whoever takes part in their review (the technical reviewer who
does not otherwise see the customer, say): anyone involved sees where a contract waits — the
rule lives in ``selectors.scope.document_scope`` with every other visibility rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from guanxi.accounts.models import Role, User
from guanxi.core.access import get_visible
from guanxi.core.filters import Param, choices, parse
from guanxi.orders.models import Contract, Document, Flow, Quote, Review, ReviewStep, Tender
from guanxi.orders.services import reviews

UPCOMING_DAYS = 7
OPEN_RESULTS = (Tender.Result.PENDING, Tender.Result.SUBMITTED)
OPEN_CONTRACTS = (Contract.Status.DRAFT, Contract.Status.IN_REVIEW, Contract.Status.RETURNED,
                  Contract.Status.REJECTED, Contract.Status.APPROVED)


# --- Scope ---------------------------------------------------------------------------------

def visible_tenders(user: User) -> QuerySet[Tender]:
    return Tender.objects.visible_to(user)


def visible_contracts(user: User) -> QuerySet[Contract]:
    return Contract.objects.visible_to(user)


def get_tender(user: User, pk: Any) -> Tender:
    return get_visible(visible_tenders(user).select_related(
        "account", "owner", "opportunity", "opportunity__stage", "team"), pk=pk)


def get_contract(user: User, pk: Any) -> Contract:
    return get_visible(visible_contracts(user).select_related(
        "account", "owner", "opportunity", "quote", "tender", "team", "review",
        "review__submitted_by").prefetch_related(_steps("review__steps")), pk=pk)


def _steps(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=ReviewStep.objects.select_related(
        "approver", "decided_by").order_by("position", "id"))


def visible_documents(user: User) -> QuerySet[Document]:
    return Document.objects.filter(
        Q(tender__in=visible_tenders(user).values("pk"))
        | Q(contract__in=visible_contracts(user).values("pk")))


def get_document(user: User, pk: Any) -> Document:
    return get_visible(visible_documents(user).select_related("tender", "contract",
                                                              "uploaded_by"), pk=pk)


# --- Where a contract waits ----------------------------------------------------------------

@dataclass(frozen=True)
class Waiting:
    step: ReviewStep
    since: dt.datetime
    hours: int
    overdue: bool


def where_waits(review: Review | None, now: dt.datetime | None = None) -> Waiting | None:
    """The step a pending review waits at, since when, for how many hours, and whether it is
    overdue; None when nothing waits."""
    if review is None or review.status != Review.Status.PENDING:
        return None
    step = review.current_step
    if step is None or step.started_at is None:
        return None
    now = now or timezone.now()
    hours = max(0, int((now - step.started_at).total_seconds() // 3600))
    return Waiting(step=step, since=step.started_at, hours=hours,
                   overdue=reviews.is_overdue(step, now))


def review_steps(review: Review | None, now: dt.datetime | None = None) -> list[dict]:
    """Every step of a review with who decides it and what happened, for the contract page
    and the API."""
    if review is None:
        return []
    now = now or timezone.now()
    out = []
    for step in review.steps.all():
        waiting = step.status == ReviewStep.Status.WAITING
        if step.approver_id:
            decider = str(step.approver)
        elif step.approver_role:
            decider = str(Role(step.approver_role).label)
        else:
            decider = ""
        out.append({
            "step": step, "id": step.pk, "position": step.position, "name": step.label,
            "status": step.status, "status_label": str(step.get_status_display()),
            "decider": decider, "decided_by": str(step.decided_by) if step.decided_by else "",
            "decided_at": step.decided_at, "comment": step.comment,
            "waiting_since": step.started_at if waiting else None,
            "waiting_hours": max(0, int((now - step.started_at).total_seconds() // 3600))
            if waiting and step.started_at else None,
            "due_hours": step.due_hours,
            "overdue": reviews.is_overdue(step, now),
        })
    return out


# --- Lists ---------------------------------------------------------------------------------

TENDER_FILTERS = (
    Param("q"), Param("result", "choice", choices("open", Tender.Result)),
    Param("bond", "choice", choices(Tender.BondStatus)), Param("upcoming", "bool"),
    Param("account", "int", aliases=("account_id",)),
)
CONTRACT_FILTERS = (
    Param("q"), Param("status", "choice", choices(Contract.Status)), Param("waiting"),
    Param("account", "int", aliases=("account_id",)),
)


def filter_tenders(user: User, data: Mapping[str, Any], now: dt.datetime | None = None,
                   ) -> QuerySet[Tender]:
    """Filters: q (number, title, issuer, customer), result (a result, or "open"),
    bond (a bond status), upcoming (deadline within seven days), account."""
    data = parse(data, TENDER_FILTERS)
    now = now or timezone.now()
    qs = visible_tenders(user).select_related("account", "owner")
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q)
                       | Q(issuer__icontains=q) | Q(account__name__icontains=q))
    result = data.get("result")
    if result == "open":
        qs = qs.filter(result__in=OPEN_RESULTS)
    elif result in Tender.Result.values:
        qs = qs.filter(result=result)
    if data.get("bond") in Tender.BondStatus.values:
        qs = qs.filter(bond_status=data["bond"])
    if data.get("upcoming"):
        qs = qs.filter(result__in=OPEN_RESULTS, deadline__gte=now,
                       deadline__lte=now + dt.timedelta(days=UPCOMING_DAYS))
    if data.get("account"):
        qs = qs.filter(account_id=data["account"])
    return qs.order_by("deadline", "id")


def filter_contracts(user: User, data: Mapping[str, Any], now: dt.datetime | None = None,
                     ) -> QuerySet[Contract]:
    """Filters: q (number, title, customer), status, waiting ("review": in review,
    "overdue": its waiting step is overdue, or a step position such as "2"), account."""
    data = parse(data, CONTRACT_FILTERS)
    now = now or timezone.now()
    qs = visible_contracts(user).select_related("account", "owner", "review") \
        .prefetch_related(_steps("review__steps"))
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q)
                       | Q(account__name__icontains=q))
    if data.get("status") in Contract.Status.values:
        qs = qs.filter(status=data["status"])
    waiting = str(data.get("waiting") or "")
    if waiting:
        qs = qs.filter(status=Contract.Status.IN_REVIEW, review__status=Review.Status.PENDING)
        if waiting == "overdue":
            qs = qs.filter(review__steps__in=overdue_steps(now))
        elif waiting.isdigit():
            qs = qs.filter(review__steps__status=ReviewStep.Status.WAITING,
                           review__steps__position=int(waiting))
    if data.get("account"):
        qs = qs.filter(account_id=data["account"])
    return qs.order_by("-created_at", "-id")


def overdue_steps(now: dt.datetime) -> QuerySet[ReviewStep]:
    """Waiting contract review steps past their due hours, decided in the database: one
    condition per distinct due time (there are a handful), so it works alike on SQLite and
    PostgreSQL without interval arithmetic."""
    waiting = ReviewStep.objects.filter(status=ReviewStep.Status.WAITING,
                                        review__flow=Flow.CONTRACT,
                                        review__status=Review.Status.PENDING)
    hours = waiting.order_by().values_list("due_hours", flat=True).distinct()
    late = Q(pk__in=[])
    for h in hours:
        late |= Q(due_hours=h, started_at__lt=now - dt.timedelta(hours=h))
    return waiting.filter(late)


def waiting_step_names() -> list[tuple[int, str]]:
    """The positions and names of the contract review steps as configured (for filters)."""
    from guanxi.orders.models import ReviewRule

    return [(r.position, r.label) for r in
            ReviewRule.objects.filter(flow=Flow.CONTRACT, active=True).order_by("position")]


# --- Cards on the customer and opportunity pages -------------------------------------------

def account_deals(user: User, account: Any, limit: int = 8) -> dict[str, Any]:
    tenders = list(visible_tenders(user).filter(account=account, result__in=OPEN_RESULTS)
                   .order_by("deadline", "id")[:limit + 1])
    contracts = list(visible_contracts(user).filter(account=account, status__in=OPEN_CONTRACTS)
                     .select_related("review").prefetch_related(_steps("review__steps"))
                     .order_by("-created_at", "-id")[:limit + 1])
    return {"tenders": tenders[:limit], "contracts": contracts[:limit],
            "more": len(tenders) > limit or len(contracts) > limit}


def opportunity_deals(user: User, opportunity: Any, limit: int = 10) -> dict[str, Any]:
    tenders = list(visible_tenders(user).filter(opportunity=opportunity)
                   .order_by("-deadline", "-id")[:limit])
    contracts = list(visible_contracts(user).filter(opportunity=opportunity)
                     .select_related("review").prefetch_related(_steps("review__steps"))
                     .order_by("-created_at", "-id")[:limit])
    return {"tenders": tenders, "contracts": contracts}


def deadline_soon(tender: Tender, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return tender.result in OPEN_RESULTS and \
        now <= tender.deadline <= now + dt.timedelta(days=UPCOMING_DAYS)


def get_visible_quote(user: User, pk: Any) -> Quote:
    return get_visible(Quote.objects.visible_to(user).select_related("account"), pk=pk)


def reviews_history(contract: Contract) -> list[Review]:
    """Earlier rounds of the contract review (returned, rejected, withdrawn), newest first."""
    reviews = Review.objects.filter(flow=Flow.CONTRACT, subject_id=contract.pk)
    if contract.review_id is not None:
        reviews = reviews.exclude(pk=contract.review_id)
    return list(reviews.prefetch_related(_steps("steps")).order_by("-submitted_at", "-id"))


def get_visible_account(user: User, pk: Any):
    from guanxi.customers.models import Account

    return get_visible(Account.objects.visible_to(user), pk=pk)
