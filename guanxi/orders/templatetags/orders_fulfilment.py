"""Template helpers of sales orders: the cards on the customer and opportunity pages, the
colour of a status."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.orders.models import SalesOrder
from guanxi.orders.selectors import orders as sel

register = template.Library()
Status = SalesOrder.Status

PILLS = {
    Status.IN_REVIEW: "pill-pending", Status.RETURNED: "pill-pending",
    Status.REJECTED: "pill-rejected", Status.CANCELLED: "pill-neutral",
    Status.DELIVERED: "pill-approved", Status.SHIPPED: "pill-approved",
}


@register.filter
def order_pill(status: str) -> str:
    """The pill class for an order status."""
    return PILLS.get(status, "pill-accent")


def _cards(account: Any, user: Any) -> dict[str, list[SalesOrder]]:
    # Both cards of the customer page come from one query, kept on the account for the page.
    if account is None or not getattr(user, "is_authenticated", False):
        return {"latest": [], "open": []}
    cards = getattr(account, "_order_cards", None)
    if cards is None:
        cards = sel.account_cards(user, account.pk)
        account._order_cards = cards
    return cards


@register.simple_tag
def account_orders(account: Any, user: Any) -> list[SalesOrder]:
    """The latest orders of a customer the user may see."""
    return _cards(account, user)["latest"]


@register.simple_tag
def account_open_deliveries(account: Any, user: Any) -> list[SalesOrder]:
    """Late or at-risk orders of a customer."""
    return _cards(account, user)["open"]


@register.simple_tag
def opportunity_orders(opportunity: Any, user: Any) -> list[SalesOrder]:
    if opportunity is None or not getattr(user, "is_authenticated", False):
        return []
    return sel.opportunity_orders(user, opportunity.pk)

