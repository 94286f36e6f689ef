"""Recording what members did: every channel (the e-mail sender, SMS receipts and replies,
call outcomes, event registrations, tracked links) reports responses here, so the analysis
counts them all alike.

A response is kept as it came (:class:`CampaignResponse`); the member's ``<kind>_at`` column
holds the first time, so rates are counts of non-empty columns. An unsubscribe also withdraws
the person's consent for the campaign's channel and purpose.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanxi.core import events
from guanxi.marketing.models import CampaignMember, CampaignResponse

Kind = CampaignResponse.Kind
# Kinds with a first-time column on the member.
FIRST_AT = {Kind.DELIVERED: "delivered_at", Kind.BOUNCED: "bounced_at",
            Kind.OPENED: "opened_at", Kind.CLICKED: "clicked_at", Kind.REPLIED: "replied_at",
            Kind.REGISTERED: "registered_at", Kind.CONVERTED: "converted_at",
            Kind.UNSUBSCRIBED: "unsubscribed_at", Kind.SENT: "sent_at"}
# A click or a reply proves the message was opened (images are often blocked).
IMPLIES = {Kind.CLICKED: (Kind.OPENED,), Kind.REPLIED: (Kind.OPENED,),
           Kind.OPENED: (Kind.DELIVERED,)}
EVENT_TYPES = {Kind.OPENED, Kind.CLICKED, Kind.REPLIED, Kind.REGISTERED, Kind.CONVERTED,
               Kind.UNSUBSCRIBED, Kind.BOUNCED, Kind.ATTENDED}


def record_response(member: CampaignMember | int, kind: str, *, at: dt.datetime | None = None,
                    data: dict[str, Any] | None = None, once: bool = False) -> bool:
    """Record that ``member`` responded with ``kind``. ``once``: skip it if this kind was
    already recorded for the member (an open pixel loaded ten times). True when recorded."""
    at = at or timezone.now()
    if isinstance(member, int):
        found = CampaignMember.objects.filter(pk=member).select_related("campaign").first()
        if found is None:
            return False
        member = found
    if kind not in Kind.values:
        raise ValueError(f"unknown response kind {kind!r}")
    column = FIRST_AT.get(Kind(kind))
    with transaction.atomic():
        first = False
        if column:
            first = bool(CampaignMember.objects.filter(pk=member.pk, **{f"{column}__isnull": True})
                         .update(**{column: at}))
            if once and not first:
                return False
        CampaignResponse.objects.create(member=member, campaign_id=member.campaign_id,
                                        kind=kind, at=at, data=data or {})
        for implied in IMPLIES.get(Kind(kind), ()):
            implied_column = FIRST_AT[implied]
            CampaignMember.objects.filter(pk=member.pk, **{f"{implied_column}__isnull": True}) \
                .update(**{implied_column: at})
        if kind in EVENT_TYPES and (first or not column):
            events.publish(f"marketing.member.{kind}", member,
                           data={"campaign": member.campaign_id, "account": member.account_id,
                                 "contact": member.contact_id, **(data or {})})
    return True


def on_consent_event(event: Any) -> None:
    """An unsubscribe (from a campaign's link or header) is the response of the member of the
    latest campaign that reached the person on that channel for that purpose."""
    if event.type != "customers.consent.recorded":
        return
    row = event.subject
    if row is None or row.granted or row.source != "unsubscribe":
        return
    members = CampaignMember.objects.filter(sent_at__isnull=False,
                                            campaign__purpose=row.purpose)
    if row.contact_id:
        members = members.filter(contact_id=row.contact_id)
    elif row.account_id:
        members = members.filter(account_id=row.account_id)
    else:
        members = members.filter(address__iexact=row.address)
    member = members.order_by("-sent_at", "-id").first()
    if member is not None:
        record_response(member, "unsubscribed", at=row.at, once=True)
