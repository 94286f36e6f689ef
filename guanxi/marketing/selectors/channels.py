"""Reads for the channels that are worked rather than sent: a phone campaign's call list and
its outcomes, an event's registrations and check-ins, a WeChat campaign's tracked links."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from guanxi.accounts.models import User
from guanxi.core.access import get_visible
from guanxi.core.normalize import phone_digits_for_search
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import Campaign, CampaignLink, CampaignMember, EventRegistration

WORKED_CHANNELS = ("phone", "event", "wechat")


def workable_campaigns(user: User) -> QuerySet[Campaign]:
    """Campaigns the user reads, or works as one of its named agents."""
    if perms.can_view_campaigns(user):
        return Campaign.objects.all()
    if not user.is_active:
        return Campaign.objects.none()
    # Few campaigns name agents; JSON containment is not portable to SQLite.
    worked = [pk for pk, options in Campaign.objects.filter(
        channel__in=WORKED_CHANNELS).exclude(status=Campaign.Status.DRAFT)
        .values_list("pk", "options") if user.pk in (options or {}).get("agents", [])]
    return Campaign.objects.filter(pk__in=worked)


def agent_campaigns(user: User) -> list[Campaign]:
    """The running campaigns that name the user as an agent (their way to the call list or
    the check-in page)."""
    if not user.is_active:
        return []
    running = Campaign.objects.filter(channel__in=WORKED_CHANNELS, status__in=(
        Campaign.Status.SENDING, Campaign.Status.DONE)).order_by("-frozen_at", "-id")
    return [c for c in running.only("pk", "name", "channel", "options", "status")
            if user.pk in (c.options or {}).get("agents", [])][:20]


def get_workable_campaign(user: User, pk: Any) -> Campaign:
    return get_visible(workable_campaigns(user), pk=pk)


def call_queue(user: User, campaign: Campaign) -> QuerySet[CampaignMember]:
    """The members still to be called that the user may call (the customers they see), due
    call-backs first."""
    from guanxi.customers.selectors import account_scope

    qs = CampaignMember.objects.filter(campaign=campaign, is_control=False,
                                       state=CampaignMember.State.PENDING) \
        .select_related("account", "contact", "campaign")
    scope = account_scope(user, "account__")
    if scope is not None:
        qs = qs.filter(scope)
    return qs.order_by(F("callback_at").asc(nulls_last=True), "id")


def call_stats(campaign: Campaign) -> dict[str, Any]:
    """Calls made, members called, still to call, and the count per last outcome."""
    from guanxi.marketing.services.calls import OUTCOMES

    members = CampaignMember.objects.filter(campaign=campaign, is_control=False)
    totals = members.aggregate(
        total=Count("id"), called=Count("id", filter=Q(called_at__isnull=False)),
        calls=Sum("calls"), open=Count("id", filter=Q(state=CampaignMember.State.PENDING)))
    counts = dict(members.exclude(call_outcome="").values_list("call_outcome")
                  .annotate(n=Count("id")).values_list("call_outcome", "n"))
    return {"total": totals["total"], "called": totals["called"], "calls": totals["calls"] or 0,
            "open": totals["open"],
            "outcomes": [(key, label, counts.get(key, 0)) for key, label in OUTCOMES.items()]}


def registrations(campaign: Campaign, query: str = "") -> QuerySet[EventRegistration]:
    """The event's registrations; ``query`` finds by code, name, company or mobile."""
    qs = EventRegistration.objects.filter(campaign=campaign)
    query = " ".join((query or "").split())
    if query:
        match = Q(code=query.upper()) | Q(name__icontains=query) | \
            Q(company__icontains=query)
        digits = phone_digits_for_search(query)
        if len(digits) >= 4:
            match |= Q(phone__contains=digits)
        qs = qs.filter(match)
    return qs.order_by("checked_in_at", "name", "id")


def event_stats(campaign: Campaign) -> dict[str, Any]:
    from guanxi.marketing.services.events import capacity

    counts = EventRegistration.objects.filter(campaign=campaign).aggregate(
        registered=Count("id"), checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
        invited=Count("id", filter=Q(member__isnull=False)))
    limit = capacity(campaign)
    return {**counts, "walk_ins": counts["registered"] - counts["invited"], "capacity": limit,
            "free": None if limit is None else max(0, limit - counts["registered"]),
            "invitations": CampaignMember.objects.filter(campaign=campaign, is_control=False,
                                                         sent_at__isnull=False).count()}


def link_stats(campaign: Campaign) -> dict[str, Any]:
    members = CampaignMember.objects.filter(campaign=campaign, is_control=False)
    counts = members.aggregate(total=Count("id"),
                               clicked=Count("id", filter=Q(clicked_at__isnull=False)))
    clicks = campaign.responses.filter(kind="clicked").count()
    links = list(CampaignLink.objects.filter(campaign=campaign).order_by("id"))
    return {**counts, "clicks": clicks, "links": links,
            "shared_clicks": sum(link.shared_clicks for link in links)}


def member_links(campaign: Campaign, limit: int = 500) -> list[tuple[CampaignMember, list[str]]]:
    """Each member (the first ``limit``) with their tracked link for every campaign link."""
    from guanxi.marketing.services.links import tracked_url

    links = list(CampaignLink.objects.filter(campaign=campaign).order_by("id"))
    members = CampaignMember.objects.filter(campaign=campaign, is_control=False) \
        .select_related("account", "contact").order_by("id")[:limit]
    return [(m, [tracked_url(m.pk, link.pk) for link in links]) for m in members]
