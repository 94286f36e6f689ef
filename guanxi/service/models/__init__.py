from guanxi.service.models.assets import (
    Asset,
    CoverageKind,
    ServiceStation,
    Technician,
    WarrantyCoverage,
    WarrantyTerm,
)
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
from guanxi.service.models.knowledge import Article, ArticleCategory
from guanxi.service.models.records import PartLine, ServiceRecord
from guanxi.service.models.sla import BusinessHours, Holiday, SlaPolicy
from guanxi.service.models.surveys import ArticleLink, Survey

__all__ = [
    "Article", "ArticleCategory", "ArticleLink", "Asset", "AssignmentRule", "BusinessHours", "Case",
    "CaseAttachment", "CaseEvent", "CaseMessage", "CaseSequence", "CoverageKind", "Holiday",
    "PartLine", "ServiceRecord", "ServiceSettings", "ServiceStation", "ServiceTeam",
    "SlaPolicy", "Survey", "Technician", "WarrantyCoverage", "WarrantyTerm",
]
