"""Reads of campaigns: the list, one campaign, and a customer's campaigns and responses."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from guanxi.accounts.models import User
from guanxi.core.access import get_visible
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import Campaign, CampaignMember, CampaignResponse


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    if not perms.can_view_campaigns(user):
        return Campaign.objects.none()
    return Campaign.objects.select_related("owner").annotate(
        n_members=Count("members", filter=Q(members__is_control=False)),
        n_sent=Count("members", filter=Q(members__sent_at__isnull=False)))


def get_campaign(user: User, pk: Any) -> Campaign:
    return get_visible(visible_campaigns(user), pk=pk)


def account_campaigns(user: User, account_id: int, limit: int = 10) -> list[CampaignMember]:
    """The campaigns the customer was in, newest first, with their responses (anyone who
    sees the customer sees these: a rep their own customers' responses)."""
    return list(CampaignMember.objects.filter(account_id=account_id)
                .select_related("campaign", "contact").order_by("-campaign__frozen_at", "-id")
                [:limit])


def visible_members(user: User) -> QuerySet[CampaignMember]:
    """Members of the campaigns the user plans, and of the customers a rep sees."""
    from guanxi.customers.selectors import account_scope

    qs = CampaignMember.objects.select_related("campaign", "account", "contact")
    if perms.can_view_campaigns(user):
        return qs
    scope = account_scope(user, "account__")
    return qs if scope is None else qs.filter(scope)


def visible_responses(user: User) -> QuerySet[CampaignResponse]:
    from guanxi.customers.selectors import account_scope

    qs = CampaignResponse.objects.select_related("member", "campaign")
    if perms.can_view_campaigns(user):
        return qs
    scope = account_scope(user, "member__account__")
    return qs if scope is None else qs.filter(scope)


def filter_campaigns(user: User, params: Any) -> QuerySet[Campaign]:
    """Campaigns list (page, API, export): ``status``, ``channel``."""
    from guanxi.core.filters import Param, parse

    f = parse(params, (Param("status", "choice", tuple(Campaign.Status.values)),
                       Param("channel")))
    qs = visible_campaigns(user)
    for name in ("status", "channel"):
        if f.get(name):
            qs = qs.filter(**{name: f[name]})
    return qs


def filter_members(user: User, params: Any) -> QuerySet[CampaignMember]:
    """Members (API, export): ``campaign``, ``account``, ``response`` (a kind that happened)."""
    from guanxi.core.filters import Param, parse

    kinds = ("sent", "delivered", "bounced", "opened", "clicked", "replied", "registered",
             "converted", "unsubscribed")
    f = parse(params, (Param("campaign", "int"), Param("account", "int"),
                       Param("response", "choice", kinds)))
    qs = visible_members(user)
    if f.get("campaign") is not None:
        qs = qs.filter(campaign_id=f["campaign"])
    if f.get("account") is not None:
        qs = qs.filter(account_id=f["account"])
    if f.get("response"):
        qs = qs.filter(**{f"{f['response']}_at__isnull": False})
    return qs
