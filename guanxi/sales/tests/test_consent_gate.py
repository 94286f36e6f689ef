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


def test_web_form_subscription_is_a_double_opt_in(org, settings):
    import re
    import time

    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from guanxi.core import send_gates
    from guanxi.sales.services.leads import create_web_form
    from guanxi.sales.views.webforms import make_stamp

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    form = create_web_form(org.admin, {"name": "官网询价", "source": "website",
                                       "team": org.team_a})
    client = Client(enforce_csrf_checks=True)
    client.post(reverse("sales:public_form", args=[form.key]), {
        "name": "王小明", "email": "wang@visitor.example", "timeframe": "6m",
        "subscribe": "on", "stamp": make_stamp(form.key, time.time() - 30), "website": ""},
        REMOTE_ADDR="203.0.113.7")
    confirm = next(m for m in mail.outbox if "/consent/confirm/" in m.body)
    assert not send_gates.check("wang@visitor.example", "email", "marketing").allowed
    path = re.search(r"https?://[^/\s]+(/consent/confirm/\S+/)", confirm.body).group(1)
    Client().post(path)
    assert send_gates.check("wang@visitor.example", "email", "marketing").allowed
    cache.clear()
