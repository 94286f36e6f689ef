"""Sending a campaign in the worker: members streamed in batches, claimed fifty at a time by
one conditional update before they are sent, at the campaign's rate, stopping when it is
paused.

Nobody is sent twice: a member goes pending → sending (claimed by an update only one worker
can win) → sent, failed or skipped, recorded for the fifty in one transaction. Paused
mid-way, the claimed members not tried go back to pending. A worker that died leaves at most
fifty members in "sending"; the next run marks those failed ("interrupted, may have been
sent") rather than send them again. The campaign's lease keeps two workers off one campaign."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import transaction
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
CLAIM = 50  # members claimed and recorded in one write: at most this many lost to a crash
CHECK_SECONDS = 0.5  # how often the sender looks whether the campaign was paused


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
    next_check = 0.0
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
            for start in range(0, len(batch), CLAIM):
                part = batch[start:start + CLAIM]
                # One update claims the part: a row another worker claimed is not ours.
                CampaignMember.objects.filter(pk__in=[m.pk for m in part],
                                              state=State.PENDING) \
                    .update(state=State.SENDING, claimed_by=lease.owner,
                            claimed_at=timezone.now())
                mine = set(CampaignMember.objects.filter(
                    pk__in=[m.pk for m in part], state=State.SENDING,
                    claimed_by=lease.owner).values_list("pk", flat=True))
                results: list[CampaignMember] = []
                stopped = False
                try:
                    for member in part:
                        if member.pk not in mine:
                            continue
                        if time.monotonic() >= next_check:
                            # A slow campaign looks before every message, a fast one twice a second.
                            next_check = time.monotonic() + (
                                0 if interval >= CHECK_SECONDS else CHECK_SECONDS)
                            if not Campaign.objects.filter(
                                    pk=campaign_id, status=Campaign.Status.SENDING).exists():
                                stopped = True
                                break
                        result = _one(channel, connection, campaign, member, allowed,
                                      contacts, accounts, links)
                        results.append(result)
                        if result.state == State.SENT:
                            sent += 1
                            wait = started + sent * interval - time.monotonic()
                            if wait > 0:
                                sleep(wait)
                        if max_seconds is not None and \
                                time.monotonic() - started > max_seconds:
                            stopped = True
                            break
                finally:
                    _save(results, mine, lease.owner)
                if stopped:
                    return sent
        finally:
            channel.close_batch(connection)
    Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING).update(
        status=Campaign.Status.DONE, finished_at=timezone.now())
    return sent


def _one(channel, connection, campaign: Campaign, member: CampaignMember, allowed: set[int],
         contacts: dict, accounts: dict, links: dict[str, int]) -> CampaignMember:
    """Send one claimed member; the member with its new state (saved by ``_save``)."""
    if member.pk not in allowed or not member.address:
        member.state = State.SKIPPED
        member.error = "no consent" if member.address else "no address"
        return member
    contact = contacts.get(member.contact_id) if member.contact_id else None
    rendered = messages.render_member(campaign, member, contact, accounts[member.account_id],
                                      links)
    outcome = channel.deliver(connection, campaign, member, rendered)
    now = timezone.now()
    if outcome.sent:
        member.state, member.sent_at, member.message_id = State.SENT, now, outcome.message_id
    else:
        member.state, member.error = State.FAILED, outcome.error[:500]
        member.bounced_at = now if outcome.permanent else None
    return member


def _save(results: list[CampaignMember], claimed: set[int], owner: str) -> None:
    """Record what happened to the claimed part in one transaction; claimed members that were
    not tried (paused meanwhile) go back to waiting."""
    with transaction.atomic():
        if results:
            CampaignMember.objects.bulk_update(
                results, ["state", "sent_at", "message_id", "error", "bounced_at"])
        untried = claimed - {m.pk for m in results}
        if untried:
            CampaignMember.objects.filter(pk__in=untried, state=State.SENDING,
                                          claimed_by=owner).update(state=State.PENDING)


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

