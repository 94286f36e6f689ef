"""Gunicorn settings for Guanxi: ``gunicorn -c python:guanxi.gunicorn_conf guanxi.wsgi``.

``guanxi serve`` uses them too (its flags override the bind address, workers, threads and
graceful timeout). Every value can be set from the environment.

* Threaded workers (gthread): a worker keeps serving on its other threads while one waits on a
  slow client, and an idle kept-alive connection costs no thread. Four clients trickling a byte
  a second hold four threads of WEB_CONCURRENCY × GUANXI_WEB_THREADS (3 × 8 by default), not
  the server. A reverse proxy that buffers requests (docs/deployment.md) is still the answer
  to many slow clients.
* The application is loaded once in the master before forking (preload; ``guanxi/wsgi.py``
  warms the URLs, the API schema and the templates), so a new or reloaded worker answers its
  first request at once and shares that memory.
* SIGTERM drains: the workers stop accepting, take the connections already waiting in the
  listen queue and answer everything in flight within the graceful timeout.
"""

from __future__ import annotations

import logging
import os
import sys

from gunicorn.workers import gthread

bind = f"{os.environ.get('GUANXI_HOST', '127.0.0.1')}:{os.environ.get('GUANXI_PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUANXI_WEB_THREADS", "8"))
worker_class = "guanxi.gunicorn_conf.DrainingThreadWorker"
preload_app = True
# gthread workers report to the master from their main loop, so this only catches a stuck
# worker process, not a slow request.
timeout = int(os.environ.get("GUANXI_WEB_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUANXI_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Signals control the server; a control socket in the home directory would be shared by every
# instance of the user.
control_socket_disable = True
accesslog = os.environ.get("GUANXI_ACCESS_LOG", "-") or None


class DrainingThreadWorker(gthread.ThreadWorker):
    """gthread, but a stopping worker first takes every connection already waiting in the
    listen queue: the kernel resets those when the last listening socket closes, and their
    clients have sent requests like any other."""

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            self._drain_listen_queue()

    def _drain_listen_queue(self) -> None:
        for listener in self.sockets:
            listener.setblocking(False)
            while True:
                try:
                    client, address = listener.accept()
                except OSError:  # EAGAIN: the queue is empty
                    break
                self.nr_conns += 1
                client.setblocking(True)
                self.enqueue_req(gthread.TConn(self.cfg, client, address,
                                               listener.getsockname()))
            # Nothing more queues behind this worker's back; a new client is refused
            # (a proxy tries another server) rather than reset later.
            listener.close()


def worker_exit(server: object, worker: object) -> None:
    """A web process that has finished its work leaves without tearing the interpreter down:
    freeing the heap of a loaded application took seconds per process, which made every stop
    and restart wait. Its exit code is kept (the master reads boot and load errors from it)."""
    error = sys.exc_info()[1]
    code = error.code if isinstance(error, SystemExit) else (1 if error else 0)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))


def child_exit(server: object, worker: object) -> None:
    """A web process that ended: its live gauges leave the shared metrics (multiprocess mode,
    ``PROMETHEUS_MULTIPROC_DIR``); its counters stay counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
