"""The sales entries of the sidebar: the sales area (leads, opportunities, board, forecast),
the personal pages on Home (today, my work, calendar) and the sales settings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role
from guanxi.core.navigation import NavItem, roles

#: Who sells: they see the sales area and its personal pages.
SELLERS = (Role.REP, Role.ASSISTANT, Role.MANAGER, Role.FINDER, Role.EXECUTIVE, Role.ADMIN)
#: Leads are worked by the sellers and by marketing (web forms, campaigns).
LEAD_WORKERS = (*SELLERS, Role.MARKETING)


def _manager_not_admin(user: Any) -> bool:
    return user.has_role(Role.MANAGER) and not user.has_role(Role.ADMIN)


ITEMS = [
    NavItem("sales.today", "home", _("Today"), "sales:today", "bi-sun", order=20),
    NavItem("sales.my_work", "home", _("My work"), "sales:my_work", "bi-person-workspace",
            order=25, visible=roles(*SELLERS)),
    NavItem("sales.calendar", "home", _("Calendar"), "sales:calendar", "bi-calendar3",
            order=30, active=("sales:tasks", "sales:calendar", "sales:calendar_feed")),
    NavItem("sales.leads", "sales", _("Leads"), "sales:lead_list", "bi-person-lines-fill",
            order=10, visible=roles(*LEAD_WORKERS), active=("sales:lead_*",)),
    NavItem("sales.opportunities", "sales", _("Opportunities"), "sales:opportunities",
            "bi-briefcase", order=20, visible=roles(*SELLERS),
            active=("sales:opportunities", "sales:opportunity", "sales:opportunity_create",
                    "sales:opportunity_edit")),
    NavItem("sales.board", "sales", _("Board"), "sales:board", "bi-kanban", order=30,
            visible=roles(*SELLERS), active=("sales:board", "sales:board_pipeline")),
    NavItem("sales.forecast", "sales", _("Forecast"), "sales:forecast", "bi-bar-chart-line",
            order=40, visible=roles(*SELLERS)),
    NavItem("sales.funnel", "sales", _("Funnel"), "sales:funnel", "bi-funnel", order=50,
            visible=roles(*SELLERS)),
    # Deciding is in the one approvals inbox; here are the user's own requests.
    NavItem("sales.support_requests", "sales", _("Support requests"), "sales:support_requests",
            "bi-flag", order=60, visible=roles(*SELLERS), query="?mine=1"),
    NavItem("sales.email_templates_own", "sales", _("E-mail templates"),
            "sales:email_templates", "bi-envelope-paper", order=70, visible=_manager_not_admin,
            active=("sales:email_template*",)),
    NavItem("sales.routing_rules", "settings", _("Lead routing"), "sales:routing_rules",
            "bi-shuffle", order=10, visible=roles(Role.ADMIN), active=("sales:routing_rule*",)),
    NavItem("sales.web_forms", "settings", _("Web forms"), "sales:web_forms", "bi-window-plus",
            order=11, visible=roles(Role.ADMIN), active=("sales:web_form*",)),
    NavItem("sales.pipelines", "settings", _("Pipelines"), "sales:pipelines",
            "bi-signpost-split", order=12, visible=roles(Role.ADMIN),
            active=("sales:pipelines", "sales:pipeline", "sales:pipeline_create",
                    "sales:stage_edit", "sales:stage_create")),
    NavItem("sales.email_templates", "settings", _("E-mail templates"),
            "sales:email_templates", "bi-envelope-paper", order=13, visible=roles(Role.ADMIN),
            active=("sales:email_template*",)),
]
