"""What an operator relies on: the health probes say which part is away, every request has an
id that the response, the logs and the background work it asks for carry, and the metrics
endpoint counts requests by view and tasks by outcome for those allowed to read it only."""

from __future__ import annotations

import json
import logging

import pytest

from guanxi.core import observability
from guanxi.core.tasks import background, later
from guanxi.core.tests.queue_fixtures import redis_queue  # noqa: F401

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there


@background()
def noisy_task(word: str) -> None:
    logging.getLogger("guanxi.tests").warning("working on %s", word)
    if word == "fail":
        raise RuntimeError("it failed")


@pytest.mark.django_db
def test_live_and_ready_answer_when_everything_is_up(client):
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok", "queue": "ok",
                                      "storage": "ok"}
    assert "no-cache" in ready["Cache-Control"]


@pytest.mark.django_db
def test_ready_names_the_parts_that_are_away(client, settings, redis_queue):  # noqa: F811
    settings.CACHES = {"default": {"BACKEND": "guanxi.core.cache.RedisWithDatabaseFallback",
                                   "LOCATION": DEAD_REDIS}}
    redis_queue.away()
    ready = client.get("/health/ready")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable" and body["failed"] == ["cache", "queue"]
    assert body["checks"]["database"] == "ok" and body["checks"]["cache"].startswith("failed")
    assert "127.0.0.1" not in ready.content.decode()  # kinds of error, not addresses
    assert client.get("/health/live").status_code == 200  # alive, just not ready
    redis_queue.back()
    settings.CACHES = {"default": {"BACKEND": "guanxi.core.cache.RedisWithDatabaseFallback",
                                   "LOCATION": "redis://127.0.0.1:6379/9"}}
    assert client.get("/health/ready").status_code == 200


@pytest.mark.django_db
def test_the_request_id_is_returned_logged_and_passed_to_the_work(
        client, caplog, redis_queue, django_capture_on_commit_callbacks):  # noqa: F811
    redis_queue.back()
    caplog.set_level(logging.INFO, logger="guanxi.request")
    answer = client.get("/health/live", HTTP_X_REQUEST_ID="lb-7f3a.01")
    assert answer["X-Request-ID"] == "lb-7f3a.01"
    logged = [r for r in caplog.records if r.name == "guanxi.request"]
    assert logged[-1].request_id == "lb-7f3a.01" and logged[-1].view == "health_live"
    line = json.loads(observability.JsonFormatter().format(logged[-1]))
    assert line["request_id"] == "lb-7f3a.01" and line["status"] == 200

    for forged in ("a b", "x" * 65, "id\nFAKE LOG LINE"):
        made = client.get("/health/live", HTTP_X_REQUEST_ID=forged)["X-Request-ID"]
        assert made != forged and len(made) == 32

    # Work asked for during a request: the worker logs it with the request's id.
    observability.bind_request_id("req-42")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            later(noisy_task, "fail")
    finally:
        observability.unbind_request_id()
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="guanxi.tests")
    assert redis_queue.work() == 1
    [record] = [r for r in caplog.records if r.name == "guanxi.tests"]
    assert observability.RequestIdFilter().filter(record) and record.request_id == "req-42"
    assert observability.current_request_id() == ""  # not left on the worker's thread


@pytest.mark.django_db
def test_metrics_count_requests_by_view_and_failed_tasks(
        client, settings, redis_queue, django_capture_on_commit_callbacks):  # noqa: F811
    redis_queue.back()
    client.get("/health/live")
    with django_capture_on_commit_callbacks(execute=True):
        later(noisy_task, "fail")
        later(noisy_task, "fine")
    assert redis_queue.pending() == 2

    settings.GUANXI_METRICS_TOKEN = "s3cret-metrics"
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **outside).status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **outside
                      ).status_code == 404
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics", **outside
                      ).content.decode()
    assert 'guanxi_request_seconds_count{method="GET",status="2xx",view="health_live"}' in text
    assert "guanxi_task_queue_depth 2.0" in text

    failed = 'guanxi_task_failures_total{task="noisy_task"}'
    before = _sample(text, failed)
    redis_queue.work()
    text = client.get("/metrics").content.decode()  # loopback is trusted by default
    assert _sample(text, failed) == before + 1
    assert "guanxi_task_queue_depth 0.0" in text


def _sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0
