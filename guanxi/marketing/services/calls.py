"""Working a phone campaign's call list: an agent takes the next member (one conditional
update, so two agents taking at once get two different people — like the service queue's
"take next"), calls, and logs the outcome. Every outcome is a campaign response; "interested"
may become a lead with the campaign as its source; "do not call" withdraws the person's phone
consent through the customers' consent service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import Conflict, FieldErrors, Forbidden
from guanxi.customers.services import consent
from guanxi.marketing import permissions as perms
from guanxi.marketing.models import Campaign, CampaignMember
from guanxi.marketing.services.responses import record_response

State = CampaignMember.State
#: Outcome → label. Reached outcomes count the member as contacted ("sent").
OUTCOMES = {
    "interested": gettext_lazy("Reached: interested"),
    "not_interested": gettext_lazy("Reached: not interested"),
    "callback": gettext_lazy("Call back later"),
    "no_answer": gettext_lazy("No answer"),
    "wrong_number": gettext_lazy("Wrong number"),
    "do_not_call": gettext_lazy("Do not call (withdraws phone consent)"),
}
#: A campaign is worked while it runs; an event's invitations all sent ("done") still takes
#: registrations and check-ins.
RUNNING = (Campaign.Status.SENDING, Campaign.Status.DONE)
REACHED = ("interested", "not_interested", "callback", "do_not_call")
#: A claim nobody logged an outcome for is free again after this long (an agent went home).
CLAIM_MINUTES = 30
#: Unanswered calls before the member leaves the list; retried after ``RETRY_HOURS``.
MAX_ATTEMPTS = 3
RETRY_HOURS = 2


def require_working(actor: User, campaign: Campaign) -> None:
    """The actor may work the campaign, and it is running (not a draft, paused or cancelled)."""
    if not perms.can_work_campaign(actor, campaign):
        raise Forbidden(_("You do not work this campaign."))
    if campaign.status not in RUNNING:
        raise Conflict(_("The campaign is %(status)s: this cannot be done now.")
                       % {"status": campaign.get_status_display()}, code="state")


def _free(now: dt.datetime) -> Q:
    return Q(agent__isnull=True) | Q(claimed_at__lt=now - dt.timedelta(minutes=CLAIM_MINUTES))


def take_next(actor: User, campaign: Campaign) -> CampaignMember | None:
    """The member the actor calls now: the one they already hold, else the next free one
    (due call-backs first), now theirs. None when the list is done."""
    from guanxi.marketing.selectors.channels import call_queue

    require_working(actor, campaign)
    now = timezone.now()
    held = call_queue(actor, campaign).filter(agent=actor, claimed_at__gte=now - dt.timedelta(
        minutes=CLAIM_MINUTES)).first()
    if held is not None:
        return held
    for _attempt in range(10):
        candidate = call_queue(actor, campaign).filter(_free(now)).filter(
            Q(callback_at__isnull=True) | Q(callback_at__lte=now)).first()
        if candidate is None:
            return None
        person: Any = candidate.contact or candidate.account
        if not consent.may_contact(person, "phone", campaign.purpose).allowed:
            # Withdrawn since the list was frozen: nobody calls them.
            CampaignMember.objects.filter(pk=candidate.pk, state=State.PENDING).update(
                state=State.SKIPPED, error="phone consent withdrawn")
            continue
        claimed = CampaignMember.objects.filter(_free(now), pk=candidate.pk,
                                                state=State.PENDING).update(
            agent=actor, claimed_at=now)
        if claimed:
            candidate.agent, candidate.claimed_at = actor, now
            return candidate
    return None


def _callback_time(value: Any) -> dt.datetime:
    from django.utils.dateparse import parse_datetime

    when = value if isinstance(value, dt.datetime) else parse_datetime(str(value or ""))
    if when is None:
        raise FieldErrors({"callback_at": [_("Enter when to call back.")]})
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when <= timezone.now():
        raise FieldErrors({"callback_at": [_("The call-back time is in the past.")]})
    return when


def log_call(actor: User, member: CampaignMember, outcome: str, *, notes: str = "",
             callback_at: Any = None, make_lead: bool = False) -> dict[str, Any]:
    """Record the outcome of the actor's call to the member they hold. Refused, with nothing
    written, for a member held by someone else or already done. Returns the member and the
    lead made (if any)."""
    campaign = member.campaign
    require_working(actor, campaign)
    if outcome not in OUTCOMES:
        raise FieldErrors({"outcome": [_("Choose the outcome of the call.")]})
    when = _callback_time(callback_at) if outcome == "callback" else None
    notes = (notes or "").strip()[:4000]
    now = timezone.now()
    attempts = member.calls + 1
    if outcome == "callback" or (outcome == "no_answer" and attempts < MAX_ATTEMPTS):
        state = State.PENDING
        when = when or now + dt.timedelta(hours=RETRY_HOURS)
    elif outcome in ("wrong_number", "no_answer"):
        state = State.FAILED
    else:
        state = State.SENT
    changes: dict[str, Any] = {
        "call_outcome": outcome, "call_notes": notes, "calls": F("calls") + 1,
        "called_at": Coalesce(F("called_at"), now), "state": state, "callback_at": when,
        "agent": None if state == State.PENDING else actor,
        "claimed_at": None if state == State.PENDING else F("claimed_at"),
        "error": OUTCOMES[outcome] if state == State.FAILED else ""}
    if outcome in REACHED:
        changes["sent_at"] = Coalesce(F("sent_at"), now)
    lead = None
    with transaction.atomic():
        done = CampaignMember.objects.filter(pk=member.pk, agent=actor,
                                             state=State.PENDING).update(**changes)
        if not done:
            raise Conflict(_("Someone else is calling this member, or the call was already "
                             "logged: take the next member."), field="member", code="claimed")
        data = {"outcome": outcome, "agent": actor.pk, "notes": notes[:500]}
        if when is not None and outcome == "callback":
            data["callback_at"] = when.isoformat()
        record_response(member, "called", at=now, data=data)
        if outcome == "interested":
            record_response(member, "replied", at=now, data={"by": "phone"})
        if outcome == "do_not_call":
            person: Any = member.contact or member.account
            consent.record(actor, person, channel="phone", purpose=campaign.purpose,
                           granted=False, source="staff",
                           evidence=_("Asked not to be called again during the call of "
                                      "campaign “%(name)s”.") % {"name": campaign.name})
            record_response(member, "unsubscribed", at=now, once=True)
        if outcome == "interested" and make_lead:
            from guanxi.marketing.services.leads import lead_from_member

            lead = lead_from_member(actor, member)
        audit.log(actor, "marketing.member.called", member,
                  data={"campaign": campaign.pk, "outcome": outcome,
                        "lead": getattr(lead, "pk", None)})
    member.refresh_from_db()
    return {"member": member, "lead": lead}
