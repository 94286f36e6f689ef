"""Sales: leads and their routing, opportunities on pipelines, team selling, activities,
support requests, tasks, calendar feeds and e-mail from the record."""

from guanxi.sales.models.leads import Lead, LeadQuerySet, LeadRoutingRule, Timeframe, WebForm
from guanxi.sales.models.opportunities import (
    LossReason,
    Opportunity,
    OpportunityMember,
    OpportunityQuerySet,
    Pipeline,
    Stage,
    StageChange,
)
from guanxi.sales.models.targets import SalesTarget
from guanxi.sales.models.work import (
    Activity,
    CalendarFeed,
    EmailMessage,
    EmailTemplate,
    SupportRequest,
    Task,
)

__all__ = [
    "Activity", "CalendarFeed", "EmailMessage", "EmailTemplate", "Lead", "LeadQuerySet",
    "LeadRoutingRule", "LossReason", "Opportunity", "OpportunityMember", "OpportunityQuerySet",
    "Pipeline", "SalesTarget", "Stage", "StageChange", "SupportRequest", "Task", "Timeframe",
    "WebForm",
]
