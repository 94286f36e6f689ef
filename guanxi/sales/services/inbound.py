"""Replies to e-mail sent from the CRM, logged on the customer's timeline (SPEC C2).

The mailbox reader (``core.mailboxes``) offers each message to the handlers in turn; service
(cases) and marketing (campaign replies, bounces) are asked first. What reaches this one and
answers an e-mail the CRM sent — by In-Reply-To or References against the stored Message-IDs —
is kept as an incoming ``EmailMessage`` on the same customer, contact and opportunity, shown on
the timeline, and the rep who sent the original is told. In a "replies" mailbox, mail from a
known contact that answers nothing is logged on that contact's customer as well.
Auto-replies and bounces are never logged: they are not the customer speaking.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop

from guanxi.core import audit, notifications
from guanxi.core.inbound_mail import InboundMail
from guanxi.customers.models import Contact
from guanxi.sales.models import EmailMessage


def _bracketed(message_id: str) -> str:
    return f"<{message_id}>" if message_id else ""


def _original(mail: InboundMail) -> EmailMessage | None:
    """The stored e-mail ``mail`` answers, the nearest in its thread."""
    ids = mail.thread_ids
    if not ids:
        return None
    # Sent messages store the header as written, with angle brackets; accept both forms.
    rows = list(EmailMessage.objects.filter(
        message_id__in=[*map(_bracketed, ids), *ids]).exclude(status=EmailMessage.Status.FAILED)
        .select_related("account", "contact", "opportunity", "sent_by"))
    rank = {mid: n for n, mid in enumerate(ids)}
    rows.sort(key=lambda r: (rank.get(r.message_id.strip("<>"), len(ids)), -r.pk))
    return rows[0] if rows else None


def _known_contact(mail: InboundMail) -> Contact | None:
    """The one contact with the sender's address (none when several customers share it)."""
    found = list(Contact.objects.filter(email__iexact=mail.sender, account__is_active=True)
                 .select_related("account")[:2])
    return found[0] if len(found) == 1 else None


def log_reply(mail: InboundMail) -> bool:
    """Keep ``mail`` as an incoming e-mail when it answers one the CRM sent (or comes from a
    known contact to a "replies" mailbox); whether it was taken."""
    if mail.is_auto_reply or mail.is_bounce or not mail.sender:
        return False
    if mail.message_id and EmailMessage.objects.filter(
            direction="in", message_id=_bracketed(mail.message_id)).exists():
        return True  # logged already (read from a second mailbox, say)
    original = _original(mail)
    contact: Contact | None = None
    if original is not None:
        account, opportunity, sent_by = original.account, original.opportunity, \
            original.sent_by
        if original.contact and original.contact.email.lower() == mail.sender:
            contact = original.contact
        elif account is not None:
            contact = account.contacts.filter(email__iexact=mail.sender).first()
    elif mail.purpose == "replies" and (contact := _known_contact(mail)) is not None:
        account, opportunity, sent_by = contact.account, None, None
    else:
        return False
    row = EmailMessage.objects.create(
        account=account, contact=contact, opportunity=opportunity, direction="in",
        sender=mail.sender, to=", ".join(mail.to)[:500], cc=", ".join(mail.cc)[:500],
        subject=" ".join(mail.subject.split())[:300] or "—", body=mail.text,
        message_id=_bracketed(mail.message_id)[:300], status=EmailMessage.Status.LOGGED,
        at=mail.received_at)
    audit.log(None, "sales.email.received", row,
              data={"from": mail.sender, "mailbox": mail.mailbox,
                    "in_reply_to": original.pk if original else None,
                    "attachments": [a.name for a in mail.attachments]})
    if sent_by is not None and sent_by.is_active and account is not None:
        notifications.notify(
            sent_by, gettext_noop("Reply from %(sender)s: %(subject)s"),
            {"sender": mail.sender_name or mail.sender, "subject": row.subject},
            kind="sales.email_reply", url=reverse("customers:detail", args=[account.pk]))
    return True

