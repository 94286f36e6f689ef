"""Reads of quotes, through the one visibility rule (``Quote.objects.visible_to``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from guanxi.accounts.models import User
from guanxi.core.access import get_visible
from guanxi.core.filters import Param, choices, parse
from guanxi.orders.models import Quote

S = Quote.Status
LIVE = Q(status__in=[s for s in S.values if s not in (S.SUPERSEDED, S.CANCELLED)])


def visible_quotes(user: User) -> QuerySet[Quote]:
    return Quote.objects.visible_to(user)


def get_quote(user: User, pk: Any) -> Quote:
    """One quote ``user`` may see, or NotFound (missing and not visible alike)."""
    return get_visible(visible_quotes(user).select_related(
        "account", "account__owner", "contact", "opportunity", "owner", "team", "review",
        "previous", "created_by"), pk=pk)


def lines_of(quote: Quote) -> list:
    return list(quote.lines.select_related("product").order_by("position", "id"))


QUOTE_FILTERS = (
    Param("status", "choice", choices("live", "all", S)), Param("owner", "user"),
    Param("account", "int", aliases=("account_id",)),
    Param("opportunity", "int", aliases=("opportunity_id",)), Param("q"),
)


def filter_quotes(user: User, data: Mapping[str, Any]) -> QuerySet[Quote]:
    """Quotes ``user`` may see: ``status`` (a status, ``live`` for the current versions of
    open quotes, or empty for all but superseded), ``owner`` (``me`` or a user id),
    ``account`` (id), ``q`` (number, title or customer name)."""
    data = parse(data, QUOTE_FILTERS)
    qs = visible_quotes(user)
    status = data.get("status") or ""
    if status == "live":
        qs = qs.filter(status__in=[S.DRAFT, S.IN_APPROVAL, S.APPROVED, S.REJECTED, S.SENT])
    elif status in S.values:
        qs = qs.filter(status=status)
    elif status != "all":
        qs = qs.exclude(status=S.SUPERSEDED)
    owner: Any = data.get("owner")
    if owner == "me":
        qs = qs.filter(owner=user)
    elif owner not in (None, "") and str(owner).isdigit():
        qs = qs.filter(owner_id=int(owner))
    account: Any = data.get("account")
    if account not in (None, "") and str(account).isdigit():
        qs = qs.filter(account_id=int(account))
    opportunity: Any = data.get("opportunity")
    if opportunity not in (None, "") and str(opportunity).isdigit():
        qs = qs.filter(opportunity_id=int(opportunity))
    text = (data.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(title__icontains=text)
                       | Q(account__name__icontains=text))
    return qs


def latest_for_account(user: User, account_id: int, limit: int = 5) -> list[Quote]:
    return list(visible_quotes(user).filter(account_id=account_id)
                .exclude(status=S.SUPERSEDED).select_related("owner")
                .order_by("-issue_date", "-id")[:limit])


def latest_for_opportunity(user: User, opportunity_id: int, limit: int = 10) -> list[Quote]:
    return list(visible_quotes(user).filter(opportunity_id=opportunity_id)
                .exclude(status=S.SUPERSEDED).select_related("owner")
                .order_by("-issue_date", "-id")[:limit])


def revisions_of(quote: Quote) -> list[Quote]:
    """Every version of the quote's number, oldest first."""
    return list(Quote.objects.filter(number=quote.number).order_by("revision")
                .only("pk", "number", "revision", "status", "issue_date", "total"))
