"""The shared cache: Redis when REDIS_URL is set, falling back to the database while Redis
cannot be reached, so that sign-in (whose throttles live in the cache) never depends on it.

Without REDIS_URL the database cache is used directly (``DatabaseCache`` on ``CACHE_TABLE``,
created by core's migrations), so that every web process counts the same throttles.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

CACHE_TABLE = "guanxi_cache"
# Django's default of 300 would let a flood of keys cull the throttle counters.
MAX_ENTRIES = 100_000
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisWithDatabaseFallback(BaseCache):
    """A Redis cache that, when Redis does not answer, logs it once and serves from the
    database cache; it tries Redis again only after ``RETRY_AFTER`` seconds, so requests do
    not each wait on a dead server. Entries written during an outage stay in the database
    (throttle counters restart from zero when Redis is back: a short window, not a lock)."""

    RETRY_AFTER = 30.0

    # Per process and per Redis location: when to try Redis again.
    _down_until: dict[str, float] = {}
    _lock = threading.Lock()

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        options = dict(params.get("OPTIONS", {}))
        table = options.pop("fallback_table", CACHE_TABLE)
        fallback_options = {"MAX_ENTRIES": options.pop("fallback_max_entries", MAX_ENTRIES)}
        self.retry_after = float(options.pop("retry_after", self.RETRY_AFTER))
        # A cache that does not answer within these is treated as down.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        shared = {k: v for k, v in params.items() if k != "OPTIONS"}
        self._location = server
        self.redis = RedisCache(server, shared | {"OPTIONS": options})
        self.database = DatabaseCache(table, shared | {"OPTIONS": fallback_options})

    # --- the switch ---------------------------------------------------------------------
    def redis_is_down(self) -> bool:
        return time.monotonic() < self._down_until.get(self._location, 0.0)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.redis_is_down():
            try:
                result = getattr(self.redis, name)(*args, **kwargs)
            except UNREACHABLE as exc:
                self._mark_down(exc)
            else:
                self._mark_up()
                return result
        return getattr(self.database, name)(*args, **kwargs)

    def _mark_down(self, exc: Exception) -> None:
        with self._lock:
            was_up = self._location not in self._down_until
            self._down_until[self._location] = time.monotonic() + self.retry_after
        if was_up:
            logger.warning("Redis cache at %s unreachable (%s): using the database cache "
                           "until it answers again", _safe(self._location), exc)

    def _mark_up(self) -> None:
        if self._location in self._down_until:
            with self._lock:
                back = self._down_until.pop(self._location, None) is not None
            if back:
                logger.warning("Redis cache at %s answers again", _safe(self._location))

    # --- the cache API, each call through the switch ------------------------------------
    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def decr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("decr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        self.database.clear()
        return self._call("clear")

    def close(self, **kwargs: Any) -> None:
        self.redis.close(**kwargs)
        self.database.close(**kwargs)


def _safe(url: str) -> str:
    """The Redis URL without its password, for the log."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://…@{rest.rsplit('@', 1)[1]}"
    return url


def create_cache_table(database: str, table: str = CACHE_TABLE) -> None:
    """Create the database cache's table (what ``createcachetable`` does), for migrations."""
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table(database, table, dry_run=False)

