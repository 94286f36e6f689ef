"""The cache: Redis when configured, the database while Redis does not answer."""

from __future__ import annotations

import logging
import runpy
import socket
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.core.cache import caches
from django.test import Client

import guanxi
from guanxi.core.cache import RedisWithDatabaseFallback

SETTINGS = Path(guanxi.__file__).parent / "settings.py"


def settings_with(monkeypatch, tmp_path, **env: str) -> dict:
    """The settings module as it reads the given environment."""
    monkeypatch.setenv("GUANXI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("GUANXI_STATIC_ROOT", str(tmp_path / "static"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


@pytest.fixture
def dead_redis(settings, monkeypatch, tmp_path):
    """The cache the settings build for a REDIS_URL nobody listens on."""
    settings.CACHES = settings_with(monkeypatch, tmp_path,
                                    REDIS_URL="redis://127.0.0.1:1/0")["CACHES"]
    RedisWithDatabaseFallback._down_until.clear()
    yield caches["default"]
    caches["default"].clear()
    RedisWithDatabaseFallback._down_until.clear()


def test_sign_in_works_and_is_throttled_while_redis_is_down(org, dead_redis, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    for _ in range(5):
        client.post("/accounts/login/", {"login": "rep", "password": "wrong"})
    page = client.post("/accounts/login/", {"login": "rep", "password": "pw-Guanxi-2026"})
    assert "Too many failed sign-ins" in page.content.decode()
    client.post("/accounts/login/", {"login": "teammate", "password": "pw-Guanxi-2026"})
    assert "_auth_user_id" in client.session


def test_an_unanswering_redis_is_waited_on_once_and_reported_once(db, caplog):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections, never answers
    location = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    cache = RedisWithDatabaseFallback(location, {"OPTIONS": {"socket_timeout": 0.3}})
    try:
        with caplog.at_level(logging.WARNING, logger="guanxi.core.cache"):
            started = time.monotonic()
            cache.set("k", 1)
            assert time.monotonic() - started < 2
            started = time.monotonic()
            for n in range(20):
                cache.incr("k")
                assert cache.get("k") == n + 2
            assert time.monotonic() - started < 1
        assert len([r for r in caplog.records if "unreachable" in r.message]) == 1
    finally:
        listener.close()
        RedisWithDatabaseFallback._down_until.pop(location, None)


def test_redis_is_used_when_it_answers_and_again_after_an_outage(db):
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = uuid.uuid4().hex
    cache = RedisWithDatabaseFallback(url, {"KEY_PREFIX": prefix,
                                            "OPTIONS": {"retry_after": 0}})
    direct = redis.Redis.from_url(url)
    try:
        cache.set("shared", "in redis")
        assert direct.exists(f"{prefix}:1:shared")
        cache._mark_down(ConnectionError("test"))  # an outage just seen
        assert not cache.redis_is_down()  # retry_after 0: the next call tries Redis again
        assert cache.get("shared") == "in redis"
    finally:
        for key in direct.scan_iter(f"{prefix}:*"):
            direct.delete(key)
