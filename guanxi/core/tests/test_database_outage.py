"""A real web server on PostgreSQL through a proxy that is cut and restored: a short database
outage answers 503 (JSON under /api/, the page otherwise) with Retry-After, and the first
request after the database is back succeeds, even on a connection kept from before."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from guanxi.core.tests.faults import FaultProxy

BASE_DIR = Path(__file__).resolve().parents[3]
# Any token makes the API look it up in the database: 401 while the database answers.
PROBE = ("/api/customers", {"Authorization": "Bearer gx_not-a-real-token"})
# Any session cookie makes a page read the session from the database first (a middleware,
# before any view): a redirect to the sign-in page while the database answers.
PAGE = ("/", {"Cookie": "sessionid=not-a-real-session"})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(base: str, probe: tuple[str, dict[str, str]]) -> tuple[int, dict[str, str], str]:
    """(status, headers, body) of a GET, redirects not followed."""
    path, headers = probe
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=20)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


# The tests' own connection stays unused; the mark gets the test database created.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    """gunicorn (one worker, one thread: one persistent database connection) on the test
    database, reached through a FaultProxy. Each test leaves the proxy restored."""
    if connection.vendor != "postgresql":
        pytest.skip("runs against PostgreSQL (DATABASE_URL)")
    db = connection.settings_dict
    log = tmp_path_factory.mktemp("log") / "server.log"
    target = (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    with log.open("w") as errors, FaultProxy(*target) as proxy:
        port = _free_port()
        user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env = {k: v for k, v in os.environ.items() if k != "GUANXI_TEST_DB_NAME"} | {
            "DATABASE_URL": f"postgres://{user}@127.0.0.1:{proxy.port}/{db['NAME']}",
            "GUANXI_DEBUG": "0", "GUANXI_VAR_DIR": str(tmp_path_factory.mktemp("var")),
            "REDIS_URL": "", "GUANXI_LOG_LEVEL": "ERROR"}
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "guanxi.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--threads", "1", "--timeout", "30",
             "--no-control-socket"],
            cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _get(base, PROBE)
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail("the server did not start: " + log.read_text()[-2000:])
                    time.sleep(0.1)
            yield base, proxy
        finally:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_an_outage_answers_503_and_the_database_coming_back_needs_no_restart(server):
    base, proxy = server
    status, _headers, _body = _get(base, PROBE)
    assert status == 401 and proxy.connections == 1  # the worker keeps its connection

    proxy.cut()
    status, headers, body = _get(base, PROBE)
    assert status == 503, body
    assert json.loads(body)["code"] == "unavailable" and int(headers["Retry-After"]) > 0
    status, headers, body = _get(base, PAGE)
    assert status == 503 and "Retry-After" in headers
    assert headers["Content-Type"].startswith("text/html") and "Briefly unavailable" in body

    proxy.restore()
    assert [_get(base, probe)[0] for probe in (PROBE, PAGE, PROBE)] == [401, 302, 401]


def test_a_database_restart_between_requests_costs_no_error(server):
    """The kept connection dies while the worker is idle (a PostgreSQL restart): the next
    request notices before using it and reconnects."""
    base, proxy = server
    assert _get(base, PROBE)[0] == 401
    proxy.cut()
    proxy.restore()
    assert [_get(base, PROBE)[0] for _ in range(2)] == [401, 401]
