"""E-mail from the record and lead material honour the consent gate."""

from __future__ import annotations

import pytest
from django.core import mail

from guanxi.core.errors import FieldErrors
from guanxi.customers.services import consent


@pytest.fixture
def people(org, make_account):
    company = make_account(name="上海明珠机电有限公司",
                           contacts=[{"name": "张三", "email": "zhangsan@mingzhu.example",
                                      "mobile": "13812345678"}])
    person = make_account(name="李女士", kind="person", email="li@home.example",
                          contacts=[{"name": "李女士", "email": "li@home.example"}])
    return company.contacts.get(), person, person.contacts.get()


def test_email_from_the_record_refuses_a_person_who_objected(org, people, settings):
    from guanxi.sales.services.email import send_email

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    zhang, _a, _l = people
    consent.record(None, zhang, channel="email", purpose="service", granted=False,
                   source="reply", evidence="Please stop writing")
    with pytest.raises(FieldErrors) as caught:
        send_email(org.rep, zhang.account, contact=zhang, subject="报价", body="您好")
    assert "may not receive" in caught.value.errors["contact"][0]
    assert not mail.outbox


def test_lead_material_is_not_sent_to_an_unsubscribed_address(org, settings):
    from guanxi.sales.models import Lead
    from guanxi.sales.services.routing import send_material

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    consent.record(None, None, address="Zhang.Wei@example.cn", channel="email",
                   purpose="service", granted=False, source="unsubscribe")
    lead = Lead.objects.create(name="张伟", email="zhang.wei@example.cn", timeframe="6m")
    assert send_material(lead.pk, "detailed") is False
    assert not mail.outbox
