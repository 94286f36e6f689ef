"""The analytics entries of the sidebar."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role
from guanxi.core.navigation import NavItem, roles

READERS = roles(Role.EXECUTIVE, Role.ADMIN, Role.MANAGER, Role.MARKETING)

ITEMS = [
    NavItem("analytics.dashboard", "analytics", _("Executive dashboard"),
            "analytics:dashboard", "bi-speedometer2", order=10, visible=READERS),
    NavItem("analytics.runs", "analytics", _("Analysis runs"), "analytics:runs", "bi-cpu",
            order=20, visible=READERS),
    NavItem("analytics.customers", "analytics", _("Customer value"), "analytics:customers",
            "bi-gem", order=30, visible=lambda user: not user.role_codes <= {Role.SERVICE}),
    NavItem("analytics.import", "analytics", _("Import transactions"), "analytics:import",
            "bi-upload", order=40, visible=roles(Role.ADMIN, Role.FINANCE)),
    NavItem("analytics.settings", "settings", _("Analytics settings"), "analytics:settings",
            "bi-sliders", order=40, visible=roles(Role.ADMIN)),
]
