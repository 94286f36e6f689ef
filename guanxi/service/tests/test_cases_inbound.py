"""Mail into cases, built as ``InboundMail`` values (the mailbox reader is tested on its own):
new support mail opens a case, replies thread onto theirs, robots never open cases."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from guanxi.core.inbound_mail import InboundAttachment, InboundMail, dispatch
from guanxi.service.models import Case, CaseAttachment
from guanxi.service.services import cases as services
from guanxi.service.tests.cases_fixtures import at, svc_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def mail(**kw) -> InboundMail:
    values = {"mailbox": "support", "purpose": "support", "message_id": "a1@mail.cn",
              "sender": "li@customer.cn", "subject": "变压器异响", "text": "2号主变有异响",
              "received_at": at(2026, 3, 2, 9)} | kw
    return InboundMail(**values)


def test_a_known_sender_gets_a_case_on_their_customer(svc, make_account):
    account = make_account(contacts=[{"name": "李工", "email": "Li@Customer.cn"}])
    assert dispatch(mail()) == "service.cases"
    case = Case.objects.get()
    assert (case.account, case.contact.name, case.channel) == (account, "李工", "email")
    assert case.subject == "变压器异响" and case.messages.get().kind == "inbound"


def test_an_unknown_sender_gets_an_unknown_sender_case(svc):
    dispatch(mail(sender="who@nowhere.cn", sender_name="Mr Who"))
    case = Case.objects.get()
    assert case.account is None and case.requester_email == "who@nowhere.cn"


def test_the_case_number_in_the_subject_appends_and_wakes_a_waiting_case(svc):
    case = services.create_case(svc.agent, subject="Q", requester_email="li@customer.cn")
    case = services.change_status(svc.agent, case, "waiting", case.version)
    dispatch(mail(subject=f"Re: [{case.number}] photos", message_id="b2@mail.cn"))
    case.refresh_from_db()
    assert Case.objects.count() == 1 and case.status == "in_progress"
    assert case.events.filter(kind="mail_in").exists()


def test_the_same_mail_read_twice_is_taken_once(svc):
    dispatch(mail())
    assert dispatch(mail()) == "service.cases"
    assert Case.objects.count() == 1 and Case.objects.get().messages.count() == 1


@pytest.mark.parametrize("robot", [{"is_auto_reply": True}, {"is_bounce": True}])
def test_auto_replies_and_bounces_never_open_cases(svc, robot):
    assert dispatch(mail(**robot)) is None
    assert not Case.objects.exists()


def test_an_auto_reply_in_a_thread_is_kept_but_changes_nothing(svc):
    case = services.create_case(svc.agent, subject="Q", requester_email="li@customer.cn")
    case = services.change_status(svc.agent, case, "waiting", case.version)
    dispatch(mail(subject=f"Out of office [{case.number}]", is_auto_reply=True))
    case.refresh_from_db()
    assert case.status == "waiting" and case.messages.count() == 1


def test_a_reply_mailbox_never_opens_cases(svc):
    assert dispatch(mail(purpose="replies")) is None
    assert not Case.objects.exists()


def test_our_own_mail_coming_back_is_not_a_case(svc, settings):
    assert dispatch(mail(sender="support@example.com")) is None
    assert not Case.objects.exists()


def test_attachments_are_kept_and_too_large_ones_named(svc, settings):
    settings.GUANXI_UPLOAD_MAX_MB = 1
    dispatch(mail(attachments=(
        InboundAttachment("铭牌.jpg", "image/jpeg", b"\xff\xd8\xff" + b"0" * 100),
        InboundAttachment("huge.bin", "application/octet-stream", b"0" * (2 * 1024 * 1024)))))
    kept = CaseAttachment.objects.get()
    assert kept.name == "铭牌.jpg" and kept.size == 103
    assert default_storage.exists(kept.file.name)
    assert "huge.bin" in Case.objects.get().events.get(kind="mail_in").note
    default_storage.delete(kept.file.name)
