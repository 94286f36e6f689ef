"""The service entries of the sidebar."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.core.navigation import NavItem, rule

SEES = rule("service.see_service")

ITEMS = [
    NavItem("service.cases", "service", _("Cases"), "service:cases", "bi-headset", order=10,
            visible=SEES, active=("service:cases", "service:case", "service:case_create",
                                  "service:case_edit")),
    NavItem("service.queues", "service", _("Queues"), "service:my_queue", "bi-inbox", order=20,
            visible=SEES, active=("service:my_queue", "service:team_queue")),
    NavItem("service.assets", "service", _("Assets"), "service:assets", "bi-car-front",
            order=30, visible=SEES,
            active=("service:asset*", "service:coverage_add", "service:record_add")),
    NavItem("service.stations", "service", _("Service stations"), "service:stations",
            "bi-geo-alt", order=40, visible=SEES, active=("service:station*",)),
    NavItem("service.articles", "service", _("Knowledge base"), "service:articles",
            "bi-journal-text", order=50, visible=SEES, active=("service:article*",)),
    NavItem("service.analytics", "service", _("Service analytics"), "service:analytics",
            "bi-graph-up", order=60, visible=SEES),
    NavItem("service.settings", "service", _("Service settings"), "service:settings",
            "bi-stopwatch", order=70, visible=rule("service.manage_settings"),
            active=("service:settings", "service:policy_*", "service:rule_*", "service:team_*",
                    "service:hours_*")),
]
