"""Sending SMS and taking in what the providers push back.

* ``send_sms``: one template message to one number, past the consent gate and the length
  limit (refused before anything is sent or written), recorded as an ``SmsMessage`` whether
  the provider took it or refused it (with the refusal in words).
* ``take_receipts`` / ``take_replies``: the providers' callbacks, after the callback address's
  secret was checked by the view. Each callback is one transaction: a body that cannot be
  read writes nothing. A receipt marks the message and its campaign member delivered or
  bounced; a reply is the member's response, and "退订" / "TD" / "T" withdraws the person's
  SMS marketing consent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import send_gates
from guanxi.core.errors import DomainError, FieldErrors
from guanxi.core.normalize import normalize_phone
from guanxi.customers.models import Account, Contact
from guanxi.customers.services import consent
from guanxi.marketing.models import CampaignMember, SmsMessage, SmsReply
from guanxi.marketing.services.responses import record_response
from guanxi.marketing.sms import config
from guanxi.marketing.sms.base import SmsError, SmsRequest, check_length, parts

Status = SmsMessage.Status


def e164(phone: str) -> str:
    """The stored form of a number (+8613812345678); what cannot be read stays as it is."""
    try:
        return normalize_phone(phone) or phone.strip()
    except ValueError:
        return phone.strip()


def full_text(text: str, sign_name: str) -> str:
    """What the phone shows: 【signature】 then the text; the length limit counts both."""
    return f"【{sign_name}】{text}" if sign_name else text


def check(text: str, sign_name: str | None = None) -> None:
    """Field error ``text`` when the message is empty or longer than the limit."""
    try:
        check_length(full_text(text, config.sign_name() if sign_name is None else sign_name),
                     config.max_parts())
    except SmsError as exc:
        raise FieldErrors({"text": [exc.message]}) from None


def send_sms(phone: str, *, template_code: str, params: Mapping[str, str], text: str,
             purpose: str = "marketing", member: CampaignMember | None = None,
             account: Account | None = None, gate: bool = True,
             provider: Any = None) -> SmsMessage:
    """Send one template SMS. Refused with a field error, before anything is sent or written:
    no consent (``gate``), an empty or too long text, no template, SMS not set up. A refusal by
    the provider is recorded on the returned row (``status`` failed, ``error`` in words)."""
    number = e164(phone)
    if not number:
        raise FieldErrors({"phone": [_("No mobile number.")]})
    if not template_code:
        raise FieldErrors({"template_code": [_("Give the approved SMS template's code.")]})
    sign = config.sign_name()
    check(text, sign)
    if gate:
        decision = send_gates.check(number, send_gates.SMS, purpose)
        if not decision.allowed:
            raise FieldErrors({"phone": [_("%(phone)s may not receive this SMS: %(reason)s")
                                         % {"phone": number, "reason": decision.reason}]})
    try:
        client = provider or config.provider()
    except SmsError as exc:
        raise DomainError(exc.message, code="sms_not_configured") from None
    row = SmsMessage(provider=client.key, phone=number, sign_name=sign,
                     template_code=template_code, params=dict(params), text=text,
                     parts=parts(full_text(text, sign)), purpose=purpose, member=member,
                     account=account or (member.account if member else None),
                     sent_at=timezone.now())
    try:
        [result] = client.send(SmsRequest([number], sign, template_code, params, text,
                                          out_id=f"m{member.pk}" if member else ""))
    except SmsError as exc:
        row.status, row.error_code, row.error = Status.FAILED, exc.code[:100], exc.message[:500]
        row._permanent = exc.permanent  # type: ignore[attr-defined]
    else:
        row.status = Status.SENT if result.ok else Status.FAILED
        row.message_id = result.message_id[:100]
        if not result.ok:
            row.error_code, row.error = result.code[:100], result.message[:500]
        row._permanent = result.permanent  # type: ignore[attr-defined]
    row.save()
    return row


def _at(value: dt.datetime | None) -> dt.datetime:
    return value or timezone.now()


@transaction.atomic
def take_receipts(provider_key: str, payload: Any) -> int:
    """Record the delivery receipts of a callback; how many matched a message we sent."""
    receipts = config.provider(provider_key).receipts(payload)
    matched = 0
    for receipt in receipts:
        number = e164(receipt.phone)
        rows = SmsMessage.objects.filter(provider=provider_key, phone=number,
                                         message_id=receipt.message_id) \
            .select_for_update(of=("self",))
        for row in rows:
            matched += 1
            row.status = Status.DELIVERED if receipt.delivered else Status.UNDELIVERED
            row.reported_at = _at(receipt.at)
            if not receipt.delivered:
                row.error_code = receipt.code[:100]
                row.error = (receipt.description or receipt.code)[:500]
            row.save(update_fields=["status", "reported_at", "error_code", "error"])
            if row.member_id:
                record_response(row.member_id, "delivered" if receipt.delivered else "bounced",
                                at=row.reported_at, once=True,
                                data={"sms": row.pk, "code": receipt.code})
    return matched


def _people(number: str) -> list[Contact | Account]:
    people: list[Contact | Account] = list(Contact.objects.filter(
        Q(mobile=number) | Q(phone=number), is_active=True).select_related("account")[:50])
    people += list(Account.objects.filter(phone=number, is_active=True,
                                          kind=Account.Kind.PERSON)[:50])
    return people


@transaction.atomic
def take_replies(provider_key: str, payload: Any) -> list[SmsReply]:
    """Record the replies of a callback; an unsubscribe word withdraws SMS marketing consent
    of everyone using the number (or of the number itself when nobody in the CRM does)."""
    replies = config.provider(provider_key).replies(payload)
    out = []
    for reply in replies:
        number = e164(reply.phone)
        at = _at(reply.at)
        latest = SmsMessage.objects.filter(phone=number, sent_at__lte=at) \
            .order_by("-sent_at", "-id").first()
        row = SmsReply.objects.create(provider=provider_key, phone=number,
                                      text=reply.text[:1000], received_at=at,
                                      unsubscribe=reply.unsubscribes, message=latest)
        out.append(row)
        member_id = latest.member_id if latest else None
        if member_id:
            record_response(member_id, "replied", at=at, data={"sms_reply": row.pk,
                                                                "text": reply.text[:200]})
        if not reply.unsubscribes:
            continue
        evidence = _("SMS reply “%(text)s” from %(phone)s on %(when)s.") % {
            "text": reply.text.strip()[:50], "phone": number,
            "when": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")}
        people = _people(number)
        for person in people:
            consent.record(None, person, channel="sms", purpose="marketing", granted=False,
                           source="reply", evidence=evidence, address=number, at=at)
        if not people:
            consent.record(None, None, channel="sms", purpose="marketing", granted=False,
                           source="reply", evidence=evidence, address=number, at=at)
        if member_id:
            record_response(member_id, "unsubscribed", at=at, once=True,
                            data={"sms_reply": row.pk})
    return out
