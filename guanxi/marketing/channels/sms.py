"""The SMS channel: each member gets the campaign's approved template (``options``:
``sms_template``, the template code, and ``sms_params``, its parameters with merge fields,
e.g. ``{"name": "{{ contact.name }}"}``; without them the message goes as the one parameter
``content``). The campaign's message is the text the template yields: it is checked against
the length limit with "回T退订" (reply T to unsubscribe) added, and sent through the configured
provider (``guanxi.marketing.sms``). Replies and receipts come back by callback."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.errors import DomainError, FieldErrors
from guanxi.customers.models import Contact
from guanxi.marketing.channels.base import Channel, Outcome, Rendered
from guanxi.marketing.models import Campaign, CampaignMember
from guanxi.sales.services.email import render_text

OPT_OUT = "回T退订"


def template_of(campaign: Campaign) -> tuple[str, dict[str, str]]:
    options = campaign.options or {}
    return str(options.get("sms_template") or ""), dict(options.get("sms_params") or {})


def sms_text(text: str) -> str:
    """The message as sent: without the e-mail footer, with the reply-to-unsubscribe hint."""
    body = text.split("\n\n--\n", 1)[0].strip()
    return body if OPT_OUT in body else f"{body} {OPT_OUT}"


class SmsChannel(Channel):
    key = "sms"
    label = gettext_lazy("SMS")
    consent_channel = "sms"
    has_subject = False
    default_rate_per_minute = 300

    def address_of(self, contact: Contact) -> str:
        return (contact.mobile or "").strip()

    def check_message(self, campaign: Campaign) -> dict[str, list[str]]:
        from guanxi.marketing.services import sms

        errors: dict[str, list[str]] = {}
        code, _params = template_of(campaign)
        if not code:
            errors["sms_template"] = [_("Give the approved SMS template's code.")]
        for field in ("body_zh", "body_en"):
            body = getattr(campaign, field) or ""
            if body.strip():
                try:
                    sms.check(sms_text(body))
                except FieldErrors as exc:
                    errors[field] = exc.errors["text"]
        return errors

    def deliver(self, batch: Any, campaign: Campaign, member: CampaignMember,
                message: Rendered) -> Outcome:
        from guanxi.marketing.services import messages, sms

        code, params = template_of(campaign)
        text = sms_text(message.text)
        ctx = messages.merge_context(None, member.account, campaign)
        if member.contact_id:
            ctx = messages.merge_context(member.contact, member.account, campaign)
        rendered = {k: render_text(str(v), ctx, k)[0] for k, v in params.items()} \
            or {"content": text}
        try:
            row = sms.send_sms(member.address, template_code=code, params=rendered, text=text,
                               purpose=campaign.purpose, member=member, gate=False)
        except FieldErrors as exc:
            first = next(iter(exc.errors.values()))[0]
            return Outcome(False, error=first, permanent=True)
        except DomainError as exc:
            return Outcome(False, error=exc.message)
        if row.status == row.Status.FAILED:
            return Outcome(False, error=row.error or row.error_code,
                           permanent=getattr(row, "_permanent", True))
        return Outcome(True, message_id=row.message_id)
