"""Shared by the webhook and automation tests: a real HTTP receiver on loopback that checks
signatures, and background tasks run inline."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    """Answers with ``statuses`` in turn (the last one repeats) and records every request,
    with whether its ``X-Guanxi-Signature`` matches ``secret``."""

    def __init__(self) -> None:
        self.secret = ""
        self.statuses = [200]
        self.requests: list[dict] = []
        self.location = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                parts = dict(p.split("=", 1) for p in
                             self.headers.get("X-Guanxi-Signature", "").split(","))
                expected = hmac.new(receiver.secret.encode(),
                                    f"{parts.get('t')}.".encode() + body,
                                    hashlib.sha256).hexdigest()
                receiver.requests.append({
                    "headers": dict(self.headers), "json": json.loads(body),
                    "signed": hmac.compare_digest(expected, parts.get("v1", "")),
                })
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 \
                    else receiver.statuses[0]
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"receiver says no")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/guanxi"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def inline_tasks():
    """Background tasks run at once, in memory (never into the real queue)."""
    from guanxi.core.tasks import queue

    before = queue.immediate
    queue.immediate = True
    yield queue
    queue.immediate = before


@pytest.fixture
def allow_private(settings):
    settings.GUANXI_WEBHOOK_ALLOW_PRIVATE = True
    settings.GUANXI_WEBHOOK_ALLOWED_HOSTS = []
    return settings
