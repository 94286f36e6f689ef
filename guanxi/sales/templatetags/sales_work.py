"""Template tags of the work includes on the customer, opportunity and home pages."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.core.permissions import allowed
from guanxi.sales.selectors import work as sel

register = template.Library()


@register.simple_tag
def opportunity_work(user: Any, opportunity: Any) -> dict:
    return sel.opportunity_work(user, opportunity)


@register.simple_tag
def support_waiting(user: Any) -> int:
    """Pending support requests the user decides (the navigation badge)."""
    if not allowed("sales.decide_support_requests", user):
        return 0
    return sel.pending_support_count(user)
