"""Event campaigns (展会、车展): registration through a public web form — each invited member
by their own signed link, anyone else by the campaign's open link (a lead is made for them,
with the campaign as its source) — and check-in at the door by registration code.

A registration is refused, with nothing written, when a field is missing or invalid, when the
event is full (the count is taken under a lock on the campaign row, so two people cannot take
the last seat), or when the person (the invited member, or the mobile number) is registered
already. Ticking the consent box sends the double opt-in e-mail of the customers app: consent
counts only once its link is followed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core import audit
from guanxi.core.errors import Conflict, DomainError, FieldErrors
from guanxi.core.normalize import normalize_email, normalize_phone
from guanxi.customers.services import consent
from guanxi.marketing.models import Campaign, CampaignMember, EventRegistration
from guanxi.marketing.services.calls import RUNNING, require_working
from guanxi.marketing.services.responses import record_response

SALT = "guanxi.marketing.event"
# No 0/O, 1/I/L: read aloud at the door and typed on a phone without mistakes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


@dataclass(frozen=True)
class Invitation:
    campaign: Campaign
    member: CampaignMember | None


def invitation_token(member: CampaignMember) -> str:
    return signing.dumps(["m", member.pk], salt=SALT, compress=True)


def open_token(campaign: Campaign) -> str:
    return signing.dumps(["c", campaign.pk], salt=SALT, compress=True)


def _url(token: str) -> str:
    return settings.GUANXI_SITE_URL.rstrip("/") + reverse("marketing:register", args=[token])


def invitation_url(member: CampaignMember) -> str:
    return _url(invitation_token(member))


def open_url(campaign: Campaign) -> str:
    return _url(open_token(campaign))


def read_token(token: str) -> Invitation | None:
    """The campaign (and invited member) a registration link stands for; None if forged."""
    try:
        kind, pk = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind == "m":
        member = CampaignMember.objects.select_related("campaign", "contact", "account") \
            .filter(pk=pk, campaign__channel="event").first()
        return Invitation(member.campaign, member) if member else None
    if kind == "c":
        campaign = Campaign.objects.filter(pk=pk, channel="event").first()
        return Invitation(campaign, None) if campaign else None
    return None


def capacity(campaign: Campaign) -> int | None:
    value = (campaign.options or {}).get("capacity")
    return int(value) if value else None


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = " ".join(str(data.get("name") or "").split())[:100]
    if not name:
        errors["name"] = [_("Enter your name.")]
    phone = ""
    if not str(data.get("phone") or "").strip():
        errors["phone"] = [_("Enter your mobile number.")]
    else:
        try:
            phone = normalize_phone(str(data["phone"]))
        except ValueError as exc:
            errors["phone"] = [str(exc)]
    email = ""
    try:
        email = normalize_email(str(data.get("email") or ""))
    except ValueError as exc:
        errors["email"] = [str(exc)]
    wants_consent = bool(data.get("consent"))
    if wants_consent and not email and "email" not in errors:
        errors["email"] = [_("Enter your e-mail: we send the confirmation of your consent "
                             "there.")]
    if errors:
        raise FieldErrors(errors)
    return {"name": name, "phone": phone, "email": email, "consent": wants_consent,
            "company": " ".join(str(data.get("company") or "").split())[:200]}


def _new_code() -> str:
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))
        if not EventRegistration.objects.filter(code=code).exists():
            return code
    raise RuntimeError("no free registration code")  # 31^8 codes: does not happen


def _already(registration: EventRegistration) -> DomainError:
    return Conflict(_("You are registered already (registration code %(code)s).")
                    % {"code": registration.code}, field="phone", code="duplicate")


def register(invitation: Invitation, data: dict[str, Any], *, actor: User | None = None,
             language: str = "") -> EventRegistration:
    """Register a person for the event: ``actor`` is None on the public form, the staff member
    who typed it in otherwise."""
    campaign = invitation.campaign
    if actor is not None:
        require_working(actor, campaign)
    fields = _clean(data)
    member = invitation.member
    try:
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
            if campaign.status not in RUNNING:
                raise Conflict(_("Registration for this event is not open."), code="state")
            found = EventRegistration.objects.filter(campaign=campaign, phone=fields["phone"])
            if member is not None:
                found = found | EventRegistration.objects.filter(campaign=campaign,
                                                                 member=member)
            if (existing := found.first()) is not None:
                raise _already(existing)
            limit = capacity(campaign)
            if limit is not None and \
                    EventRegistration.objects.filter(campaign=campaign).count() >= limit:
                raise Conflict(_("Sorry, the event is full: all %(n)s places are taken.")
                               % {"n": limit}, code="full")
            registration = EventRegistration.objects.create(
                campaign=campaign, member=member, code=_new_code(), name=fields["name"],
                phone=fields["phone"], email=fields["email"], company=fields["company"],
                consent_requested=fields["consent"], registered_by=actor)
            if member is not None:
                record_response(member, "registered", data={"code": registration.code})
            else:
                registration.lead_id = _lead(actor, campaign, fields).pk
                registration.save(update_fields=["lead_id"])
            if fields["consent"]:
                consent.request_opt_in(
                    fields["email"], purpose="marketing",
                    contact=member.contact if member is not None else None,
                    evidence=_("Consent box of the registration form of “%(name)s”.")
                    % {"name": campaign.name}, language=language)
            audit.log(actor, "marketing.event.registered", registration,
                      data={"campaign": campaign.pk, "invited": member is not None,
                            "code": registration.code})
    except IntegrityError:
        # Two submissions of one form at once: the unique constraint kept the second out.
        existing = EventRegistration.objects.filter(campaign=campaign,
                                                    phone=fields["phone"]).first()
        if existing is None:
            raise
        raise _already(existing) from None
    return registration


def _lead(actor: User | None, campaign: Campaign, fields: dict[str, Any]) -> Any:
    from guanxi.marketing.services.leads import source_detail
    from guanxi.sales.services.leads import create_lead

    return create_lead(actor, {
        "name": fields["name"], "company": fields["company"], "phone": fields["phone"],
        "email": fields["email"], "source": "campaign", "source_detail": source_detail(campaign),
        "timeframe": "3m"})


def check_in(actor: User, registration: EventRegistration) -> EventRegistration:
    """Mark the registrant as arrived; a second check-in says when the first one was."""
    campaign = registration.campaign
    require_working(actor, campaign)
    now = timezone.now()
    with transaction.atomic():
        done = EventRegistration.objects.filter(pk=registration.pk,
                                                checked_in_at__isnull=True).update(
            checked_in_at=now, checked_in_by=actor)
        if not done:
            registration.refresh_from_db()
            raise Conflict(_("%(name)s was checked in already at %(time)s.") % {
                "name": registration.name,
                "time": date_format(timezone.localtime(registration.checked_in_at),
                                    "SHORT_DATETIME_FORMAT")}, field="code", code="checked_in")
        if registration.member_id:
            record_response(registration.member_id, "attended", at=now,
                            data={"code": registration.code})
        audit.log(actor, "marketing.event.checked_in", registration,
                  data={"campaign": campaign.pk, "code": registration.code})
    registration.refresh_from_db()
    return registration
