"""``guanxi bench --only mail``: reading ``--mails`` messages (default 1,000) from a real IMAP
server through the inbound mail handlers (and, when service registers its handler, as many
into cases from a support mailbox: half new requests, half follow-ups in their threads).

A throwaway dovecot (the one the tests use, ``guanxi/core/tests/imap_server.py``) is started
on loopback with a "replies" mailbox. For each message a sent e-mail is stored first, as a rep
sending from a customer's record would leave it; the messages delivered to the Maildir are
replies to those (In-Reply-To, 80 %), replies found only by References (10 %), auto-replies
(5 %) and mail from strangers (5 %), half of them with a small PDF attached, Chinese subjects
and bodies. One reader run is timed: connect, search, fetch, parse, hand over to every
registered handler, record the UID and mark the message read, one transaction per message.
Reported per run: mails per second, and how many each handler took.
"""

from __future__ import annotations

import json
import platform
import uuid
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


def _support_messages(count: int) -> tuple[list[bytes], list[bytes]]:
    """For a support mailbox: ``count // 2`` new requests from known contacts (each opens a
    case), then as many follow-ups in their threads (each is added to its case)."""
    from guanxi.core.tests.imap_server import message

    contacts = list(Contact.objects.exclude(email="").order_by("id")[:max(1, count)])
    first, second = [], []
    for i in range(count // 2):
        contact = contacts[i % len(contacts)]
        own = f"bench-case-{uuid.uuid4().hex}@customer.example"
        first.append(message(contact.email, subject=f"变压器 {i} 号油温过高，请派人检修",
                             body=f"设备编号 S11-{i}，油温 95℃，请尽快安排。",
                             message_id=own,
                             attachments=(("现场照片.jpg", "image/jpeg", PDF),) if i % 2
                             else ()))
        second.append(message(contact.email, subject=f"Re: 变压器 {i} 号油温过高",
                              body="补充：今天上午又报警一次。", in_reply_to=own,
                              message_id=f"bench-more-{uuid.uuid4().hex}@customer.example"))
    return first, second


def _read(server, box, raws: list[bytes]) -> mailboxes.ReadResult:
    for raw in raws:
        server.deliver(box, raw)
    [config] = mailboxes.parse_config(server.setting(box))
    result = mailboxes.read_mailbox(config)
    if result.error:
        raise SystemExit(f"The reader failed: {result.error}")
    return result


def _by_handler(names: list[str]) -> dict[str, int]:
    rows = (InboundMessage.objects.filter(mailbox__name__in=names).values_list("handler")
            .annotate(n=Count("id")))
    return {k or "(none)": v for k, v in rows}


def main(count: int, *, out: TextIO, err: TextIO, as_json: bool) -> None:
    from guanxi.core.tests.imap_server import ImapServer, dovecot_binary

    binary = dovecot_binary()
    if binary is None:
        raise SystemExit("The mail bench needs dovecot (Debian: apt-get install dovecot-imapd).")
    handler_names = [n for n, _h in inbound_mail.handlers()]
    with_cases = any(n.startswith("service.") for n in handler_names)
    server = ImapServer(binary)
    server.start()
    runs: list[dict] = []
    try:
        tag = uuid.uuid4().hex[:8]
        replies = server.mailbox("replies", name=f"bench-replies-{tag}")
        err.write(f"  replies mailbox: storing {count:,} sent e-mails, delivering {count:,} "
                  "replies …")
        raws = _messages(_sent(count))
        result = _read(server, replies, raws)
        runs.append(_figures("replies to e-mail sent from records", result, raws,
                             _by_handler([replies.name])))
        if with_cases:
            support = server.mailbox("support", name=f"bench-support-{tag}")
            new, follow_ups = _support_messages(count)
            err.write(f"  support mailbox: {len(new):,} new requests …")
            result = _read(server, support, new)
            runs.append(_figures("support: new requests (cases opened)", result, new, {}))
            err.write(f"  support mailbox: {len(follow_ups):,} follow-ups in their threads …")
            result = _read(server, support, follow_ups)
            runs.append(_figures("support: follow-ups (added to cases)", result, follow_ups,
                                 _by_handler([support.name])))
    finally:
        server.stop()
    meta = {"database": database_label(), "handlers": handler_names,
            "python": platform.python_version(), "machine": platform.machine()}
    if as_json:
        out.write(json.dumps({"meta": meta, "runs": runs}, ensure_ascii=False, indent=2))
        return
    out.write(f"{meta['database']}; handlers asked, in order: {', '.join(handler_names)}")
    for run in runs:
        out.write(f"  {run['run']}: {run['mails']:,} mails ({run['megabytes']} MB) in "
                  f"{run['seconds']:.2f} s = {run['mails_per_second']:.1f} mails/s; handled "
                  f"{run['handled']:,}, by no handler {run['unhandled']:,}, failed "
                  f"{run['failed']:,}" + (f"; {run['by_handler']}" if run["by_handler"]
                                         else ""))
    if not with_cases:
        out.write("  (no service handler is registered: the support mailbox was not measured)")


def _figures(name: str, result: mailboxes.ReadResult, raws: list[bytes],
             by_handler: dict[str, int]) -> dict:
    rate = result.read / result.seconds if result.seconds else 0.0
    return {"run": name, "mails": result.read,
            "megabytes": round(sum(len(r) for r in raws) / 1024 / 1024, 1),
            "seconds": round(result.seconds, 2), "mails_per_second": round(rate, 1),
            "handled": result.handled, "unhandled": result.unhandled, "failed": result.failed,
            "by_handler": by_handler}
