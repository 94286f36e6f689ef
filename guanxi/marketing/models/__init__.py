"""Marketing's tables, one module per subject."""

from guanxi.marketing.models.campaigns import (
    Campaign,
    CampaignCost,
    CampaignLink,
    CampaignMember,
    CampaignResponse,
)
from guanxi.marketing.models.segments import Segment, SegmentMember

__all__ = ["Campaign", "CampaignCost", "CampaignLink", "CampaignMember", "CampaignResponse",
           "Segment", "SegmentMember"]
