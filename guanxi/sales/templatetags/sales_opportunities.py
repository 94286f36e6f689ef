"""Template tags for opportunities shown on other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.sales.selectors.opportunities import visible_opportunities
from guanxi.sales.services.opportunities import CREATE_ROLES

register = template.Library()
LIMIT = 10


@register.simple_tag
def account_opportunities(account: Any, user: Any) -> dict[str, Any]:
    """The customer's open opportunities that ``user`` may see, latest first."""
    rows = list(visible_opportunities(user).filter(account=account, closed_at__isnull=True)
                .select_related("stage", "owner").order_by("-updated_at", "-id")[:LIMIT + 1])
    return {"rows": rows[:LIMIT], "more": len(rows) > LIMIT,
            "can_create": user.has_role(*CREATE_ROLES) and not account.merged_into_id
            and account.approval != "rejected"}
