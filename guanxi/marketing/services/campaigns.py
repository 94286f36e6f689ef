"""Planning and launching campaigns: fields, costs, members frozen from segments (with a
random hold-out control group and the A/B split), pause, resume and cancel."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import Conflict, DomainError, FieldErrors, Forbidden
from guanxi.core.locking import save_versioned
from guanxi.core.tasks import later
from guanxi.customers.models import Address, Contact
from guanxi.customers.services import consent
from guanxi.marketing import permissions as perms
from guanxi.marketing.channels import get_channel
from guanxi.marketing.models import Campaign, CampaignCost, CampaignMember, Segment
from guanxi.marketing.selectors.segments import segment_accounts
from guanxi.marketing.services import messages

FIELDS = ("name", "channel", "purpose", "description", "budget", "currency", "starts_at",
          "ends_at", "control_percent", "conversion_days", "rate_per_minute", "subject_zh",
          "subject_en", "subject_b_zh", "subject_b_en", "body_zh", "body_en", "options")
EDITABLE = (Campaign.Status.DRAFT, Campaign.Status.SCHEDULED)
BATCH = 2000


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in data.items() if k in FIELDS}
    errors: dict[str, list[str]] = {}
    if "name" in cleaned:
        cleaned["name"] = " ".join(str(cleaned["name"] or "").split())
        if not cleaned["name"]:
            errors["name"] = [_("This field is required.")]
    if "channel" in cleaned and get_channel(str(cleaned["channel"])) is None:
        errors["channel"] = [_("Choose a channel.")]
    if "options" in cleaned or "channel" in cleaned:
        channel = get_channel(str(cleaned.get("channel") or data.get("channel") or ""))
        if channel is not None:
            options, option_errors = channel.clean_options(dict(cleaned.get("options") or {}))
            errors |= option_errors
            if "options" in cleaned:
                cleaned["options"] = options
    if "purpose" in cleaned and cleaned["purpose"] not in Campaign.Purpose.values:
        errors["purpose"] = [_("Choose a purpose.")]
    for name in ("budget",):
        if name in cleaned:
            try:
                cleaned[name] = Decimal(str(cleaned[name]))
                if cleaned[name] < 0 or not cleaned[name].is_finite():
                    raise ValueError
            except (ValueError, ArithmeticError):
                errors[name] = [_("Enter an amount of 0 or more.")]
    limits = {"control_percent": (0, 50), "conversion_days": (1, 365),
              "rate_per_minute": (1, 100_000)}
    for name, (low, high) in limits.items():
        if name in cleaned:
            try:
                value = int(cleaned[name])
                if not low <= value <= high:
                    raise ValueError
                cleaned[name] = value
            except (ValueError, TypeError):
                errors[name] = [_("Enter a whole number from %(low)s to %(high)s.")
                                % {"low": low, "high": high}]
    if cleaned.get("starts_at") and cleaned.get("ends_at") and \
            cleaned["ends_at"] < cleaned["starts_at"]:
        errors["ends_at"] = [_("The end is before the start.")]
    if errors:
        raise FieldErrors(errors)
    return cleaned


def _require_plan(actor: User) -> None:
    if not perms.can_plan(actor):
        raise Forbidden(_("Only marketing staff and managers plan campaigns."))


def _require_edit(actor: User, campaign: Campaign) -> None:
    if not perms.can_edit_campaign(actor, campaign):
        raise Forbidden(_("You may not change this campaign."))


@transaction.atomic
def create_campaign(actor: User, data: dict[str, Any],
                    segments: list[Segment] | None = None) -> Campaign:
    _require_plan(actor)
    if not data.get("name"):
        raise FieldErrors({"name": [_("This field is required.")]})
    cleaned = _clean({"channel": "email", **data})
    campaign = Campaign(**cleaned, owner=actor, team=actor.team, created_by=actor)
    messages.check_messages(campaign)
    campaign.save()
    if segments:
        campaign.segments.set(segments)
    audit.log(actor, "marketing.campaign.created", campaign,
              data={"name": campaign.name, "channel": campaign.channel})
    return campaign


@transaction.atomic
def update_campaign(actor: User, campaign: Campaign, data: dict[str, Any], version: int,
                    segments: list[Segment] | None = None) -> Campaign:
    _require_edit(actor, campaign)
    if campaign.status not in EDITABLE:
        raise Conflict(_("A campaign that has started cannot be changed."), code="started")
    cleaned = _clean(data)
    for k, v in cleaned.items():
        setattr(campaign, k, v)
    messages.check_messages(campaign)
    save_versioned(campaign, version, cleaned)
    if segments is not None:
        campaign.segments.set(segments)
    audit.log(actor, "marketing.campaign.updated", campaign, data={"fields": sorted(cleaned)})
    return campaign


@transaction.atomic
def add_cost(actor: User, campaign: Campaign, description: str, amount: Any,
             spent_on: dt.date | None = None) -> CampaignCost:
    _require_edit(actor, campaign)
    errors: dict[str, list[str]] = {}
    description = " ".join((description or "").split())
    if not description:
        errors["description"] = [_("This field is required.")]
    try:
        value = Decimal(str(amount))
        if value < 0 or not value.is_finite():
            raise ValueError
    except (ValueError, ArithmeticError):
        errors["amount"] = [_("Enter an amount of 0 or more.")]
    if errors:
        raise FieldErrors(errors)
    cost = CampaignCost.objects.create(campaign=campaign, description=description[:200],
                                       amount=value, spent_on=spent_on or timezone.localdate(),
                                       recorded_by=actor)
    audit.log(actor, "marketing.campaign.cost_added", campaign,
              data={"description": description, "amount": str(value)})
    return cost


# --- Members ---------------------------------------------------------------------------------

def _language_of_accounts() -> Subquery:
    """The country of a customer's primary address: outside China, members read English."""
    return Subquery(Address.objects.filter(account=OuterRef("account_id"))
                    .order_by("-is_primary", "id").values("country")[:1])


