"""Sending a campaign in the worker: members streamed in batches, each claimed by a
conditional update before it is sent, at the campaign's rate, stopping when it is paused.

Nobody is sent twice: a member goes pending → sending (claimed, one update that only one
worker can win) → sent or failed. A worker that died between claim and result leaves the
member in "sending"; the next run marks those failed ("interrupted, may have been sent")
rather than send them again. The campaign's lease keeps two workers off one campaign."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.utils import timezone

from guanxi.core.leases import Lease, LeaseLost, LeaseTaken
from guanxi.customers.models import Account, Contact
from guanxi.customers.services import consent
from guanxi.marketing.channels import get_channel
from guanxi.marketing.models import Campaign, CampaignMember
from guanxi.marketing.services import messages

log = logging.getLogger(__name__)
State = CampaignMember.State
BATCH = 200


def progress(campaign: Campaign) -> dict[str, int]:
    from django.db.models import Count

    counts = dict(CampaignMember.objects.filter(campaign=campaign).values_list("state")
                  .annotate(n=Count("id")).values_list("state", "n"))
    total = sum(counts.get(s, 0) for s in (State.PENDING, State.SENDING, State.SENT,
                                           State.FAILED, State.SKIPPED))
    done = total - counts.get(State.PENDING, 0) - counts.get(State.SENDING, 0)
    return {"total": total, "done": done, "sent": counts.get(State.SENT, 0),
            "failed": counts.get(State.FAILED, 0), "skipped": counts.get(State.SKIPPED, 0),
            "control": counts.get(State.CONTROL, 0),
            "percent": round(100 * done / total) if total else 100}


def send_campaign(campaign_id: int, *, sleep: Callable[[float], None] = time.sleep,
                  max_seconds: float | None = None) -> int:
    """Send what is pending of the campaign; returns how many messages went out."""
    try:
        with Lease(Campaign, campaign_id) as lease:
            return _send(campaign_id, lease, sleep, max_seconds)
    except LeaseTaken:
        log.info("campaign %s is being sent by another worker", campaign_id)
        return 0
    except LeaseLost:
        log.warning("lost the lease on campaign %s; another worker goes on", campaign_id)
        return 0


def _send(campaign_id: int, lease: Lease, sleep: Callable[[float], None],
          max_seconds: float | None) -> int:
    campaign = Campaign.objects.get(pk=campaign_id)
    channel = get_channel(campaign.channel)
    if campaign.status != Campaign.Status.SENDING or channel is None or not channel.pushes:
        return 0
    # Claimed by a worker that died: we cannot know whether it went out, so it does not again.
    CampaignMember.objects.filter(campaign_id=campaign_id, state=State.SENDING).update(
        state=State.FAILED, error="interrupted: may have been sent, not sent again")
    interval = 60.0 / max(1, campaign.rate_per_minute)
    started = time.monotonic()
    sent = 0
    links: dict[str, int] = {}
    for language in ("zh-hans", "en"):
        body = messages._pick(campaign, "body", language)
        links |= messages.link_ids(campaign, body)
    last_id = 0
    while True:
        lease.check()
        status = Campaign.objects.filter(pk=campaign_id).values_list("status", flat=True).first()
        if status != Campaign.Status.SENDING:
            return sent  # paused or cancelled: what is pending stays pending
        batch = list(CampaignMember.objects.filter(
            campaign_id=campaign_id, state=State.PENDING, id__gt=last_id)
            .order_by("id")[:BATCH])
        if not batch:
            break
        last_id = batch[-1].pk
        allowed = _consenting(campaign, batch)
        contacts = Contact.objects.in_bulk([m.contact_id for m in batch if m.contact_id])
        accounts = Account.objects.in_bulk({m.account_id for m in batch})
        connection = channel.open_batch(campaign)
        try:
            for member in batch:
                if Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING) \
                        .exists() is False:
                    return sent
                if not CampaignMember.objects.filter(pk=member.pk, state=State.PENDING) \
                        .update(state=State.SENDING, claimed_by=lease.owner,
                                claimed_at=timezone.now()):
                    continue  # another worker has it
                if member.pk not in allowed or not member.address:
                    CampaignMember.objects.filter(pk=member.pk).update(
                        state=State.SKIPPED, error="no consent" if member.address
                        else "no address")
                    continue
                contact = contacts.get(member.contact_id) if member.contact_id else None
                rendered = messages.render_member(campaign, member, contact,
                                                  accounts[member.account_id], links)
                outcome = channel.deliver(connection, campaign, member, rendered)
                now = timezone.now()
                if outcome.sent:
                    CampaignMember.objects.filter(pk=member.pk).update(
                        state=State.SENT, sent_at=now, message_id=outcome.message_id)
                    sent += 1
                else:
                    CampaignMember.objects.filter(pk=member.pk).update(
                        state=State.FAILED, error=outcome.error[:500],
                        bounced_at=now if outcome.permanent else None)
                wait = started + sent * interval - time.monotonic()
                if wait > 0:
                    sleep(wait)
                if max_seconds is not None and time.monotonic() - started > max_seconds:
                    return sent
        finally:
            channel.close_batch(connection)
    Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING).update(
        status=Campaign.Status.DONE, finished_at=timezone.now())
    return sent


def _consenting(campaign: Campaign, batch: list[CampaignMember]) -> set[int]:
    """The members of ``batch`` who may still be contacted (consent is asked again at the
    moment of sending: it may have been withdrawn since the members were frozen)."""
    channel_key = messages.campaign_consent_channel(campaign)
    contact_ids = [m.contact_id for m in batch if m.contact_id]
    ok_contacts = set(consent.consenting_contacts(
        Contact.objects.filter(pk__in=contact_ids), channel_key, campaign.purpose)
        .values_list("pk", flat=True))
    allowed = {m.pk for m in batch if m.contact_id in ok_contacts}
    for member in batch:
        if member.contact_id is None:
            account = Account.objects.get(pk=member.account_id)
            if consent.may_contact(account, channel_key, campaign.purpose).allowed:
                allowed.add(member.pk)
    return allowed

