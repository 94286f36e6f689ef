"""The test database as another process reaches it, for tests that run ``guanxi`` commands in
subprocesses and kill them: PostgreSQL by name; SQLite (in memory for tests) copied to a file
the subprocess opens. Use with ``@pytest.mark.django_db(transaction=True)``."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

MANAGE = Path(settings.BASE_DIR) / "manage.py"


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
