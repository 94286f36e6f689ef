"""The data-in-and-out entries of the sidebar (settings of the administrators)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role
from guanxi.core.navigation import NavItem, roles

ADMIN = roles(Role.ADMIN)

ITEMS = [
    NavItem("integrations.imports", "settings", _("Imports"), "integrations:imports",
            "bi-upload", order=30, visible=ADMIN, active=("integrations:import*",)),
    NavItem("integrations.webhooks", "settings", _("Webhooks"), "integrations:webhooks",
            "bi-broadcast", order=31, visible=ADMIN, active=("integrations:webhook*",)),
    NavItem("integrations.automation", "settings", _("Automation rules"),
            "integrations:automation", "bi-lightning-charge", order=32, visible=ADMIN,
            active=("integrations:automation*",)),
]
