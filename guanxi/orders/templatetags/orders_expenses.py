"""Template tags of the sales expense card on the customer page and the navigation."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from guanxi.orders import permissions as perms
from guanxi.orders.selectors import expenses as sel

register = template.Library()


@register.simple_tag
def account_expenses(user: Any, account: Any) -> dict | None:
    """This year's approved expenses of the customer against its revenue, or None."""
    if not getattr(user, "is_authenticated", False) or account is None:
        return None
    return sel.account_summary(user, account, timezone.localdate())


@register.simple_tag
def claims_expenses(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and perms.can_claim_expense(user)
