"""The test database as another process reaches it, for tests that run ``guanxi`` commands in
subprocesses and kill them: PostgreSQL by name; SQLite (in memory for tests) copied to a file
the subprocess opens. Use with ``@pytest.mark.django_db(transaction=True)``.

``web()`` and ``worker()`` start whole nodes on it (gunicorn on a free loopback port, a
background worker), each in its own process group with its own var folder, so a test can kill
one outright (``Node.kill()``: SIGKILL to the group, as a machine that dies) and see what the
others do."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """A process (and its children) started by ``SharedDatabase.web``/``worker``."""

    def __init__(self, proc: subprocess.Popen, log: Path, url: str = "") -> None:
        self.proc, self.log, self.url = proc, log, url

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 120) -> None:
        """Until ``/health/ready`` answers 200 (a web node)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the node ended first:\n{self.output()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/health/ready", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"not ready in {timeout} s:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the whole group: no goodbye, as when a machine dies."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()


class SharedDatabase:
    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.env = {**os.environ, "GUANXI_VAR_DIR": str(tmp_path / "var"),
                    "PYTHONUNBUFFERED": "1", **env}
        self.file = None
        if connection.vendor == "sqlite":
            self.file = tmp_path / "shared.sqlite3"
            target = sqlite3.connect(self.file)
            connection.ensure_connection()
            connection.connection.backup(target)
            target.close()
            self.env["GUANXI_SQLITE_PATH"] = str(self.file)
            self.env.pop("DATABASE_URL", None)
        else:
            s = connection.settings_dict
            self.env["DATABASE_URL"] = (f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/"
                                        f"{s['NAME']}")

    def one(self, sql: str) -> tuple:
        if self.file is None:
            with connection.cursor() as cur:
                cur.execute(sql)
                return cur.fetchone()
        with sqlite3.connect(self.file, timeout=20) as db:
            return db.execute(sql).fetchone()

    def run(self, command: str, *args: str, **env: str) -> subprocess.Popen:
        """``guanxi <command> <args>`` against this database."""
        return subprocess.Popen([sys.executable, str(MANAGE), command, *args],
                                env={**self.env, **env}, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def _start(self, command: list[str], var: Path, env: dict[str, str]) -> tuple[
            subprocess.Popen, Path]:
        var.mkdir(parents=True, exist_ok=True)
        log = var / "output.log"
        with log.open("w") as out:
            proc = subprocess.Popen(command, env={**self.env, "GUANXI_VAR_DIR": str(var), **env},
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        return proc, log

    def web(self, var: Path, *, threads: int = 4, **env: str) -> Node:
        """A web node: gunicorn (one process, ``threads`` threads) on a free loopback port."""
        port = free_port()
        proc, log = self._start([sys.executable, "-m", "gunicorn", "guanxi.wsgi:application",
                                 "--config", "python:guanxi.gunicorn_conf",
                                 "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                 "--threads", str(threads)], var,
                                {"GUANXI_ACCESS_LOG": "", **env})
        return Node(proc, log, f"http://127.0.0.1:{port}")

    def worker(self, var: Path, **env: str) -> Node:
        """A background worker node (``guanxi worker``)."""
        proc, log = self._start([sys.executable, str(MANAGE), "worker"], var, env)
        return Node(proc, log)

    def wait_for(self, sql: str, ready: Callable[[tuple | None], bool],
                 proc: subprocess.Popen | None = None, timeout: float = 180) -> tuple | None:
        """Poll ``sql`` until ``ready(row)``; fail early if ``proc`` exits meanwhile."""
        deadline = time.monotonic() + timeout
        row = None
        while time.monotonic() < deadline:
            row = self.one(sql)
            if ready(row):
                return row
            if proc is not None and proc.poll() is not None:
                raise AssertionError(f"the process ended first: {proc.communicate()}")
            time.sleep(0.02)
        raise AssertionError(f"not ready in {timeout} s: {row}")
