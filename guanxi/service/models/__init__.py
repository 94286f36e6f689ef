from guanxi.service.models.cases import (
    AssignmentRule,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseMessage,
    CaseSequence,
    ServiceSettings,
    ServiceTeam,
)
from guanxi.service.models.sla import BusinessHours, Holiday, SlaPolicy

__all__ = [
    "AssignmentRule", "BusinessHours", "Case", "CaseAttachment", "CaseEvent", "CaseMessage",
    "CaseSequence", "Holiday", "ServiceSettings", "ServiceTeam", "SlaPolicy",
]
