"""Template tags of the work includes on the customer, opportunity and home pages."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.accounts.models import Role
from guanxi.customers.models import Account
from guanxi.sales.selectors import work as sel
from guanxi.sales.services.email import TEMPLATE_ROLES
from guanxi.sales.services.work_common import may_work_on

register = template.Library()


@register.simple_tag
def opportunity_work(user: Any, opportunity: Any) -> dict:
    return sel.opportunity_work(user, opportunity)


@register.simple_tag
def may_work(user: Any, account: Account | None = None, opportunity: Any = None,
             lead: Any = None) -> bool:
    """May the user log activities, add tasks and write e-mails on this record?"""
    if not getattr(user, "is_authenticated", False):
        return False
    return may_work_on(user, account, opportunity, lead)


@register.simple_tag
def edits_email_templates(user: Any) -> bool:
    return user.has_role(*TEMPLATE_ROLES)


@register.simple_tag
def decides_support(user: Any) -> bool:
    return user.has_role(Role.MANAGER, Role.ADMIN)


@register.simple_tag
def support_waiting(user: Any) -> int:
    """Pending support requests the user decides (the navigation badge)."""
    if not user.has_role(Role.MANAGER, Role.ADMIN):
        return 0
    return sel.pending_support_count(user)
