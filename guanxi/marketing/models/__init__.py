"""Marketing's tables, one module per subject."""

from guanxi.marketing.models.campaigns import (
    Campaign,
    CampaignCost,
    CampaignLink,
    CampaignMember,
    CampaignResponse,
    EventRegistration,
)
from guanxi.marketing.models.greetings import GreetingRule, GreetingSent, Holiday
from guanxi.marketing.models.segments import Segment, SegmentMember
from guanxi.marketing.models.sms import SmsAccount, SmsMessage, SmsReply, SmsTemplate

__all__ = ["Campaign", "CampaignCost", "CampaignLink", "CampaignMember", "CampaignResponse",
           "EventRegistration", "GreetingRule", "GreetingSent", "Holiday", "Segment",
           "SegmentMember", "SmsAccount", "SmsMessage", "SmsReply", "SmsTemplate"]
