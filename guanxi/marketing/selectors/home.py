"""The marketing panel of the home page: campaigns sending with their progress, today's
greetings, the latest responses and the ROI of the last finished campaigns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from guanxi.accounts.models import User
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import (
    Campaign,
    CampaignCost,
    CampaignMember,
    CampaignResponse,
    Segment,
)
from guanxi.marketing.selectors.greetings import today_counts

#: Responses worth a look on the home page (sent and delivered are the sender's own).
NOTABLE = ("replied", "clicked", "registered", "attended", "converted", "unsubscribed")


def roi_of(campaigns: list[Campaign]) -> dict[int, Decimal | None]:
    """ROI = (attributed gross margin − cost) / cost of each campaign, in two queries."""
    ids = [c.pk for c in campaigns]
    margins = dict(CampaignMember.objects.filter(campaign_id__in=ids, is_control=False,
                                                 converted_at__isnull=False)
                   .values_list("campaign_id").annotate(m=Sum("margin"))
                   .values_list("campaign_id", "m"))
    costs = dict(CampaignCost.objects.filter(campaign_id__in=ids).values_list("campaign_id")
                 .annotate(s=Sum("amount")).values_list("campaign_id", "s"))
    out: dict[int, Decimal | None] = {}
    for pk in ids:
        cost = costs.get(pk) or Decimal("0")
        margin = margins.get(pk) or Decimal("0")
        out[pk] = ((margin - cost) / cost).quantize(Decimal("0.0001")) if cost else None
    return out


def home(user: User) -> dict[str, Any]:
    from guanxi.marketing.services.sending import progress

    if not perms.can_view_campaigns(user):
        return {}
    counts = {s: 0 for s in Campaign.Status.values}
    for status in Campaign.objects.values_list("status", flat=True):
        counts[status] += 1
    sending = list(Campaign.objects.filter(status=Campaign.Status.SENDING)
                   .order_by("-frozen_at", "-id")[:5])
    finished = list(Campaign.objects.filter(status=Campaign.Status.DONE)
                    .order_by("-finished_at", "-id")[:5])
    rois = roi_of(finished)
    responses = list(CampaignResponse.objects.filter(kind__in=NOTABLE)
                     .select_related("campaign", "member__account").order_by("-at", "-id")[:8])
    return {"sending": counts["sending"], "planned": counts["draft"] + counts["scheduled"],
            "segments": Segment.objects.filter(is_active=True).count(),
            "running": [{"c": c, "progress": progress(c)} for c in sending],
            "finished": [{"c": c, "roi": rois[c.pk]} for c in finished],
            "responses": responses, "greetings": today_counts()}
