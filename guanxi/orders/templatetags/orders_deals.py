"""Template tags of tenders and contracts shown on their own and other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.orders import permissions as perms
from guanxi.orders.selectors import deals as sel

register = template.Library()


@register.filter
def where_waits(contract: Any) -> sel.Waiting | None:
    """The step a contract's review waits at (step, since, hours, overdue), or None."""
    return sel.where_waits(getattr(contract, "review", None))


@register.filter
def deadline_soon(tender: Any) -> bool:
    return sel.deadline_soon(tender)


@register.simple_tag
def account_deals(account: Any, user: Any) -> dict[str, Any]:
    """Open tenders (deadline first) and open contracts of the customer that ``user`` sees."""
    data = sel.account_deals(user, account)
    data["can_create"] = perms.can_create_deal(user, account)
    return data


@register.simple_tag
def opportunity_deals(opportunity: Any, user: Any) -> dict[str, Any]:
    data = sel.opportunity_deals(user, opportunity)
    data["can_create"] = perms.can_create_deal(user)
    return data
