"""With the task queue away (Redis on a closed port), writes that ask for background work
answer what they committed; the work waits in the outbox and is done once the queue is back."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.utils import timezone

from guanxi.analytics.models import AnalysisRun
from guanxi.analytics.tests.app_fixtures import UNTIL, shop
from guanxi.core import outbox
from guanxi.core.models import OutboxTask
from guanxi.core.tests.api_client import as_
from guanxi.core.tests.queue_fixtures import redis_queue
from guanxi.orders.models import Quote
from guanxi.orders.services import quotes
from guanxi.orders.tests.test_quotes_fixtures import make_quote, world
from guanxi.sales.models import Lead

__all__ = ["redis_queue", "shop", "world"]
pytestmark = pytest.mark.django_db(transaction=True)


def _until_dispatched(timeout: float = 15) -> None:
    stop = outbox.start_dispatcher(poll=0.05)
    try:
        deadline = time.monotonic() + timeout
        while OutboxTask.objects.filter(dispatched_at=None).exists():
            assert time.monotonic() < deadline, list(OutboxTask.objects.values())
            time.sleep(0.05)
    finally:
        stop.set()


def test_writes_answer_while_the_queue_is_away_and_their_work_is_done_once_it_is_back(
        org, shop, world, redis_queue, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    quote = make_quote(world)
    quote = quotes.submit_quote(org.rep, quote, quote.version)
    assert quote.status == Quote.Status.APPROVED

    response = as_(org.admin).post("analytics/runs", {"until": UNTIL.isoformat()})
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]
    response = as_(org.rep).post(f"quotes/{quote.pk}/send", {
        "version": quote.version, "to": "zhangsan@mingzhu.example", "language": "en"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "sent"
    response = as_(org.marketing).post("leads", {
        "name": "张伟", "company": "苏州精工机械有限公司", "timeframe": "6m",
        "email": "zhang.wei@example.cn"})
    assert response.status_code == 201, response.content
    assert Lead.objects.count() == 1

    # Committed and answered; the work waits in the outbox, tried once and to be tried again.
    pending = {row.task: row for row in OutboxTask.objects.filter(dispatched_at=None)}
    assert set(pending) == {"guanxi.analytics.tasks.run_analysis_task",
                            "guanxi.orders.jobs.mail.send_quote_email",
                            "guanxi.sales.tasks.send_lead_material"}
    tried = [row for row in pending.values() if row.attempts]
    assert tried and all("Connection" in row.last_error and row.available_at > timezone.now()
                         for row in tried)
    # The worker's dispatcher keeps trying while the queue is away, without losing anything.
    OutboxTask.objects.update(available_at=timezone.now())
    assert outbox.dispatch() == 0
    assert OutboxTask.objects.filter(dispatched_at=None).count() == 3
    assert AnalysisRun.objects.get(pk=run_id).status == AnalysisRun.Status.QUEUED
    assert mail.outbox == []

    redis_queue.back()
    OutboxTask.objects.update(available_at=timezone.now())  # the retry delay has passed
    _until_dispatched()
    assert redis_queue.pending() == 3
    assert redis_queue.work() == 3

    run = AnalysisRun.objects.get(pk=run_id)
    assert run.status == AnalysisRun.Status.DONE and run.customers == 5
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"zhangsan@mingzhu.example", "zhang.wei@example.cn"}
    assert sent["zhangsan@mingzhu.example"].attachments[0][2] == "application/pdf"
    assert Lead.objects.get().material_sent_at is not None
    # Handed over once: another round finds nothing to do.
    assert outbox.dispatch() == 0 and redis_queue.pending() == 0
