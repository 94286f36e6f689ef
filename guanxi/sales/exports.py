"""The sales lists in the export registry (``guanxi.core.exports``): each names the filter
selector its page and API call, so a file holds what the page shows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from guanxi.core.exports import ListExport, field_columns, register


def register_exports() -> None:
    from guanxi.sales.models import Activity, Lead, Opportunity, Task
    from guanxi.sales.selectors.leads import filter_leads
    from guanxi.sales.selectors.opportunities import filter_opportunities
    from guanxi.sales.selectors.work import filter_activities, filter_tasks

    register(ListExport("leads", gettext_lazy("Leads"), Lead, filter_leads, field_columns(
        Lead, ("name", "company", "title", "phone", "email", "province", "city", "source",
               "timeframe", "interest", "budget", "status", "score", "owner", "created_at")),
        related=("owner",)))
    register(ListExport("opportunities", gettext_lazy("Opportunities"), Opportunity,
                        filter_opportunities, field_columns(Opportunity, (
                            "name", "account", "stage", "amount", "currency", "probability",
                            "expected_close", "source", "owner", "next_step")),
                        related=("account", "stage", "owner")))
    register(ListExport("activities", gettext_lazy("Activities"), Activity, filter_activities,
                        field_columns(Activity, (
                            "starts_at", "kind", "subject", "status", "account", "contact",
                            "opportunity", "lead", "outcome", "location", "owner")),
                        order_by=("-starts_at", "-id")))
    register(ListExport("tasks", gettext_lazy("Tasks"), Task, filter_tasks, field_columns(
        Task, ("title", "due_at", "priority", "status", "assignee", "account", "opportunity",
               "lead", "done_at")), order_by=("due_at", "id")))
