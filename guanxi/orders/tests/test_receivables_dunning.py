"""Payment reminders: levels at 7, 30 and 60 days overdue with a fixed date, idempotent,
none for paid invoices, the e-mail's content, no address and failed sends recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from guanxi.core.errors import Conflict, Forbidden
from guanxi.core.models import Notification
from guanxi.orders.models import DunningReminder, Invoice
from guanxi.orders.services import dunning
from guanxi.orders.services import receivables as svc
from guanxi.orders.services.receivables import AllocationInput, PaymentInput
from guanxi.orders.tests.receivables_fixtures import make_invoice, rworld_fixture  # noqa: F401

Pay = PaymentInput.parse

DUE = dt.date(2026, 5, 1)


def day(n: int) -> dt.date:
    return DUE + dt.timedelta(days=n)


@pytest.fixture
def overdue(rworld, settings):
    settings.GUANXI_DUNNING_DAYS = [7, 30, 60]
    return make_invoice(rworld.mine, "11300.00", issued=DUE - dt.timedelta(days=30), due=DUE,
                        collection_owner=rworld.org.collection)


def levels(invoice: Invoice) -> list[int]:
    return list(invoice.reminders.order_by("level").values_list("level", flat=True))


def test_levels_at_7_30_60_days_each_once(overdue):
    sent = []
    for n in range(0, 95):
        sent.append((n, dunning.send_reminders(day(n))))
        if n in (7, 30, 60):
            dunning.send_reminders(day(n))  # a second run the same day sends nothing new
    assert [n for n, made in sent if made] == [7, 30, 60]
    assert levels(overdue) == [1, 2, 3]
    assert len(mail.outbox) == 3
    overdue.refresh_from_db()
    assert overdue.dunning_level == 3 and overdue.last_dunned_at is not None
    assert Notification.objects.filter(recipient=overdue.collection_owner,
                                       kind="orders.dunning").count() == 3


def test_reminder_mail_is_bilingual_with_number_amount_and_due_date(overdue):
    dunning.send_reminders(day(7))
    message = mail.outbox[0]
    assert message.to == ["zhang@mingzhu.example"]
    assert overdue.number in message.subject
    for text in ("付款提醒", "Payment reminder"):
        assert text in message.subject
    for text in (overdue.number, "CNY 11,300.00", "2026-05-01", "已逾期 7 天",
                 "7 days overdue", "上海明珠机电有限公司", "Dear"):
        assert text in message.body, text
    reminder = DunningReminder.objects.get()
    assert (reminder.level, reminder.days_overdue, reminder.status) == (1, 7, "sent")


def test_first_seen_late_gets_only_the_highest_level(overdue):
    assert dunning.send_reminders(day(65)) == 1
    assert levels(overdue) == [3]
    assert dunning.send_reminders(day(66)) == 0


def test_paid_or_cancelled_invoices_get_none(overdue, rworld):
    payment = svc.record_payment(rworld.org.finance, rworld.mine, Pay({"amount": "11300"}),
                                 AllocationInput.rows([
                                     {"invoice": overdue.pk, "amount": "11300"}]), today=day(5))
    assert payment.pk
    cancelled = make_invoice(rworld.mine, "50", issued=DUE, due=DUE)
    Invoice.objects.filter(pk=cancelled.pk).update(status=Invoice.Status.CANCELLED,
                                                   outstanding=0)
    assert dunning.send_reminders(day(40)) == 0
    assert not mail.outbox and not DunningReminder.objects.exists()


def test_no_address_is_recorded_and_the_collector_is_told(rworld, settings):
    settings.GUANXI_DUNNING_DAYS = [7, 30, 60]
    invoice = make_invoice(rworld.theirs, "100", issued=DUE, due=DUE,
                           collection_owner=rworld.org.collection)
    dunning.send_reminders(day(8))
    reminder = invoice.reminders.get()
    assert reminder.status == DunningReminder.Status.NO_ADDRESS and not mail.outbox
    note = Notification.objects.get(kind="orders.dunning")
    assert note.recipient == rworld.org.collection and "call" in note.title


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise OSError("SMTP server refused the connection")


def test_failed_send_is_recorded_with_the_error(overdue, settings):
    settings.EMAIL_BACKEND = "guanxi.orders.tests.test_receivables_dunning.RefusingBackend"
    assert dunning.send_reminders(day(7)) == 1
    reminder = DunningReminder.objects.get()
    assert reminder.status == DunningReminder.Status.FAILED
    assert "refused" in reminder.error
    assert dunning.send_reminders(day(7)) == 0  # recorded: not retried every run


def test_send_now_by_finance_or_the_collection_owner(overdue, rworld):
    org = rworld.org
    for persona in ("rep", "manager", "other_rep", "executive"):
        with pytest.raises(Forbidden):
            dunning.send_now(getattr(org, persona), overdue, today=day(3))
    first = dunning.send_now(org.collection, overdue, today=day(3))
    second = dunning.send_now(org.finance, overdue, today=day(4))
    assert (first.level, second.level) == (1, 2)
    # Hand-sent reminders count: the day-7 level is already done, the day-30 one is not.
    assert dunning.send_reminders(day(7)) == 0
    assert dunning.send_reminders(day(60)) == 1
    paid = make_invoice(rworld.mine, "10", issued=DUE, due=DUE, outstanding="0")
    with pytest.raises(Conflict):
        dunning.send_now(org.finance, paid, today=day(3))
