"""Quote e-mails and payment reminders honour the consent gate."""

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


def test_quote_email_is_not_sent_to_a_person_who_objected(org, people, settings):
    from guanxi.orders.jobs.mail import email_quote
    from guanxi.orders.tests.test_quotes_fixtures import make_quote

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    zhang, _a, _l = people
    consent.record(None, zhang, channel="email", purpose="service", granted=False,
                   source="reply", evidence="Stop")
    quote = make_quote(_quote_world(org, zhang.account))
    assert email_quote(quote.pk, org.rep.pk, zhang.email, "", "en") == "failed"
    assert not mail.outbox


def _quote_world(org, account):
    from types import SimpleNamespace

    from guanxi.orders.tests.test_quotes_fixtures import make_product

    transformer = make_product("TR-100", "油浸式变压器", "Oil-immersed transformer",
                               "10000.00", cost="7000")
    return SimpleNamespace(org=org, account=account, contact=account.contacts.first(),
                           opp=None, transformer=transformer, switch=transformer,
                           service=transformer)


def test_payment_reminder_is_not_sent_to_a_person_who_objected(org, people, settings):
    import datetime as dt

    from guanxi.orders.models import DunningReminder
    from guanxi.orders.services import dunning
    from guanxi.orders.tests.receivables_fixtures import make_invoice

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GUANXI_DUNNING_DAYS = [7]
    zhang, _a, _l = people
    consent.record(None, zhang, channel="email", purpose="service", granted=False,
                   source="reply", evidence="Stop")
    due = dt.date(2026, 5, 1)
    make_invoice(zhang.account, "1000.00", issued=due - dt.timedelta(days=30), due=due,
                 collection_owner=org.collection)
    dunning.send_reminders(due + dt.timedelta(days=8))
    reminder = DunningReminder.objects.get()
    assert reminder.status == DunningReminder.Status.FAILED and "withdrawn" in reminder.error
    assert not mail.outbox