def candidate_contacts(actor: User, campaign: Campaign) -> Any:
    """The contacts of the segments' customers the channel can reach and who consented,
    streamed (never all in memory)."""
    channel = get_channel(campaign.channel)
    if channel is None:
        raise DomainError(_("This campaign's channel is not available."), field="channel")
    account_ids = Q()
    for n, segment in enumerate(campaign.segments.all()):
        q = Q(account__in=segment_accounts(actor, segment).values("pk"))
        account_ids = q if n == 0 else account_ids | q
    contacts = Contact.objects.filter(account_ids, is_active=True, account__is_active=True)
    field = {"email": "email", "sms": "mobile", "phone": "mobile", "wechat": "wechat"} \
        .get(channel.consent_channel, "email")
    contacts = contacts.exclude(**{field: ""})
    return consent.consenting_contacts(contacts, channel.consent_channel, campaign.purpose)


@transaction.atomic
def freeze_members(actor: User, campaign: Campaign, seed: int | None = None) -> int:
    """Write the campaign's members once: one per customer (its primary reachable contact),
    a random ``control_percent`` held out, the rest split A/B when there is a B subject."""
    if not campaign.segments.exists():
        raise FieldErrors({"segments": [_("Choose at least one segment.")]})
    rng = random.Random(seed)
    channel = get_channel(campaign.channel)
    assert channel is not None
    contacts = candidate_contacts(actor, campaign).annotate(_country=_language_of_accounts()) \
        .order_by("account_id", "-is_primary", "id") \
        .values_list("pk", "account_id", "email", "mobile", "wechat", "_country")
    seen_account = None
    rows: list[CampaignMember] = []
    count = 0
    field_index = {"email": 2, "sms": 3, "phone": 3, "wechat": 4}[channel.consent_channel]
    for row in contacts.iterator(chunk_size=BATCH):
        if row[1] == seen_account:
            continue  # one member per customer: its primary reachable contact
        seen_account = row[1]
        is_control = rng.random() * 100 < campaign.control_percent
        rows.append(CampaignMember(
            campaign=campaign, account_id=row[1], contact_id=row[0],
            address=(row[field_index] or "").strip(),
            language="en" if row[5] and row[5] != "CN" else "zh-hans",
            variant="B" if campaign.has_ab and rng.random() < 0.5 else "A",
            is_control=is_control,
            state=CampaignMember.State.CONTROL if is_control else CampaignMember.State.PENDING))
        if len(rows) >= BATCH:
            CampaignMember.objects.bulk_create(rows, ignore_conflicts=True)
            count += len(rows)
            rows = []
    if rows:
        CampaignMember.objects.bulk_create(rows, ignore_conflicts=True)
        count += len(rows)
    return count


