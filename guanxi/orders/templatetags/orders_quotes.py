"""Template tags for quotes on other pages: the customer's and the opportunity's latest quotes,
the colour of a status pill, and whether the review panel is installed."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from guanxi.orders import permissions as perms
from guanxi.orders.selectors import quotes as sel

register = template.Library()
LIMIT = 5
PILLS = {"draft": "pill-neutral", "in_approval": "pill-pending", "approved": "pill-accent",
         "rejected": "pill-rejected", "sent": "pill-accent", "accepted": "pill-approved",
         "declined": "pill-rejected", "superseded": "pill-neutral",
         "cancelled": "pill-neutral"}


@register.simple_tag
def account_quotes(account: Any, user: Any) -> dict[str, Any]:
    """The customer's latest quotes ``user`` may see (current versions)."""
    rows = sel.latest_for_account(user, account.pk, LIMIT + 1)
    return {"rows": rows[:LIMIT], "more": len(rows) > LIMIT,
            "can_create": perms.can_create_quote(user, account)
            and not account.merged_into_id and account.approval != "rejected"}


@register.simple_tag
def opportunity_quotes(opportunity: Any, user: Any) -> dict[str, Any]:
    rows = sel.latest_for_opportunity(user, opportunity.pk)
    return {"rows": rows, "can_create": perms.can_create_quote(user)}


@register.filter
def quote_pill(status: str) -> str:
    return PILLS.get(status, "pill-neutral")


_panel: list[bool] = []


@register.simple_tag
def review_panel_ready() -> bool:
    """True once the review pages provide their panel (looked up until it is found)."""
    if not _panel:
        try:
            get_template("orders/reviews/_panel.html")
        except TemplateDoesNotExist:
            return False
        _panel.append(True)
    return True
