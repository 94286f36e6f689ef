"""``guanxi bench --only mail``: reading ``--mails`` messages (default 1,000) from a real IMAP
server through the inbound mail handlers.

A throwaway dovecot (the one the tests use, ``guanxi/core/tests/imap_server.py``) is started
on loopback with a "replies" mailbox. For each message a sent e-mail is stored first, as a rep
sending from a customer's record would leave it; the messages delivered to the Maildir are
replies to those (In-Reply-To, 80 %), replies found only by References (10 %), auto-replies
(5 %) and mail from strangers (5 %), half of them with a small PDF attached, Chinese subjects
and bodies. One reader run is timed: connect, search, fetch, parse, hand over to every
registered handler, record the UID and mark the message read, one transaction per message.
Reported: mails per second, and how many each handler took.
"""

from __future__ import annotations

import json
import platform
import time
import uuid
from collections import Counter
from typing import TextIO

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from bench.scenarios import database_label
from guanxi.core import inbound_mail, mailboxes
from guanxi.core.models import InboundMessage
from guanxi.customers.models import Contact
from guanxi.sales.models import EmailMessage

PDF = b"%PDF-1.4\n" + b"0" * 20_000


def _sent(count: int) -> list[tuple[Contact, str]]:
    """``count`` e-mails the CRM sent to contacts with an address: (contact, Message-ID)."""
    contacts = list(Contact.objects.exclude(email="").select_related("account")
                    .order_by("id")[:max(1, count)])
    if not contacts:
        raise SystemExit("No contact has an e-mail address: grow the demo data first.")
    rows, now = [], timezone.now()
    for i in range(count):
        contact = contacts[i % len(contacts)]
        rows.append(EmailMessage(
            account=contact.account, contact=contact, direction="out",
            sender=settings.DEFAULT_FROM_EMAIL, to=contact.email, subject=f"报价单 {i}",
            body="您好，报价见附件。", message_id=f"<bench-{uuid.uuid4().hex}@guanxi.bench>",
            status=EmailMessage.Status.SENT, at=now))
    EmailMessage.objects.bulk_create(rows, batch_size=500)
    return [(r.contact, r.message_id) for r in rows]


def _messages(sent: list[tuple[Contact, str]]) -> list[bytes]:
    from guanxi.core.tests.imap_server import message

    out = []
    for i, (contact, message_id) in enumerate(sent):
        kind = i % 20
        attachments = (("报价确认.pdf", "application/pdf", PDF),) if i % 2 else ()
        own = f"bench-reply-{uuid.uuid4().hex}@customer.example"
        if kind < 16:
            raw = message(contact.email, subject=f"回复：报价单 {i}", message_id=own,
                          body="价格可以，请尽快发合同。\n\n> 您好，报价见附件。",
                          in_reply_to=message_id.strip("<>"), attachments=attachments)
        elif kind < 18:
            raw = message(contact.email, subject=f"Re: 报价单 {i}", message_id=own,
                          references=f"<older@customer.example> {message_id}",
                          attachments=attachments)
        elif kind == 18:
            raw = message(contact.email, subject="自动回复：我正在休假", message_id=own,
                          in_reply_to=message_id.strip("<>"),
                          headers={"Auto-Submitted": "auto-replied"})
        else:
            raw = message(f"stranger{i}@elsewhere.example", subject="合作机会",
                          message_id=own)
        out.append(raw)
    return out


def main(count: int, *, out: TextIO, err: TextIO, as_json: bool) -> None:
    from guanxi.core.tests.imap_server import ImapServer, dovecot_binary

    binary = dovecot_binary()
    if binary is None:
        raise SystemExit("The mail bench needs dovecot (Debian: apt-get install dovecot-imapd).")
    server = ImapServer(binary)
    server.start()
    try:
        box = server.mailbox("replies", name=f"bench-{uuid.uuid4().hex[:8]}")
        err.write(f"  storing {count:,} sent e-mails and delivering {count:,} messages …")
        started = time.monotonic()
        raws = _messages(_sent(count))
        for raw in raws:
            server.deliver(box, raw)
        prepared = time.monotonic() - started
        megabytes = sum(len(r) for r in raws) / 1024 / 1024
        [config] = mailboxes.parse_config(server.setting(box))
        err.write("  reading …")
        result = mailboxes.read_mailbox(config)
        if result.error:
            raise SystemExit(f"The reader failed: {result.error}")
        handlers = dict(InboundMessage.objects.filter(mailbox__name=box.name)
                        .values_list("handler").annotate(n=Count("id")))
        statuses = Counter(InboundMessage.objects.filter(mailbox__name=box.name)
                           .values_list("status", flat=True))
    finally:
        server.stop()
    rate = result.read / result.seconds if result.seconds else 0.0
    figures = {
        "database": database_label(), "mails": result.read, "megabytes": round(megabytes, 1),
        "seconds": round(result.seconds, 2), "mails_per_second": round(rate, 1),
        "handled": result.handled, "unhandled": result.unhandled, "failed": result.failed,
        "by_handler": {k or "(none)": v for k, v in handlers.items()},
        "statuses": dict(statuses), "handlers": [n for n, _h in inbound_mail.handlers()],
        "prepare_seconds": round(prepared, 1), "python": platform.python_version(),
        "machine": platform.machine()}
    if as_json:
        out.write(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    out.write(f"{figures['database']}: {result.read:,} mails ({megabytes:.1f} MB) read from "
              f"dovecot in {result.seconds:.2f} s = {rate:.1f} mails/s")
    out.write(f"  handled {result.handled:,}, taken by no handler {result.unhandled:,}, "
              f"failed {result.failed:,}; by handler: {figures['by_handler']}")
    out.write(f"  handlers asked, in order: {', '.join(figures['handlers'])}")
