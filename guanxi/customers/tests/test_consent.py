"""Consent: the gate every sender asks, its history, one-click unsubscribe (RFC 8058) and the
double opt-in of web forms; and each existing sender refusing a person who may not be reached."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from guanxi.core import send_gates
from guanxi.core.errors import FieldErrors
from guanxi.customers.models import Consent, Contact
from guanxi.customers.services import consent


@pytest.fixture
def people(org, make_account):
    company = make_account(name="上海明珠机电有限公司",
                           contacts=[{"name": "张三", "email": "zhangsan@mingzhu.example",
                                      "mobile": "13812345678"}])
    person = make_account(name="李女士", kind="person", email="li@home.example",
                          contacts=[{"name": "李女士", "email": "li@home.example"}])
    return company.contacts.get(), person, person.contacts.get()


def test_personal_customer_needs_recorded_consent_for_marketing(org, people):
    zhang, li_account, li = people
    assert not consent.may_contact(li, "email", "marketing").allowed
    assert not consent.may_contact(li_account, "email", "care").allowed
    assert "PIPL" in consent.may_contact(li, "email", "marketing").reason
    # Service notices go unless the person objected.
    assert consent.may_contact(li, "email", "service").allowed
    consent.record(org.rep, li, channel="email", purpose="marketing", granted=True,
                   source="staff", evidence="Signed the form at the showroom on 3 March")
    assert consent.may_contact(li, "email", "marketing").allowed
    assert not consent.may_contact(li, "sms", "marketing").allowed  # per channel


def test_company_contacts_follow_the_setting(org, people, settings):
    zhang, _account, _li = people
    assert consent.may_contact(zhang, "email", "marketing").allowed
    settings.GUANXI_COMPANY_CONSENT = "opt_in"
    assert not consent.may_contact(zhang, "email", "marketing").allowed


def test_withdrawal_wins_and_history_is_kept(org, people):
    zhang, _account, _li = people
    consent.record(org.rep, zhang, channel="email", purpose="marketing", granted=True,
                   source="import", evidence="CRM import 2025")
    consent.record(None, zhang, channel="email", purpose="marketing", granted=False,
                   source="reply", evidence="Replied TD")
    decision = consent.may_contact(zhang, "email", "marketing")
    assert not decision.allowed and "withdrawn" in decision.reason
    assert [r.granted for r in consent.history(zhang)] == [False, True]
    # A customer-wide withdrawal covers every contact of the customer.
    consent.record(org.rep, zhang.account, channel="sms", purpose="care", granted=False,
                   source="staff", evidence="Call on 4 March: no more SMS")
    assert not consent.may_contact(zhang, "sms", "care").allowed
    assert zhang.account.timeline.filter(kind="customers.consent").count() == 3


def test_staff_must_say_how_consent_was_given(org, people):
    zhang, _a, _l = people
    with pytest.raises(FieldErrors) as caught:
        consent.record(org.rep, zhang, channel="email", purpose="marketing", granted=True,
                       source="staff")
    assert "evidence" in caught.value.errors
    with pytest.raises(FieldErrors):
        consent.record(org.rep, zhang, channel="fax", purpose="marketing", granted=True,
                       source="import")
    assert not Consent.objects.exists()


def test_set_wise_gate_matches_the_one_by_one_gate(org, people, make_account):
    zhang, _account, li = people
    other = make_account(name="苏州电气", contacts=[{"name": "王五", "email": "w@sz.example"}])
    wang = other.contacts.get()
    consent.record(None, wang, channel="email", purpose="marketing", granted=False,
                   source="unsubscribe")
    everyone = Contact.objects.all()
    allowed = set(consent.consenting_contacts(everyone, "email", "marketing"))
    assert allowed == {c for c in everyone if consent.may_contact(c, "email", "marketing")}
    assert allowed == {zhang}
    consent.record(org.rep, li, channel="email", purpose="marketing", granted=True,
                   source="form")
    assert set(consent.consenting_contacts(everyone, "email", "marketing")) == {zhang, li}


def test_core_gate_checks_addresses(org, people):
    zhang, _a, li = people
    assert send_gates.check("zhangsan@mingzhu.example", "email", "marketing").allowed
    assert not send_gates.check("li@home.example", "email", "marketing").allowed
    assert not send_gates.check("stranger@nowhere.example", "email", "marketing").allowed
    assert send_gates.check("stranger@nowhere.example", "email", "service").allowed


def test_one_click_unsubscribe_page(org, people):
    zhang, _a, _l = people
    token = consent.unsubscribe_token(zhang, "email", "marketing", zhang.email)
    headers = consent.unsubscribe_headers(token)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.match(r"<https?://[^/]+(/.*)>", headers["List-Unsubscribe"]).group(1)
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200 and b"<form" in page.content
    assert consent.may_contact(zhang, "email", "marketing").allowed  # a GET changes nothing
    answer = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    decision = consent.may_contact(zhang, "email", "marketing")
    assert not decision.allowed and "Unsubscribe link" in decision.reason
    client.post(url, {"List-Unsubscribe": "One-Click"})  # twice: still one withdrawal
    assert Consent.objects.filter(contact=zhang, granted=False).count() == 1
    assert consent.may_contact(zhang, "email", "service").allowed  # only what the link named
    assert client.get(url[:-5] + "xxxx/").status_code == 400


def test_double_opt_in_from_a_web_form(org, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    consent.request_opt_in("New.Visitor@Example.cn", evidence="Web form 展会报名")
    assert not send_gates.check("new.visitor@example.cn", "email", "marketing").allowed
    message = mail.outbox[0]
    assert message.to == ["new.visitor@example.cn"]
    path = re.search(r"https?://[^/\s]+(/consent/confirm/\S+/)", message.body).group(1)
    client = Client()
    assert client.get(path).status_code == 200
    assert not send_gates.check("new.visitor@example.cn", "email", "marketing").allowed
    client.post(path)
    assert send_gates.check("new.visitor@example.cn", "email", "marketing").allowed
    row = Consent.objects.get()
    assert row.source == "form" and "Double opt-in" in row.evidence and "展会" in row.evidence
    assert client.post(path[:-3] + "zz/").status_code == 400
