"""Quote to cash records are automation targets too (orders registers them): a payment
received or a payment reminder on an overdue invoice can trigger a rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from guanxi.core.models import Notification
from guanxi.integrations.models import AutomationRule, AutomationRun
from guanxi.integrations.services import automation
from guanxi.orders.services import dunning, receivables
from guanxi.orders.tests.receivables_fixtures import make_invoice, rworld_fixture  # noqa: F401
from guanxi.sales.models import Task

Trigger = AutomationRule.Trigger
Result = AutomationRun.Result
DUE = dt.date(2026, 5, 1)


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_invoices_payments_orders_and_shipments_are_rule_targets(org):
    targets = automation.targets()
    for key in ("orders.invoice", "orders.payment", "orders.order", "orders.shipment"):
        assert key in targets
    fields = dict(automation.fields_of("orders.invoice"))
    assert {"outstanding", "due_date", "dunning_level", "status"} <= set(fields)


def test_a_large_payment_received_notifies_the_customer_owner(org, rworld, after_commit):
    automation.create_rule(org.admin, {
        "name": "大额回款", "trigger": Trigger.EVENT, "event_type": "orders.payment.received",
        "conditions": [{"field": "amount", "op": "gte", "value": "10000"}],
        "actions": [{"type": "notify", "to": "owner", "message": "大额回款到账"}]})
    with after_commit():
        small = receivables.record_payment(org.finance, rworld.mine,
                                           receivables.PaymentInput.parse({"amount": "100"}))
    with after_commit():
        large = receivables.record_payment(org.finance, rworld.mine,
                                           receivables.PaymentInput.parse({"amount": "20000"}))
    runs = {r.object_id: r.result for r in AutomationRun.objects.all()}
    assert runs == {str(small.pk): Result.SKIPPED, str(large.pk): Result.DONE}
    note = Notification.objects.get(recipient=org.rep, kind="integrations.automation")
    assert note.url == reverse("orders:payment", args=[large.pk])


def test_a_reminder_on_an_overdue_invoice_creates_a_task(org, rworld, settings, after_commit):
    settings.GUANXI_DUNNING_DAYS = [7, 30, 60]
    invoice = make_invoice(rworld.mine, "11300.00", issued=DUE - dt.timedelta(days=30),
                           due=DUE, collection_owner=org.collection)
    automation.create_rule(org.admin, {
        "name": "逾期跟进", "trigger": Trigger.EVENT, "event_type": "orders.invoice.reminded",
        "conditions": [{"field": "outstanding", "op": "gte", "value": "5000"}],
        "actions": [{"type": "create_task", "title": "电话催收", "due_in_days": 1,
                     "to": "owner"}]})
    with after_commit():
        assert dunning.send_reminders(DUE + dt.timedelta(days=7)) == 1
    task = Task.objects.get(title="电话催收")
    assert (task.assignee, task.account) == (org.rep, rworld.mine)
    run = AutomationRun.objects.get()
    assert (run.result, run.object_type, run.object_id) == (
        Result.DONE, "orders.invoice", str(invoice.pk))
