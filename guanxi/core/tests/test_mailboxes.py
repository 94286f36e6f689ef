"""The mailbox reader against a real IMAP server (dovecot on loopback): what arrives is handed
to the handlers once, marked read only after the handler's commit, and a message it cannot
read is recorded and passed over."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from guanxi.core import inbound_mail, leases, mailboxes
from guanxi.core.models import AuditEntry, InboundMessage, Mailbox
from guanxi.core.tasks import read_mailboxes
from guanxi.core.tests.imap_server import imap_server, message

__all__ = ["imap_server"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken(monkeypatch):
    """A handler asked before every app's: it keeps each mail and writes a row, as a real
    handler does, so a rolled-back message leaves no row."""
    mails: list[inbound_mail.InboundMail] = []

    def take(mail):
        AuditEntry.objects.create(action="test.mail", object_type="mail",
                                  object_id=mail.message_id, object_repr=mail.subject[:200])
        mails.append(mail)
        return True

    monkeypatch.setitem(inbound_mail._HANDLERS, "test.take",
                        inbound_mail._Registered("test.take", take, -100))
    return mails


def rows() -> list[str]:
    return sorted(AuditEntry.objects.filter(action="test.mail")
                  .values_list("object_id", flat=True))


def read(settings, server, *boxes, **query):
    settings.GUANXI_MAILBOXES = server.setting(*boxes, **query)
    return mailboxes.read_all()


def test_new_mail_is_read_once_and_marked_read(imap_server, settings, taken):
    box = imap_server.mailbox("support")
    imap_server.deliver(box, message(message_id="a1@example.cn", subject="询价：S11 变压器",
                                     attachments=(("报价单.pdf", "application/pdf",
                                                   b"%PDF-1.4 x"),)))
    imap_server.deliver(box, message(message_id="a2@example.cn", subject="Second"))
    [result] = read(settings, imap_server, box)
    assert (result.handled, result.failed, result.error) == (2, 0, "")
    first = next(m for m in taken if m.message_id == "a1@example.cn")
    assert (first.mailbox, first.purpose, first.sender) == ("support", "support",
                                                            "zhang.san@example.cn")
    assert first.subject == "询价：S11 变压器" and first.text.strip() == "您好，请报价。"
    assert [(a.name, a.content_type, a.data) for a in first.attachments] == [
        ("报价单.pdf", "application/pdf", b"%PDF-1.4 x")]
    assert imap_server.unseen(box) == 0

    imap_server.deliver(box, message(message_id="a3@example.cn"))
    [again] = mailboxes.read_all()
    assert again.handled == 1
    assert rows() == ["a1@example.cn", "a2@example.cn", "a3@example.cn"]


def test_gbk_big5_subjects_and_html_only_body(imap_server, settings, taken):
    box = imap_server.mailbox("replies")
    gbk = base64.b64encode("关于合同的回复 镕".encode("gbk")).decode()
    big5 = base64.b64encode("詢價單".encode("big5")).decode()
    html = base64.b64encode("<p>王经理：</p><p>合同已<b>盖章</b>。</p><style>p{}</style>"
                            .encode("gbk")).decode()
    # GB2312 on the label, GBK characters (镕) inside: what many Chinese mailers send.
    imap_server.deliver(box, (
        "From: =?GB2312?B?" + base64.b64encode("李四".encode("gbk")).decode()
        + "?= <li.si@example.cn>\r\nTo: crm@guanxi.test\r\n"
        f"Subject: =?GB2312?B?{gbk}?= Re: =?Big5?B?{big5}?=\r\nMessage-ID: <g1@example.cn>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=GB2312\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{html}\r\n").encode())
    # Raw 8-bit GBK in the subject, no label at all.
    imap_server.deliver(box, b"From: wang@example.cn\r\nSubject: " + "报价确认".encode("gbk")
                        + b"\r\nMessage-ID: <g2@example.cn>\r\nContent-Type: text/plain\r\n"
                        b"\r\nok\r\n")
    read(settings, imap_server, box)
    by_id = {m.message_id: m for m in taken}
    assert by_id["g1@example.cn"].subject == "关于合同的回复 镕 Re: 詢價單"
    assert by_id["g1@example.cn"].sender_name == "李四"
    assert by_id["g1@example.cn"].text == "王经理：\n\n合同已盖章。"
    assert by_id["g2@example.cn"].subject == "报价确认"


def test_thread_ids_auto_replies_and_bounces(imap_server, settings, taken):
    box = imap_server.mailbox("replies")
    imap_server.deliver(box, message(message_id="r1@x", in_reply_to="sent-1@guanxi.test",
                                     references="<root@guanxi.test> <sent-1@guanxi.test>"))
    imap_server.deliver(box, message(message_id="r2@x", subject="自动回复：我正在休假",
                                     body="我将于下周一回来。"))
    imap_server.deliver(box, message(message_id="r3@x", subject="Re: quote",
                                     headers={"Auto-Submitted": "auto-replied"}))
    imap_server.deliver(box, message(message_id="r4@x", headers={"Precedence": "bulk"}))
    imap_server.deliver(box, (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.cn>\r\nTo: crm@guanxi.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <r5@mx>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        "Final-Recipient: rfc822; nobody@example.cn\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "\r\n--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: crm@guanxi.test\r\nMessage-ID: <campaign-7@guanxi.test>\r\n"
        "Subject: 春节问候\r\n\r\n--b1--\r\n").encode())
    read(settings, imap_server, box)
    by_id = {m.message_id: m for m in taken}
    assert by_id["r1@x"].thread_ids == ("sent-1@guanxi.test", "root@guanxi.test")
    assert not by_id["r1@x"].is_auto_reply and not by_id["r1@x"].is_bounce
    assert [by_id[i].is_auto_reply for i in ("r2@x", "r3@x", "r4@x")] == [True] * 3
    bounce = by_id["r5@mx"]
    assert bounce.is_bounce and bounce.bounced_message_id == "campaign-7@guanxi.test"
    assert "could not be delivered" in bounce.text


def test_a_30_mb_attachment_is_left_out_with_a_note(imap_server, settings, taken):
    box = imap_server.mailbox("support")
    # Written as a mail client would, without building 30 MB through the email package.
    imap_server.deliver(box, (
        "From: a@example.cn\r\nSubject: drawing\r\nMessage-ID: <big@x>\r\nMIME-Version: 1.0"
        '\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "图纸见附件。\r\n--b\r\nContent-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="drawing.dwg"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n").encode()
        + base64.encodebytes(b"\0" * (30 * 1024 * 1024)) + b"--b--\r\n")
    imap_server.deliver(box, message(message_id="next@x"))
    [result] = read(settings, imap_server, box)
    assert (result.handled, result.failed) == (2, 0)
    mail = next(m for m in taken if m.message_id == "big@x")
    assert mail.attachments == ()
    assert mail.notes == ("The attachment “drawing.dwg” was not kept: the message is larger "
                          "than 25 MB.",)
    assert mail.text.startswith("图纸见附件。") and "drawing.dwg" in mail.text
    assert InboundMessage.objects.get(message_id="big@x").size > 30 * 1024 * 1024


def test_broken_mime_is_recorded_and_the_reader_goes_on(imap_server, settings, taken):
    box = imap_server.mailbox("support")
    imap_server.deliver(box, b"From: a@example.cn\r\nSubject: broken\r\nMessage-ID: <b1@x>\r\n"
                             b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
                             b'boundary="never-there"\r\n\r\nno parts at all\r\n')
    imap_server.deliver(box, message(message_id="fine@x"))
    [result] = read(settings, imap_server, box)
    assert (result.handled, result.failed) == (1, 1)
    failed = InboundMessage.objects.get(status="failed")
    assert (failed.message_id, failed.subject) == ("b1@x", "broken")
    assert "MIME structure is broken" in failed.error
    assert rows() == ["fine@x"]
    assert imap_server.unseen(box) == 1  # left unread for a person to look at
    [again] = mailboxes.read_all()
    assert again.read == 0  # and not tried again and again


def test_a_failing_handler_is_recorded_and_its_writes_undone(imap_server, settings, taken,
                                                             monkeypatch):
    def explode(mail):
        if mail.message_id == "boom@x":
            AuditEntry.objects.create(action="test.half", object_type="x", object_id="1")
            raise ValueError("no such customer")
        return False

    monkeypatch.setitem(inbound_mail._HANDLERS, "test.explode",
                        inbound_mail._Registered("test.explode", explode, -200))
    box = imap_server.mailbox("support")
    imap_server.deliver(box, message(message_id="boom@x"))
    imap_server.deliver(box, message(message_id="ok@x"))
    [result] = read(settings, imap_server, box)
    assert (result.handled, result.failed) == (1, 1)
    assert "ValueError: no such customer" in InboundMessage.objects.get(uid=1).error
    assert not AuditEntry.objects.filter(action="test.half").exists()
    assert rows() == ["ok@x"]


def test_a_reader_killed_after_the_commit_does_not_handle_twice(imap_server, settings,
                                                                 taken, monkeypatch):
    box = imap_server.mailbox("support")
    for i in range(3):
        imap_server.deliver(box, message(message_id=f"c{i}@x"))
    real_take = mailboxes._take
    real_done = mailboxes._done

    def killed_after_second(*args):
        status = real_take(*args)
        if rows() == ["c0@x", "c1@x"]:
            raise KeyboardInterrupt  # the process dies between the commit and \Seen
        return status

    monkeypatch.setattr(mailboxes, "_take", killed_after_second)
    monkeypatch.setattr(mailboxes, "_done", lambda *args: None)  # a dead process marks nothing
    settings.GUANXI_MAILBOXES = imap_server.setting(box)
    with pytest.raises(KeyboardInterrupt):
        mailboxes.read_all()
    assert rows() == ["c0@x", "c1@x"]
    assert imap_server.unseen(box) == 3
    monkeypatch.setattr(mailboxes, "_take", real_take)
    monkeypatch.setattr(mailboxes, "_done", real_done)
    [result] = mailboxes.read_all()
    assert result.handled == 1
    assert rows() == ["c0@x", "c1@x", "c2@x"]


def test_a_reader_killed_inside_a_handler_reads_that_message_again(imap_server, settings,
                                                                    taken, monkeypatch):
    box = imap_server.mailbox("support")
    for i in range(3):
        imap_server.deliver(box, message(message_id=f"k{i}@x"))
    crashes = []

    def dies_once(mail):
        if mail.message_id == "k1@x" and not crashes:
            crashes.append(1)
            AuditEntry.objects.create(action="test.mail", object_type="m", object_id="half")
            raise KeyboardInterrupt
        return False

    monkeypatch.setitem(inbound_mail._HANDLERS, "test.dies",
                        inbound_mail._Registered("test.dies", dies_once, -200))
    settings.GUANXI_MAILBOXES = imap_server.setting(box)
    with pytest.raises(KeyboardInterrupt):
        mailboxes.read_all()
    assert rows() == ["k0@x"]
    [result] = mailboxes.read_all()
    assert result.handled == 2
    assert rows() == ["k0@x", "k1@x", "k2@x"]
    assert imap_server.unseen(box) == 0


def test_two_mailboxes_each_with_its_purpose(imap_server, settings, taken):
    support = imap_server.mailbox("support", name="support")
    replies = imap_server.mailbox("replies", name="sales-replies")
    imap_server.deliver(support, message(message_id="s@x"))
    imap_server.deliver(replies, message(message_id="r@x"))
    imap_server.deliver(replies, message(message_id="r2@x"))
    results = read(settings, imap_server, support, replies)
    assert [(r.mailbox, r.handled) for r in results] == [("support", 1), ("sales-replies", 2)]
    assert sorted((m.mailbox, m.purpose, m.message_id) for m in taken) == [
        ("sales-replies", "replies", "r2@x"), ("sales-replies", "replies", "r@x"),
        ("support", "support", "s@x")]
    assert Mailbox.objects.get(name="sales-replies").last_uid == 2


def test_one_reader_per_mailbox(imap_server, settings, taken):
    box = imap_server.mailbox("support")
    imap_server.deliver(box, message(message_id="l@x"))
    settings.GUANXI_MAILBOXES = imap_server.setting(box)
    state = Mailbox.objects.create(name="support")
    assert leases.acquire(Mailbox, state.pk, "another-worker")
    [result] = mailboxes.read_all()
    assert result.busy and taken == []
    leases.release(Mailbox, state.pk, "another-worker")
    [result] = mailboxes.read_all()
    assert result.handled == 1


def test_handled_mail_can_be_moved_to_a_folder(imap_server, settings, taken):
    box = imap_server.mailbox("support")
    imap_server.deliver(box, message(message_id="m@x"))
    read(settings, imap_server, box, move_to="Guanxi")
    assert imap_server.count(box) == 0 and imap_server.count(box, "Guanxi") == 1


def test_the_command_reads_once_and_says_what_it_did(imap_server, settings, taken, capsys):
    box = imap_server.mailbox("support")
    imap_server.deliver(box, message(message_id="cmd@x"))
    settings.GUANXI_MAILBOXES = imap_server.setting(box)
    call_command("read_mail")
    assert "support: 1 read — 1 handled" in capsys.readouterr().out
    # The worker's task every minute does the same.
    imap_server.deliver(box, message(message_id="task@x"))
    assert read_mailboxes.call_local() == 1
    assert rows() == ["cmd@x", "task@x"]


def test_a_wrong_password_is_reported_not_raised(imap_server, settings, taken):
    box = imap_server.mailbox("support")
    settings.GUANXI_MAILBOXES = imap_server.setting(box).replace(":secret@", ":wrong@")
    [result] = mailboxes.read_all()
    assert "login refused" in result.error
    assert Mailbox.objects.get(name="support").last_error == result.error


@pytest.mark.parametrize("scheme", ["imaps", "imap+starttls"])
def test_tls_and_starttls_with_a_private_ca(imap_server, settings, taken, scheme):
    if not imap_server.tls_port:
        pytest.skip("openssl is not installed: the test server has no certificate")
    box = imap_server.mailbox("support")
    imap_server.deliver(box, message(message_id="tls@x"))
    port = imap_server.tls_port if scheme == "imaps" else imap_server.port
    settings.GUANXI_MAILBOXES = (f"support={scheme}://{box.user}:secret@127.0.0.1:{port}/"
                                 f"?purpose=support&cafile={imap_server.cafile}")
    [result] = mailboxes.read_all()
    assert (result.handled, result.error) == (1, "")
    # Without the private CA the certificate is refused, and nothing is read.
    settings.GUANXI_MAILBOXES = settings.GUANXI_MAILBOXES.split("&cafile")[0]
    imap_server.deliver(box, message(message_id="tls2@x"))
    [refused] = mailboxes.read_all()
    assert "CERTIFICATE_VERIFY_FAILED" in refused.error and refused.read == 0


def test_the_setting_is_checked():
    [box] = mailboxes.parse_config(
        "support=imaps://support%40example.cn:p%40ss@imap.example.cn/Inbox?purpose=support")
    assert (box.user, box.password, box.host, box.port, box.security, box.folder) == (
        "support@example.cn", "p@ss", "imap.example.cn", 993, "tls", "Inbox")
    [box] = mailboxes.parse_config("r=imap+starttls://u:p@mail.example.cn")
    assert (box.port, box.security, box.purpose, box.folder) == (143, "starttls", "replies",
                                                                 "INBOX")
    with pytest.raises(ImproperlyConfigured, match="clear text"):
        mailboxes.parse_config("x=imap://u:p@mail.example.cn")
    with pytest.raises(ImproperlyConfigured, match="purpose"):
        mailboxes.parse_config("x=imaps://u:p@mail.example.cn?purpose=sales")
    with pytest.raises(ImproperlyConfigured, match="named twice"):
        mailboxes.parse_config("x=imaps://u:p@a.cn x=imaps://u:p@b.cn")
    with pytest.raises(ImproperlyConfigured) as err:
        mailboxes.parse_config("x=pop3://u:secret-pw@a.cn")
    assert "secret-pw" not in str(err.value)


def test_a_wrong_setting_is_said_at_start(settings):
    from guanxi.core import checks

    settings.GUANXI_MAILBOXES = "support=imap://u:secret@mail.example.cn"
    [error] = checks.mailboxes_are_configured()
    assert error.id == "guanxi.E010" and "clear text" in error.msg
    assert "secret" not in error.msg
    settings.GUANXI_MAILBOXES = ""
    assert checks.mailboxes_are_configured() == []


def test_a_forwarded_message_and_an_invitation_are_attachments_not_body():
    import email
    import email.policy
    from email.message import EmailMessage

    from guanxi.core.mail_parse import parse

    forwarded = message(sender="old@example.cn", subject="原始邮件", body="原文内容")
    outer = EmailMessage()
    outer["From"], outer["Subject"], outer["Message-ID"] = "a@example.cn", "Fw", "<fw@x>"
    outer.set_content("请看转发的邮件。")
    outer.add_attachment(email.message_from_bytes(forwarded, policy=email.policy.default))
    outer.add_attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", maintype="text",
                         subtype="calendar", disposition="inline")
    mail = parse(outer.as_bytes())
    assert mail.text.strip() == "请看转发的邮件。"
    assert [a.content_type for a in mail.attachments] == ["message/rfc822", "text/calendar"]
    assert b"From: old@example.cn" in mail.attachments[0].data
