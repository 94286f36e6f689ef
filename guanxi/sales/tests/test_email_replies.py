"""Replies to e-mail sent from a customer's record, read from a real IMAP server (dovecot on
loopback) and logged on that customer's timeline: matched by In-Reply-To or References
against the Message-ID the send stored; auto-replies, bounces and strangers are not logged."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail

from guanxi.core import mailboxes
from guanxi.core.models import InboundMessage, Notification
from guanxi.core.tests.imap_server import imap_server, message
from guanxi.customers.models import TimelineEvent
from guanxi.sales.models import EmailMessage
from guanxi.sales.services import email as svc
from guanxi.sales.tests import work_fixtures

__all__ = ["imap_server"]
work = work_fixtures.work


@pytest.fixture
def sent(org, work, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    row = svc.send_email(org.rep, work.account, contact=work.contact, subject="S11 变压器报价",
                         body="张三您好，报价见附件。", opportunity=work.opportunity)
    [out] = django_mail.outbox
    assert out.extra_headers["Message-ID"] == row.message_id  # the header the customer sees
    return row


@pytest.fixture
def replies(imap_server, settings):
    box = imap_server.mailbox("replies")
    settings.GUANXI_MAILBOXES = imap_server.setting(box)
    return lambda raw: imap_server.deliver(box, raw)


def bare(message_id: str) -> str:
    return message_id.strip("<>")


def test_a_reply_by_in_reply_to_goes_on_the_customers_timeline(org, work, sent, replies):
    replies(message(sender="张三 <ZhangSan@mingzhu.example.cn>", subject="Re: S11 变压器报价",
                    body="价格可以，请发合同。", message_id="reply-1@mingzhu.example.cn",
                    in_reply_to=bare(sent.message_id)))
    [result] = mailboxes.read_all()
    assert result.handled == 1
    row = EmailMessage.objects.get(direction="in")
    assert (row.account, row.contact, row.opportunity, row.sender, row.status) == (
        work.account, work.contact, work.opportunity, "zhangsan@mingzhu.example.cn", "logged")
    assert row.body.strip() == "价格可以，请发合同。"
    entry = TimelineEvent.objects.get(kind="sales.email", account=work.account,
                                      title__startswith="E-mail received")
    assert entry.title == "E-mail received: Re: S11 变压器报价"
    assert InboundMessage.objects.get().handler == "sales.replies"
    note = Notification.objects.get(recipient=org.rep, kind="sales.email_reply")
    assert note.title == "Reply from 张三: Re: S11 变压器报价"


def test_a_reply_found_by_references_from_a_colleague(org, work, sent, replies):
    from guanxi.customers.services import add_contact

    colleague = add_contact(org.rep, work.account, {"name": "王五",
                                                    "email": "wangwu@mingzhu.example.cn"})
    # Some mailers drop In-Reply-To and keep only References (oldest first).
    replies(message(sender="wangwu@mingzhu.example.cn", subject="回复：S11 变压器报价",
                    message_id="reply-2@mingzhu.example.cn",
                    references=f"<unknown@elsewhere> {sent.message_id}"))
    mailboxes.read_all()
    row = EmailMessage.objects.get(direction="in")
    assert (row.account, row.contact, row.opportunity) == (work.account, colleague,
                                                          work.opportunity)


def test_a_new_thread_from_a_known_contact_is_logged_a_stranger_is_not(work, replies):
    replies(message(sender="zhangsan@mingzhu.example.cn", subject="新项目询价",
                    message_id="new-1@mingzhu.example.cn"))
    replies(message(sender="nobody@unknown.example", subject="合作", message_id="new-2@x"))
    [result] = mailboxes.read_all()
    assert (result.handled, result.unhandled) == (1, 1)
    row = EmailMessage.objects.get(direction="in")
    assert (row.account, row.contact, row.opportunity, row.subject) == (
        work.account, work.contact, None, "新项目询价")


def test_auto_replies_and_bounces_are_not_the_customer_speaking(work, sent, replies):
    replies(message(sender="zhangsan@mingzhu.example.cn", subject="自动回复：休假中",
                    message_id="auto@x", in_reply_to=bare(sent.message_id)))
    replies(message(sender="MAILER-DAEMON@mx.mingzhu.example.cn",
                    subject="Undelivered Mail Returned to Sender", message_id="dsn@x",
                    body=f"Message-ID: {sent.message_id}\nUser unknown"))
    [result] = mailboxes.read_all()
    assert (result.handled, result.unhandled) == (0, 2)
    assert not EmailMessage.objects.filter(direction="in").exists()


def test_the_same_reply_in_two_mailboxes_is_logged_once(imap_server, settings, sent):
    first, second = imap_server.mailbox("replies", "a"), imap_server.mailbox("replies", "b")
    raw = message(sender="zhangsan@mingzhu.example.cn", message_id="twice@x",
                  in_reply_to=bare(sent.message_id))
    imap_server.deliver(first, raw)
    imap_server.deliver(second, raw)
    settings.GUANXI_MAILBOXES = imap_server.setting(first, second)
    assert [r.handled for r in mailboxes.read_all()] == [1, 1]
    assert EmailMessage.objects.filter(direction="in").count() == 1
