"""Leads from a campaign: responders become leads for sales, carrying the campaign as their
source (source "campaign", the campaign named in the source detail), routed like any lead."""

from __future__ import annotations

from django.db import transaction

from guanxi.accounts.models import User
from guanxi.marketing.models import Campaign, CampaignMember

RESPONDED = ("clicked_at", "replied_at", "registered_at")


def source_detail(campaign: Campaign) -> str:
    return f"{campaign.name} (#{campaign.pk})"[:200]


@transaction.atomic
def lead_from_member(actor: User, member: CampaignMember):
    """A lead for the member's contact, with the campaign as its source."""
    from guanxi.sales.services.leads import create_lead

    contact, account = member.contact, member.account
    data = {"name": (contact.name if contact else account.name)[:100],
            "company": "" if account.kind == "person" else account.name[:200],
            "email": (contact.email if contact else account.email) or "",
            "phone": ((contact.mobile or contact.phone) if contact else account.phone) or "",
            "source": "campaign", "source_detail": source_detail(member.campaign),
            "timeframe": "3m"}
    return create_lead(actor, data, account=account)


def leads_from_responders(actor: User, campaign: Campaign) -> int:
    """Every member who clicked, replied or registered and has no lead from this campaign
    yet becomes one; returns how many leads were made."""
    from django.db.models import Q

    from guanxi.sales.selectors.leads import accounts_with_leads_from

    have = accounts_with_leads_from(source_detail(campaign))
    responded = Q()
    for column in RESPONDED:
        responded |= Q(**{f"{column}__isnull": False})
    made = 0
    for member in CampaignMember.objects.filter(responded, campaign=campaign,
                                                is_control=False) \
            .exclude(account_id__in=have).select_related("account", "contact", "campaign"):
        lead_from_member(actor, member)
        made += 1
    return made
