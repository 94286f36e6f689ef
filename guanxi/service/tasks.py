"""Service's background work: sending case replies by e-mail (threaded), the SLA check every
minute, and recomputing due times after the calendar changes."""

from __future__ import annotations

import smtplib

from django.core import mail
from django.utils import timezone

from guanxi.core.tasks import background, crontab, periodic


def deliver_reply(message_id: int) -> str:
    """Send one reply; "sent", "failed" or "skipped" (already sent, or not by e-mail)."""
    from guanxi.service.models import CaseMessage

    message = CaseMessage.objects.select_related("case").filter(pk=message_id).first()
    if message is None or not message.by_email or message.sent_at is not None:
        return "skipped"
    headers = {"Message-ID": f"<{message.message_id}>"}
    if message.in_reply_to:
        headers["In-Reply-To"] = f"<{message.in_reply_to}>"
    if message.references:
        headers["References"] = " ".join(f"<{r}>" for r in message.references.split())
    email = mail.EmailMessage(message.subject, message.body, from_email=message.sender,
                              to=[message.to], headers=headers)
    try:
        email.send()
    except (OSError, smtplib.SMTPException):
        return "failed"
    CaseMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
        sent_at=timezone.now())
    return "sent"


@background()
def send_reply(message_id: int) -> str:
    # A failed send stays unsent (no ``sent_at``): the case page shows it and offers resending.
    return deliver_reply(message_id)


@periodic(crontab(minute="*"))
def sla_check() -> tuple[int, int]:
    """Warn before breaches and escalate breaches (each case once)."""
    from guanxi.service.services.cases import check_sla
    return check_sla()


@background()
def recompute_sla_due() -> int:
    from guanxi.service.services.sla import recompute_due
    return recompute_due()
