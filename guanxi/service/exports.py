"""Cases in the export registry: the same filter selector as the list page and the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from guanxi.core.exports import ListExport, field_columns, register


def register_exports() -> None:
    from guanxi.service.models import Case
    from guanxi.service.permissions import can_see_service
    from guanxi.service.selectors.cases import select_cases

    register(ListExport("cases", gettext_lazy("Service cases"), Case, select_cases,
                        field_columns(Case, (
                            "number", "kind", "channel", "priority", "status", "subject",
                            "account", "contact", "requester_email", "product", "team",
                            "assignee", "sla_state", "response_due", "resolution_due",
                            "first_response_at", "resolved_at", "closed_at", "root_cause",
                            "created_at")),
                        may_export=can_see_service,
                        related=("account", "contact", "product", "team", "assignee"),
                        order_by=("-created_at", "-id")))
