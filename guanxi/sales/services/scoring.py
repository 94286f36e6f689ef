"""Lead scoring: plain rules, each worth some points, so a rep sees why a lead ranks high.

The reasons are stored as untranslated messages with their points (``score_detail``), so each
reader sees them in their own language.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_noop

from guanxi.customers.models import Source
from guanxi.sales.models import Lead, Timeframe

TIMEFRAME_POINTS: dict[str, tuple[str, int]] = {
    Timeframe.IMMEDIATE: (gettext_noop("Buys immediately"), 30),
    Timeframe.MONTHS_3: (gettext_noop("Buys within 3 months"), 20),
    Timeframe.MONTHS_6: (gettext_noop("Buys within 6 months"), 10),
    Timeframe.MONTHS_12: (gettext_noop("Buys within a year"), 5),
}
# Referrals and exhibition visitors buy more often than anonymous web visitors.
SOURCE_POINTS: dict[str, tuple[str, int]] = {
    Source.REFERRAL: (gettext_noop("Came through a referral"), 15),
    Source.EXHIBITION: (gettext_noop("Met at an exhibition"), 10),
    Source.WEBSITE: (gettext_noop("Asked on the website"), 8),
    Source.PORTAL: (gettext_noop("Asked on the customer portal"), 8),
    Source.CALL_CENTRE: (gettext_noop("Called the call centre"), 6),
    Source.CAMPAIGN: (gettext_noop("Answered a campaign"), 6),
}
BUDGET_POINTS = (  # (at least, msgid, points), largest first
    (Decimal("1000000"), gettext_noop("Budget of 1,000,000 or more"), 20),
    (Decimal("100000"), gettext_noop("Budget of 100,000 or more"), 15),
    (Decimal("0.01"), gettext_noop("Budget given"), 8),
)
MAX_SCORE = 100


def score_lead(lead: Lead) -> tuple[int, list[list]]:
    """The score (0–100) and its reasons as ``[[msgid, points], …]``."""
    detail: list[list] = []
    if lead.timeframe in TIMEFRAME_POINTS:
        detail.append(list(TIMEFRAME_POINTS[lead.timeframe]))
    if lead.budget:
        for floor, msgid, points in BUDGET_POINTS:
            if lead.budget >= floor:
                detail.append([msgid, points])
                break
    if lead.source in SOURCE_POINTS:
        detail.append(list(SOURCE_POINTS[lead.source]))
    if lead.company:
        detail.append([gettext_noop("Company named"), 10])
    if lead.phone:
        detail.append([gettext_noop("Phone number given"), 8])
    if lead.email:
        detail.append([gettext_noop("E-mail given"), 4])
    if lead.title:
        detail.append([gettext_noop("Job title given"), 3])
    if lead.interest:
        detail.append([gettext_noop("Says what they are interested in"), 5])
    if lead.province:
        detail.append([gettext_noop("Region given"), 2])
    total = max(0, min(MAX_SCORE, sum(points for _msgid, points in detail)))
    return total, detail


def apply_score(lead: Lead) -> bool:
    """Set ``score`` and ``score_detail`` on the instance; True when they changed."""
    score, detail = score_lead(lead)
    changed = (score, detail) != (lead.score, lead.score_detail)
    lead.score, lead.score_detail = score, detail
    return changed
