"""What a campaign earned: conversions attributed within the window, response rates by
segment, RFM segment, lifecycle stage, value type and province, the uplift over the control
group, and ROI = (attributed gross margin − cost) / cost.

A member converted when their customer placed an order (or won an opportunity) within
``conversion_days`` after the message was sent — for control members, after the members
were frozen: the same window, so the uplift compares like with like. The attributed gross
margin is that of the orders in the window (amount before tax − cost of goods)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from guanxi.customers.models import Address
from guanxi.marketing.models import Campaign, CampaignCost, CampaignMember
from guanxi.marketing.services.responses import record_response

ZERO = Decimal("0")
RATES = ("delivered", "opened", "clicked", "replied", "registered", "converted",
         "unsubscribed", "bounced")
CHUNK = 1000


def attribute_conversions(campaign: Campaign, now: dt.datetime | None = None) -> int:
    """Mark members converted by an order or a won opportunity in their window; returns how
    many newly converted. Safe to run again (the analysis run does, daily)."""
    from guanxi.orders.selectors.orders import orders_of_accounts_between
    from guanxi.sales.selectors.opportunities import won_of_accounts_between

    if campaign.frozen_at is None:
        return 0
    now = now or timezone.now()
    window = dt.timedelta(days=campaign.conversion_days)
    members = CampaignMember.objects.filter(campaign=campaign, converted_at__isnull=True) \
        .filter(Q(is_control=True) | Q(sent_at__isnull=False)).order_by("id")
    converted = 0
    last = 0
    while True:
        chunk = list(members.filter(id__gt=last)[:CHUNK])
        if not chunk:
            return converted
        last = chunk[-1].pk
        starts = {m.pk: (m.sent_at or campaign.frozen_at) for m in chunk}
        since = min(starts.values())
        until = min(max(starts.values()) + window, now)
        accounts = list({m.account_id for m in chunk})
        orders = defaultdict(list)
        for row in orders_of_accounts_between(accounts, timezone.localdate(since),
                                              timezone.localdate(until)):
            orders[row["account_id"]].append(row)
        wins = defaultdict(list)
        for row in won_of_accounts_between(accounts, since, until):
            wins[row["account_id"]].append(row)
        for member in chunk:
            start, end = starts[member.pk], starts[member.pk] + window
            first_day, last_day = timezone.localdate(start), timezone.localdate(end)
            hits = [o for o in orders[member.account_id]
                    if first_day <= o["order_date"] <= last_day]
            won = [w for w in wins[member.account_id] if start <= w["closed_at"] <= end]
            if not hits and not won:
                continue
            when = min([timezone.make_aware(dt.datetime.combine(o["order_date"], dt.time(12)))
                        for o in hits] + [w["closed_at"] for w in won])
            revenue = sum((o["net_amount"] for o in hits), ZERO) or \
                sum((w["amount"] for w in won), ZERO)
            margin = sum((o["net_amount"] - o["cost"] for o in hits), ZERO)
            with transaction.atomic():
                CampaignMember.objects.filter(pk=member.pk).update(revenue=revenue,
                                                                   margin=margin)
                if record_response(member, "converted", at=max(when, start), once=True,
                                   data={"revenue": str(revenue), "margin": str(margin)}):
                    converted += 1


def cost_of(campaign: Campaign) -> Decimal:
    return CampaignCost.objects.filter(campaign=campaign).aggregate(s=Sum("amount"))["s"] \
        or ZERO


def _counts(qs: Any) -> dict[str, Any]:
    agg = qs.aggregate(
        members=Count("id"), sent=Count("id", filter=Q(sent_at__isnull=False)),
        **{k: Count("id", filter=Q(**{f"{k}_at__isnull": False})) for k in RATES},
        revenue=Sum("revenue"), margin=Sum("margin"))
    sent = agg["sent"] or 0
    # E-mail has no delivery receipt: what was sent and did not bounce was delivered.
    if not agg["delivered"]:
        agg["delivered"] = max(0, sent - (agg["bounced"] or 0))
    agg["rates"] = {k: (agg[k] / sent if sent else None) for k in RATES}
    agg["revenue"] = agg["revenue"] or ZERO
    agg["margin"] = agg["margin"] or ZERO
    return agg


def summary(campaign: Campaign) -> dict[str, Any]:
    """Counts, rates, uplift over the control group and ROI of the campaign."""
    members = CampaignMember.objects.filter(campaign=campaign)
    treated = _counts(members.filter(is_control=False))
    control = members.filter(is_control=True).aggregate(
        n=Count("id"), converted=Count("id", filter=Q(converted_at__isnull=False)))
    treated_rate = treated["rates"]["converted"]
    control_rate = (control["converted"] / control["n"]) if control["n"] else None
    cost = cost_of(campaign)
    margin = treated["margin"]
    return {
        "treated": treated, "control": control,
        "treated_conversion": treated_rate, "control_conversion": control_rate,
        "uplift": (treated_rate - control_rate)
        if treated_rate is not None and control_rate is not None else None,
        "cost": cost, "budget": campaign.budget, "margin": margin,
        "revenue": treated["revenue"],
        "roi": ((margin - cost) / cost).quantize(Decimal("0.0001")) if cost else None,
    }


def breakdown(campaign: Campaign, by: str) -> list[dict[str, Any]]:
    """Response rates of the (non-control) members by ``segment``, ``rfm`` (RFM segment),
    ``lifecycle``, ``value_type`` or ``province``."""
    members = CampaignMember.objects.filter(campaign=campaign, is_control=False)
    groups: dict[str, list[int]] = defaultdict(list)
    if by == "segment":
        from guanxi.marketing.selectors.segments import segment_accounts

        rows = []
        for segment in campaign.segments.all():
            user = campaign.owner or campaign.created_by
            if user is None:
                continue
            qs = members.filter(account__in=segment_accounts(user, segment).values("pk"))
            rows.append({"key": segment.name, **_counts(qs)})
        return rows
    if by == "province":
        lookup = dict(Address.objects.filter(
            account_id__in=members.values("account_id"), is_primary=True)
            .values_list("account_id", "province"))
        for m_id, account_id in members.values_list("id", "account_id"):
            groups[lookup.get(account_id) or "—"].append(m_id)
    elif by in ("rfm", "lifecycle", "value_type"):
        from guanxi.analytics.selectors import current_values

        column = {"rfm": "segment", "lifecycle": "lifecycle", "value_type": "value_type"}[by]
        lookup = current_values(members.values("account_id"), column)
        for m_id, account_id in members.values_list("id", "account_id"):
            groups[lookup.get(account_id) or "—"].append(m_id)
    else:
        raise ValueError(by)
    return [{"key": key, **_counts(CampaignMember.objects.filter(pk__in=ids))}
            for key, ids in sorted(groups.items(), key=lambda kv: -len(kv[1]))]


# --- Contributions to analytics --------------------------------------------------------------

def roi_between(since: dt.date | None, until: dt.date) -> float | None:
    """ROI of the campaigns sent in the period, all together (a KPI over time)."""
    campaigns = Campaign.objects.filter(frozen_at__date__lte=until)
    if since is not None:
        campaigns = campaigns.filter(frozen_at__date__gt=since)
    cost = CampaignCost.objects.filter(campaign__in=campaigns).aggregate(s=Sum("amount"))["s"]
    if not cost:
        return None
    margin = CampaignMember.objects.filter(campaign__in=campaigns, is_control=False) \
        .aggregate(s=Sum("margin"))["s"] or ZERO
    return float((margin - cost) / cost)


def marketing_cost_of(account_id: int, until: dt.date | None = None) -> Decimal:
    """The customer's share of the campaigns that reached them: each campaign's cost split
    evenly over the members it sent to."""
    sent = CampaignMember.objects.filter(account_id=account_id, sent_at__isnull=False)
    if until is not None:
        sent = sent.filter(sent_at__date__lte=until)
    total = ZERO
    for campaign_id in sent.values_list("campaign_id", flat=True).distinct():
        cost = CampaignCost.objects.filter(campaign_id=campaign_id) \
            .aggregate(s=Sum("amount"))["s"] or ZERO
        reached = CampaignMember.objects.filter(campaign_id=campaign_id,
                                                sent_at__isnull=False).count()
        if cost and reached:
            total += cost / reached
    return total.quantize(Decimal("0.01"))

