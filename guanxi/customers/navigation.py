"""The customers' entries of the sidebar."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role
from guanxi.core.navigation import NavItem, roles


def approvals_waiting(user: Any) -> int:
    """How many items of the one approvals inbox wait for ``user`` (every app's kinds)."""
    from guanxi.core import approvals

    return approvals.count(user)


ITEMS = [
    NavItem("customers.home", "home", _("Home"), "customers:home", "bi-house", order=10),
    NavItem("customers.approvals", "home", _("Approvals"), "customers:approvals",
            "bi-check2-square", order=40, badge=approvals_waiting),
    NavItem("customers.list", "customers", _("Customers"), "customers:list", "bi-buildings",
            order=10, active=("customers:list", "customers:detail", "customers:edit",
                              "customers:create", "customers:search")),
    NavItem("customers.pool", "customers", _("Public pool"), "customers:pool", "bi-water",
            order=20),
    NavItem("customers.pool_policy", "settings", _("Pool rules"), "customers:pool_policy",
            "bi-arrow-repeat", order=60, visible=roles(Role.ADMIN)),
]
