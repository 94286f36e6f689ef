"""Replies to and bounces of campaign e-mails, from the mailbox reader
(``core.inbound_mail``): found by the Message-ID the campaign sent."""

from __future__ import annotations

from django.db import transaction

from guanxi.core.inbound_mail import InboundMail
from guanxi.marketing.models import CampaignMember
from guanxi.marketing.services.responses import record_response


def handle(mail: InboundMail) -> bool:
    """Take a reply or bounce of a campaign e-mail; leave every other message."""
    ids = [mail.bounced_message_id] if mail.is_bounce and mail.bounced_message_id \
        else list(mail.thread_ids)
    if not ids:
        return False
    member = CampaignMember.objects.filter(message_id__in=ids).first()
    if member is None:
        return False
    with transaction.atomic():
        if mail.is_bounce:
            record_response(member, "bounced", at=mail.received_at,
                            data={"message_id": mail.message_id})
        elif not mail.is_auto_reply:
            record_response(member, "replied", at=mail.received_at,
                            data={"message_id": mail.message_id,
                                  "subject": mail.subject[:200]})
    return True
