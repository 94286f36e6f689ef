"""``guanxi serve`` as an operator runs it: real processes on loopback, a copy of the test
database in a temporary var directory. The served instance is shared by the module (starting
one takes seconds) and the last test stops it; SQLite only, the supervisor does not depend on
the database."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite",
                                reason="processes and signals: run once, on SQLite")

START_TIMEOUT = 180  # a loaded machine; a quiet one starts in a few seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """Every descendant of ``pid``, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def get(port: int, path: str = "/api/me", timeout: float = 30) -> tuple[int, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        conn.close()


class Served:
    def __init__(self, var: Path, *args: str) -> None:
        self.port = free_port()
        self.log = var / f"serve-{self.port}.log"
        env = {**os.environ, "GUANXI_VAR_DIR": str(var), "GUANXI_ACCESS_LOG": "",
               "PYTHONUNBUFFERED": "1"}
        env.pop("DATABASE_URL", None)
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "guanxi.cli", "serve", "--port", str(self.port), *args],
                env=env, stdout=log, stderr=subprocess.STDOUT)
        self.started = time.monotonic()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"not listening after {START_TIMEOUT} s:\n{self.output()}")

    def worker_pid(self) -> int | None:
        return next((p for p in children(self.proc.pid)
                     if "guanxi.cli worker" in cmdline(p)), None)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                for pid in children(self.proc.pid):
                    os.kill(pid, signal.SIGKILL)
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def var(tmp_path_factory, django_db_setup, django_db_blocker) -> Path:
    """A var directory holding a copy of the (migrated) test database."""
    var = tmp_path_factory.mktemp("var")
    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(var / "guanxi.sqlite3")
        connection.connection.backup(target)
        target.close()
        connection.close()
    return var


@pytest.fixture(scope="module")
def server(var):
    served = Served(var, "--workers", "2")
    served.wait_listening()
    # The first request, timed as a user would see it: nothing has warmed a worker before.
    served.first = get(served.port)
    yield served
    served.stop()


def test_pending_migrations_come_from_the_plan(db):
    from guanxi.serve import pending_migrations

    assert pending_migrations() == []
    with connection.cursor() as cur:
        cur.execute("SELECT MAX(name) FROM django_migrations WHERE app = 'customers'")
        latest = cur.fetchone()[0]
        cur.execute("DELETE FROM django_migrations WHERE app = 'customers' AND name = %s",
                    [latest])
    assert pending_migrations() == [f"customers.{latest}"]


def test_a_busy_port_is_refused_with_a_clear_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "GUANXI_VAR_DIR": str(tmp_path)}
        result = subprocess.run([sys.executable, "-m", "guanxi.cli", "serve", "--port", str(port)],
                                env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"127.0.0.1:{port} is already in use" in result.stderr
    assert "--port" in result.stderr


def test_nothing_is_migrated_when_no_migration_is_pending(server):
    assert server.first[0] == 401
    assert "migration" not in server.output()


def test_the_first_request_is_fast(server):
    status, seconds = server.first
    assert status == 401
    assert seconds < 1.0, f"the first request took {seconds:.2f} s"


def test_slow_clients_do_not_stop_the_server(server):
    """Four clients send their headers, announce a 100 kB body and trickle it a byte a
    second; meanwhile other requests are answered at once."""
    stop = threading.Event()
    slow = []
    for _ in range(4):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(b"POST /accounts/login/ HTTP/1.1\r\nHost: localhost\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: 100000\r\n\r\nl")
        slow.append(s)

    def trickle() -> None:
        while not stop.wait(1.0):
            for s in slow:
                s.sendall(b"x")

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        time.sleep(1.5)  # the slow requests are in the workers now
        timings = []
        for _ in range(6):
            status, seconds = get(server.port)
            assert status == 401
            timings.append(seconds)
            time.sleep(0.5)
        assert max(timings) < 1.0, timings
    finally:
        stop.set()
        thread.join()
        for s in slow:
            s.close()


def test_a_killed_background_worker_is_started_again(server):
    deadline = time.monotonic() + 60
    while (pid := server.worker_pid()) is None:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while (new := server.worker_pid()) in (None, pid):
        assert time.monotonic() < deadline, f"no new worker:\n{server.output()}"
        time.sleep(0.1)
    assert alive(new)
    assert "restarting it" in server.output()


def test_sigterm_answers_requests_in_flight_and_stops_every_process(server):
    """Last in the module: it stops the shared server."""
    port = server.port
    family = children(server.proc.pid)
    assert any("gunicorn" in cmdline(p) for p in family) and server.worker_pid() in family
    # A request in flight: headers and half the body sent before SIGTERM, the rest after.
    body = b"login=nobody&password=wrong-password"
    in_flight = socket.create_connection(("127.0.0.1", port), timeout=30)
    in_flight.sendall(b"POST /accounts/login/ HTTP/1.1\r\nHost: localhost\r\nConnection: close"
                      b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:10])
    # And a burst of requests still being answered or queued when SIGTERM arrives.
    results: list[object] = []

    def one() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.connect()
        except OSError:
            return  # connecting after the stop is refused: that client never sent anything
        try:
            conn.request("GET", "/accounts/login/")
            response = conn.getresponse()
            response.read()
            results.append(response.status)
        except OSError as exc:  # reset, closed without an answer
            results.append(exc)
        finally:
            conn.close()

    burst = [threading.Thread(target=one) for _ in range(40)]
    for thread in burst:
        thread.start()
    time.sleep(0.2)
    server.proc.send_signal(signal.SIGTERM)
    time.sleep(1.0)
    in_flight.sendall(body[10:])
    answer = b""
    while chunk := in_flight.recv(65536):
        answer += chunk
    in_flight.close()
    for thread in burst:
        thread.join(90)
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    assert results and all(r == 200 for r in results), results
    assert server.proc.wait(60) == 0, server.output()
    deadline = time.monotonic() + 5
    while (left := [p for p in family if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, [cmdline(p) for p in left]
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()