@transaction.atomic
def launch_campaign(actor: User, campaign: Campaign, version: int, *,
                    seed: int | None = None) -> Campaign:
    """Freeze the members and start sending (now, or at ``starts_at``). A campaign with no
    member who may be contacted is refused, and nothing is written."""
    _require_edit(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in EDITABLE:
        raise Conflict(_("This campaign has already started."), code="started")
    if campaign.version != version:
        raise Conflict(_("Someone changed this campaign meanwhile; reload it."), code="stale")
    messages.check_messages(campaign, for_sending=True)
    count = freeze_members(actor, campaign, seed=seed)
    reachable = CampaignMember.objects.filter(campaign=campaign, is_control=False).count()
    if reachable == 0:
        raise DomainError(_("No member of these segments may be contacted on this channel "
                            "(no consent, or no address). Nothing was sent."),
                          field="segments", code="no_consent")
    now = timezone.now()
    scheduled = campaign.starts_at is not None and campaign.starts_at > now
    status = Campaign.Status.SCHEDULED if scheduled else Campaign.Status.SENDING
    save_versioned(campaign, version, {"status": status, "frozen_at": now})
    audit.log(actor, "marketing.campaign.launched", campaign,
              data={"members": count, "control": count - reachable})
    channel = get_channel(campaign.channel)
    if channel is not None:
        channel.launch(campaign)
    if status == Campaign.Status.SENDING and channel is not None and channel.pushes:
        from guanxi.marketing.tasks import send_campaign_task

        later(send_campaign_task, campaign.pk)
    return campaign


def _set_status(actor: User, campaign: Campaign, version: int, allowed: tuple[str, ...],
                status: str, action: str) -> Campaign:
    _require_edit(actor, campaign)
    with transaction.atomic():
        current = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if current.status not in allowed:
            raise Conflict(_("The campaign is %(status)s: this cannot be done now.")
                           % {"status": current.get_status_display()}, code="state")
        save_versioned(current, version, {"status": status})
        audit.log(actor, f"marketing.campaign.{action}", current)
    return current


def pause_campaign(actor: User, campaign: Campaign, version: int) -> Campaign:
    """The sender stops after the message in hand; nobody is sent twice on resume."""
    return _set_status(actor, campaign, version, (Campaign.Status.SENDING,
                                                  Campaign.Status.SCHEDULED),
                       Campaign.Status.PAUSED, "paused")


def resume_campaign(actor: User, campaign: Campaign, version: int) -> Campaign:
    campaign = _set_status(actor, campaign, version, (Campaign.Status.PAUSED,),
                           Campaign.Status.SENDING, "resumed")
    from guanxi.marketing.tasks import send_campaign_task

    with transaction.atomic():
        later(send_campaign_task, campaign.pk)
    return campaign


def cancel_campaign(actor: User, campaign: Campaign, version: int) -> Campaign:
    channel = get_channel(campaign.channel)
    # An exhibition whose invitations are all out can still be called off.
    done = (Campaign.Status.DONE,) if channel is not None and channel.worked else ()
    return _set_status(actor, campaign, version, (*EDITABLE, Campaign.Status.PAUSED,
                                                  Campaign.Status.SENDING, *done),
                       Campaign.Status.CANCELLED, "cancelled")


def start_due(now: dt.datetime | None = None) -> int:
    """Scheduled campaigns whose time has come start sending (the worker, every minute)."""
    from guanxi.marketing.tasks import send_campaign_task

    now = now or timezone.now()
    started = 0
    for pk in Campaign.objects.filter(status=Campaign.Status.SCHEDULED, starts_at__lte=now) \
            .values_list("pk", flat=True):
        with transaction.atomic():
            if Campaign.objects.filter(pk=pk, status=Campaign.Status.SCHEDULED) \
                    .update(status=Campaign.Status.SENDING):
                later(send_campaign_task, pk)
                started += 1
    return started
