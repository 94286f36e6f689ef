"""Probes for a load balancer or an orchestrator.

- ``/health/live``: the process answers (nothing else is touched): restart it when this fails.
- ``/health/ready``: the database, the cache, the task queue and the file storage each answer;
  otherwise 503 naming the parts that failed: send it no traffic meanwhile.

Both are JSON, never cached, and say nothing about the data: which parts failed and the kind of
error, no addresses or messages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

PROBE_NAME = "health/ready-probe"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    """Redis when configured, and not the database standing in for it: a web tier whose
    Redis is away still signs people in, but is not ready."""
    backend = getattr(cache, "redis", None)
    target = backend if backend is not None else cache
    key = f"guanxi:ready:{time.monotonic_ns()}"
    target.set(key, 1, 10)
    if target.get(key) != 1:
        raise RuntimeError("the cache did not return what was stored")
    target.delete(key)


def _queue() -> None:
    from guanxi.core.tasks import queue

    queue.pending_count()


def _storage() -> None:
    default_storage.exists(PROBE_NAME)  # reaches the folder or the bucket; absent is fine


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database, "cache": _cache, "queue": _queue, "storage": _storage}


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:  # any failure of a part is what this reports
            logger.warning("health: %s is not ready: %s", name, exc)
            checks[name] = f"failed: {type(exc).__name__}"
    failed = [name for name, state in checks.items() if state != "ok"]
    return JsonResponse({"status": "unavailable" if failed else "ok", "failed": failed,
                         "checks": checks}, status=503 if failed else 200)
