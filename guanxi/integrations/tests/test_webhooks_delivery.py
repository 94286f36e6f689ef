"""Webhooks against a real HTTP server on loopback: the outbox row is written with the change,
the payload is signed, failures are retried with backoff until delivered or given up."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.db import transaction
from django.utils import timezone

from guanxi.core.models import Notification
from guanxi.integrations.models import WebhookDelivery
from guanxi.integrations.services import webhooks
from guanxi.integrations.tests.hooks_fixtures import (  # noqa: F401 (fixtures)
    allow_private,
    inline_tasks,
    receiver,
)

Status = WebhookDelivery.Status


@pytest.fixture
def hook(org, allow_private, receiver):  # noqa: F811
    sub = webhooks.create_subscription(org.admin, {
        "name": "ERP", "url": receiver.url,
        "events": ["customers.account.created", "customers.account.updated"]})
    receiver.secret = sub.secret
    return sub


def test_outbox_row_is_written_in_the_transaction_of_the_change(hook, make_account,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        account = make_account(name="华东电机有限公司")
    row = WebhookDelivery.objects.get()
    assert (row.subscription, row.event_type, row.status) == (
        hook, "customers.account.created", Status.PENDING)
    assert row.payload["object"] == {"type": "customers.account", "id": str(account.pk),
                                     "name": "华东电机有限公司"}
    assert row.payload["changes"]["name"] == [None, "华东电机有限公司"]
    assert callbacks, "sending waits for the commit"


def test_a_rolled_back_change_sends_nothing(hook, make_account,
                                            django_capture_on_commit_callbacks, receiver):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            pytest.raises(RuntimeError), transaction.atomic():
        make_account(name="回滚机电有限公司")
        raise RuntimeError("crash after the write")
    assert not WebhookDelivery.objects.exists()
    assert not callbacks
    assert receiver.requests == []


def test_events_nobody_subscribed_to_write_no_row(hook, org, make_account):
    account = make_account()
    from guanxi.customers import services
    services.log_follow_up(org.rep, account, "电话")  # not an audited event
    services.set_tags(org.rep, account, ["重点"])    # tagged: not subscribed
    assert WebhookDelivery.objects.count() == 1


def test_signed_delivery_retried_with_backoff_until_delivered(hook, make_account, receiver):  # noqa: F811
    receiver.statuses = [500, 200]
    make_account(name="重试电气有限公司")
    row = WebhookDelivery.objects.get()
    t0 = timezone.now()

    assert webhooks.deliver_due(now=t0) == 0
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == (Status.FAILED, 1, 500)
    assert row.last_error == "receiver says no"
    # first retry after 30 s plus up to 10 % jitter
    assert t0 + dt.timedelta(seconds=30) <= row.next_attempt_at <= t0 + dt.timedelta(seconds=33)

    assert webhooks.deliver_due(now=t0 + dt.timedelta(seconds=20)) == 0  # not due yet
    assert len(receiver.requests) == 1

    assert webhooks.deliver_due(now=row.next_attempt_at) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code, row.next_attempt_at) == (
        Status.DELIVERED, 2, 200, None)
    assert row.response_ms is not None
    first, second = receiver.requests
    assert first["signed"] and second["signed"]
    # the same delivery id on every attempt: the receiver can drop repeats
    assert first["headers"]["X-Guanxi-Delivery"] == second["headers"]["X-Guanxi-Delivery"] \
        == str(row.uuid)
    assert second["headers"]["X-Guanxi-Event"] == "customers.account.created"
    assert second["json"]["type"] == "customers.account.created"
    assert second["json"]["id"] == row.event_id
    assert webhooks.deliver_due(now=row.last_attempt_at + dt.timedelta(days=1)) == 0


def test_backoff_doubles_with_jitter_and_a_cap():
    import random

    rng = random.Random(7)
    delays = [webhooks.backoff(n, rng).total_seconds() for n in range(1, 12)]
    for n, delay in enumerate(delays, start=1):
        base = min(30 * 2 ** (n - 1), 6 * 3600)
        assert base <= delay <= base * 1.1
    assert delays[1] > delays[0] * 1.8


def test_a_dead_endpoint_ends_dead_after_max_attempts(org, allow_private, make_account):  # noqa: F811
    allow_private.GUANXI_WEBHOOK_MAX_ATTEMPTS = 3
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    webhooks.create_subscription(org.admin, {
        "name": "Gone", "url": f"http://127.0.0.1:{port}/x",
        "events": ["customers.account.created"]})
    make_account()
    row = WebhookDelivery.objects.get()
    now = timezone.now()
    for _attempt in range(5):
        webhooks.deliver_due(now=now)
        row.refresh_from_db()
        if row.next_attempt_at is None:
            break
        now = row.next_attempt_at
    assert (row.status, row.attempts) == (Status.DEAD, 3)
    assert "ConnectionRefusedError" in row.last_error
    note = Notification.objects.get(recipient=org.admin, kind="integrations.webhook.dead")
    assert "Gone" in note.title


def test_committed_change_is_sent_at_once_by_the_worker(hook, make_account, receiver,  # noqa: F811
                                                        inline_tasks,  # noqa: F811
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_account(name="即时发送有限公司")
    assert WebhookDelivery.objects.get().status == Status.DELIVERED
    (request,) = receiver.requests
    assert request["signed"]
    assert request["json"]["object"]["name"] == "即时发送有限公司"


def test_redeliver_sends_the_same_event_as_a_new_delivery(hook, org, make_account, receiver):  # noqa: F811
    make_account()
    first = WebhookDelivery.objects.get()
    webhooks.deliver_due()
    again = webhooks.redeliver(org.admin, first)
    webhooks.deliver_due()
    again.refresh_from_db()
    assert again.status == Status.DELIVERED
    assert again.uuid != first.uuid
    a, b = receiver.requests
    assert a["json"] == b["json"]


def test_redirects_are_not_followed(hook, make_account, receiver):  # noqa: F811
    receiver.statuses = [302]
    receiver.location = "http://169.254.169.254/latest/meta-data/"
    make_account()
    webhooks.deliver_due()
    row = WebhookDelivery.objects.get()
    assert (row.status, row.last_status_code) == (Status.FAILED, 302)
    assert row.last_error == "Redirect not followed"
    assert len(receiver.requests) == 1


def test_rotated_secret_signs_from_then_on(hook, org, make_account, receiver):  # noqa: F811
    old = hook.secret
    new = webhooks.rotate_secret(org.admin, hook, hook.version)
    assert new != old and new.startswith("whsec_")
    receiver.secret = new
    make_account()
    webhooks.deliver_due()
    assert receiver.requests[0]["signed"]


def test_an_inactive_webhook_gets_nothing(hook, org, make_account, receiver):  # noqa: F811
    make_account()
    webhooks.update_subscription(org.admin, hook, {"active": False}, hook.version)
    webhooks.deliver_due()
    assert WebhookDelivery.objects.get().status == Status.DEAD
    make_account()
    assert WebhookDelivery.objects.count() == 1
    assert receiver.requests == []


def test_two_workers_send_a_delivery_once(hook, make_account, receiver):  # noqa: F811
    make_account()
    row = WebhookDelivery.objects.get()
    stale = WebhookDelivery.objects.get(pk=row.pk)  # what a second worker read meanwhile
    webhooks.attempt(row)
    webhooks.attempt(stale)
    assert len(receiver.requests) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.DELIVERED, 1)


def test_reads_are_not_events(make_account):
    from guanxi.core import events

    account = make_account()
    assert events.publish("customers.account.viewed", account) is None
    assert events.publish("customers.account.updated", account).object_id == str(account.pk)
