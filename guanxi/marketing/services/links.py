"""Tracked links handed out by hand (a WeChat campaign): one per member and link, and one
shared link per campaign link for a group post. Both go through the signed click redirect
(``marketing:click``), which only ever redirects to the campaign's own links."""

from __future__ import annotations

from django.db.models import F
from django.urls import reverse

from guanxi.marketing.models import CampaignLink
from guanxi.marketing.services.messages import _site, track_token

#: The member id a shared link's token carries: clicks on it are counted on the link.
SHARED = 0


def tracked_url(member_id: int, link_id: int) -> str:
    return _site() + reverse("marketing:click", args=[track_token(member_id, link_id)])


def shared_url(link: CampaignLink) -> str:
    return tracked_url(SHARED, link.pk)


def count_shared_click(link: CampaignLink) -> None:
    CampaignLink.objects.filter(pk=link.pk).update(shared_clicks=F("shared_clicks") + 1)
