"""Mail into cases end to end, through a real IMAP server (dovecot on loopback): a mail to
the support mailbox opens a case for the sender's customer, the agent's reply goes out
threaded, and the customer's answer to it is added to the same case — not logged a second
time on the timeline as a reply to a sales e-mail."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail

from guanxi.core import mailboxes
from guanxi.core.models import InboundMessage
from guanxi.core.tests.imap_server import imap_server, message
from guanxi.sales.models import EmailMessage
from guanxi.service.models import Case
from guanxi.service.services import cases as case_services
from guanxi.service.tests.cases_fixtures import svc_fixture

__all__ = ["imap_server", "svc_fixture"]


@pytest.fixture
def support(imap_server, settings, monkeypatch):
    from guanxi.core.tasks import queue

    monkeypatch.setattr(queue, "immediate", True)  # the worker's sending, run here
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    box = imap_server.mailbox("support")
    settings.GUANXI_MAILBOXES = imap_server.setting(box)
    return lambda raw: imap_server.deliver(box, raw)


def test_a_support_mail_opens_a_case_and_the_answer_to_the_reply_threads_onto_it(
        svc, make_account, support, django_capture_on_commit_callbacks):
    account = make_account(contacts=[{"name": "李工", "email": "li@customer.cn"}])
    support(message("李工 <Li@Customer.cn>", to="support@example.com",
                    subject="2号主变异响", body="请尽快派人检修。",
                    message_id="first@customer.cn",
                    attachments=(("铭牌.jpg", "image/jpeg", b"\xff\xd8\xff" + b"0" * 64),)))
    [result] = mailboxes.read_all()
    assert result.handled == 1
    assert InboundMessage.objects.get().handler == "service.cases"
    case = Case.objects.get()
    assert (case.account, case.contact.name, case.subject, case.channel) == (
        account, "李工", "2号主变异响", "email")

    with django_capture_on_commit_callbacks(execute=True):
        reply = case_services.reply(svc.agent, case, "明天上午九点到现场。")
    [sent] = django_mail.outbox
    assert sent.to == ["li@customer.cn"]
    assert sent.extra_headers["Message-ID"] == f"<{reply.message_id}>"

    support(message("li@customer.cn", to="support@example.com", subject=f"Re: {reply.subject}",
                    body="好的，谢谢。", message_id="second@customer.cn",
                    in_reply_to=reply.message_id,
                    references=f"<first@customer.cn> <{reply.message_id}>"))
    [result] = mailboxes.read_all()
    assert result.handled == 1
    assert Case.objects.count() == 1
    assert [m.kind for m in case.messages.order_by("id")] == [
        "inbound", "reply", "inbound"]
    assert not EmailMessage.objects.filter(direction="in").exists()
