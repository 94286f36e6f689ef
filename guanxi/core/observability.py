"""What an operator watches: a request id on every request and every log line, JSON logs, and
Prometheus metrics.

- **Request id.** ``X-Request-ID`` is taken from the request when it is a sensible token (a
  reverse proxy's or a client's), else made here; the response returns it, every log record
  written while the request runs carries it as ``request_id``, and so do the background tasks
  it hands to the queue (their Huey task id starts with it, and the worker's log records of
  the task carry it too).
- **Logs** are one JSON object a line (``GUANXI_LOG_FORMAT=json``, the default without
  DEBUG): time, level, logger, message, request_id, and the traceback when there is one.
- **Metrics** (``/metrics``, prometheus-client): request latency by view, method and status;
  the task queue's depth and the outbox rows waiting for it; tasks run and failed by task.
  Under several processes (gunicorn, the worker) set ``PROMETHEUS_MULTIPROC_DIR`` to a folder
  they share on the machine (``guanxi serve`` does): the endpoint adds them up. The endpoint
  answers only a bearer ``GUANXI_METRICS_TOKEN`` or a client in ``GUANXI_METRICS_NETWORKS``
  (loopback unless set); others get 404.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import ipaddress
import json
import logging
import os
import re
import secrets
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)
request_logger = logging.getLogger("guanxi.request")

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# A task id made from a request's: "<request id>:<uuid>".
TASK_ID_SEPARATOR = ":"


# --- request ids ---------------------------------------------------------------------------

def current_request_id() -> str:
    return _request_id.get()


def bind_request_id(value: str) -> contextvars.Token[str]:
    return _request_id.set(value)


def unbind_request_id(*_args: Any, **_kwargs: Any) -> None:
    _request_id.set("")


request_finished.connect(unbind_request_id, dispatch_uid="guanxi-request-id")


def incoming_request_id(value: str | None) -> str:
    """The caller's id when it is a plain token of at most 64 characters, else a new one (a
    header is the client's to write: nothing else may reach the logs through it)."""
    if value and _ACCEPTED.match(value):
        return value
    return uuid.uuid4().hex


def task_id() -> str | None:
    """A Huey task id that carries the current request's id, None outside a request."""
    rid = current_request_id()
    return f"{rid}{TASK_ID_SEPARATOR}{uuid.uuid4()}" if rid else None


def request_id_of_task(task_id: str) -> str:
    rid, sep, _rest = str(task_id).rpartition(TASK_ID_SEPARATOR)
    return rid if sep else ""


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line; extra fields passed with ``extra=`` are kept."""

    _STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
        "message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or current_request_id(),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in self._STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


# --- metrics -------------------------------------------------------------------------------

disable_created_metrics()  # a "_created" series beside each one: noise for our dashboards
REQUEST_SECONDS = Histogram(
    "guanxi_request_seconds", "Time to answer a request, by view, method and status class",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
TASKS_RUN = Counter("guanxi_tasks_total", "Background tasks run, by task and outcome",
                    ["task", "outcome"])
TASK_FAILURES = Counter("guanxi_task_failures_total", "Background tasks that raised, by task",
                        ["task"])


class QueueCollector(Collector):
    """Read when scraped: the tasks waiting in the queue and the outbox rows not yet handed
    to it (a queue that is away shows as a growing outbox)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from guanxi.core.models import OutboxTask
        from guanxi.core.tasks import queue

        depth = GaugeMetricFamily("guanxi_task_queue_depth", "Tasks waiting in the queue")
        try:
            depth.add_metric([], queue.pending_count())
        except Exception:  # the queue is away: no sample rather than a failed scrape
            logger.warning("metrics: the task queue did not answer", exc_info=True)
        yield depth
        outbox = GaugeMetricFamily("guanxi_outbox_pending",
                                   "Committed tasks not yet handed to the queue")
        try:
            outbox.add_metric([], OutboxTask.objects.filter(dispatched_at=None).count())
        except Exception:
            logger.warning("metrics: the database did not answer", exc_info=True)
        yield outbox


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUEST_SECONDS, TASKS_RUN, TASK_FAILURES):
            registry.register(collector)
    registry.register(QueueCollector())
    return registry


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "GUANXI_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if token and secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    networks = getattr(settings, "GUANXI_METRICS_NETWORKS", [])
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)


def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format, to a bearer of the token or a trusted network only."""
    if not _allowed(request):
        raise Http404()
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"  # a 404 outside every route: one label, not one per path
    return match.view_name or match.route or "unnamed"


class RequestMiddleware:
    """Outermost: binds the request id, times the request, returns the id, counts it by view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = incoming_request_id(request.headers.get(HEADER))
        request.request_id = rid  # type: ignore[attr-defined]
        # Bound until the response is closed (request_finished), so Django's own log line
        # about an error answer, written after the middleware, carries it too.
        bind_request_id(rid)
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        response[HEADER] = rid
        view = _view_name(request)
        REQUEST_SECONDS.labels(view, request.method or "", f"{response.status_code // 100}xx",
                               ).observe(elapsed)
        request_logger.info("%s %s %s", request.method, request.path, response.status_code,
                    extra={"request_id": rid, "view": view, "status": response.status_code,
                           "ms": round(elapsed * 1000, 1)})
        return response


# --- the worker's side ---------------------------------------------------------------------

def connect_worker_signals(queue: Any) -> None:
    """Tasks run by the worker log with the id of the request that asked for them and count
    in the metrics."""
    from huey import signals

    @queue.pre_execute(name="guanxi-request-id")
    def _bind(task: Any) -> None:
        _request_id.set(request_id_of_task(task.id))

    @queue.post_execute(name="guanxi-request-id")
    def _unbind(task: Any, task_value: Any, exc: BaseException | None) -> None:
        unbind_request_id()

    @queue.signal(signals.SIGNAL_COMPLETE, signals.SIGNAL_ERROR)
    def _count(signal: str, task: Any, exc: BaseException | None = None) -> None:
        outcome = "failed" if signal == signals.SIGNAL_ERROR else "done"
        TASKS_RUN.labels(task.name, outcome).inc()
        if outcome == "failed":
            TASK_FAILURES.labels(task.name).inc()

