"""The e-mail channel: Django's mail backend (SMTP), one connection per batch."""

from __future__ import annotations

import contextlib
import smtplib
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail.utils import DNS_NAME
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Contact
from guanxi.marketing.channels.base import Channel, Outcome, Rendered
from guanxi.marketing.models import Campaign, CampaignMember


class EmailChannel(Channel):
    key = "email"
    label = _("E-mail")
    consent_channel = "email"

    def address_of(self, contact: Contact) -> str:
        return (contact.email or "").strip()

    def open_batch(self, campaign: Campaign) -> Any:
        connection = mail.get_connection()
        connection.open()
        return connection

    def close_batch(self, batch: Any) -> None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            batch.close()

    def deliver(self, batch: Any, campaign: Campaign, member: CampaignMember,
                message: Rendered) -> Outcome:
        sender = campaign.options.get("from") or settings.DEFAULT_FROM_EMAIL
        # Our own Message-ID, so replies and bounces find the member (built once, not twice).
        message_id = make_msgid(domain=DNS_NAME)
        email = mail.EmailMultiAlternatives(message.subject, message.text, from_email=sender,
                                            to=[member.address], connection=batch,
                                            headers={**message.headers,
                                                     "Message-ID": message_id})
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            return Outcome(False, error=f"refused: {exc}"[:500], permanent=True)
        except (OSError, smtplib.SMTPException) as exc:
            return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
        return Outcome(True, message_id=message_id.strip("<>"))
