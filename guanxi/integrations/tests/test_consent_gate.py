"""Automation rules' e-mails need marketing consent."""

from __future__ import annotations

import pytest
from django.core import mail

from guanxi.customers.services import consent


@pytest.fixture
def people(org, make_account):
    company = make_account(name="上海明珠机电有限公司",
                           contacts=[{"name": "张三", "email": "zhangsan@mingzhu.example",
                                      "mobile": "13812345678"}])
    person = make_account(name="李女士", kind="person", email="li@home.example",
                          contacts=[{"name": "李女士", "email": "li@home.example"}])
    return company.contacts.get(), person, person.contacts.get()


def test_automation_email_needs_marketing_consent(org, people, settings):
    from guanxi.integrations.services.automation import send_rule_email
    from guanxi.sales.models import EmailTemplate

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _zhang, li_account, li = people
    li_account.owner = org.rep
    template = EmailTemplate.objects.create(name="新品", language="zh-hans",
                                            subject="新品上市", body="{{ contact.name }} 您好")
    assert send_rule_email(template.pk, org.rep.pk, li_account.pk, li.pk, None) == "refused"
    assert not mail.outbox
    consent.record(org.rep, li, channel="email", purpose="marketing", granted=True,
                   source="portal")
    assert send_rule_email(template.pk, org.rep.pk, li_account.pk, li.pk, None) == "sent"
    assert len(mail.outbox) == 1
