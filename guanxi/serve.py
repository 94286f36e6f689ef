"""``guanxi serve``: the web server (gunicorn) and a background worker (Huey), supervised.

The supervisor starts both as child processes and looks after them:

* SIGTERM, SIGINT and SIGHUP are passed on. SIGTERM drains: gunicorn stops accepting, answers
  the requests in flight and the connections already queued, within the graceful timeout; the
  worker finishes its running tasks (Huey's graceful signal is SIGINT). SIGHUP reloads
  gunicorn's workers and restarts the worker.
* A background worker that dies is started again (at once, then backing off if it keeps
  dying). Gunicorn's master replaces its own web workers; if the master itself stops, the
  supervisor stops the worker and exits with the master's code, so a service manager sees
  the failure.
* The port is checked before anything starts: a busy port is a clear message and exit code 1.
* Migrations run only when some are pending (``--migrate auto``, the default: one look at
  the migration plan, ~0.1 s) or never (``--migrate never``: ``guanxi migrate`` is then the
  upgrade step, which suits several web machines sharing a database).
* The children die with the supervisor even if it is killed (Linux: PR_SET_PDEATHSIG).
* Metrics: the web processes and the worker write theirs to one folder
  (``PROMETHEUS_MULTIPROC_DIR``, by default ``var/metrics``, emptied at start) and ``/metrics``
  adds them up.

One machine needs nothing else. Several machines behind a load balancer share PostgreSQL
(``DATABASE_URL``), Redis (``REDIS_URL``: cache, sign-in throttles, task queue) and an object
store (``GUANXI_S3_*``), run ``guanxi migrate`` once per upgrade and ``guanxi serve --migrate
never`` on each; see docs/production.md.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

PREFIX = "guanxi serve:"
# A worker that ran this long before dying is restarted at once; quicker deaths back off.
WORKER_HEALTHY_AFTER = 30.0
WORKER_MAX_BACKOFF = 30.0


def say(message: str) -> None:
    print(f"{PREFIX} {message}", file=sys.stderr, flush=True)


def parse(args: list[str]) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="guanxi serve", description=(
        "Run the web server (gunicorn) and a background worker, and look after them."),
        epilog=(
        "Several machines: give each the same DATABASE_URL (PostgreSQL), REDIS_URL (cache, "
        "sign-in throttles, task queue) and GUANXI_S3_* (an S3-compatible bucket for the "
        "files); run 'guanxi migrate' once per upgrade and serve with --migrate never. "
        "Every machine may run a worker (or use --no-worker and run 'guanxi worker' "
        "elsewhere): GUANXI_WORKERS threads each. See docs/production.md."))
    parser.add_argument("--host", default=env("GUANXI_HOST", "127.0.0.1"),
                        help="address to listen on (GUANXI_HOST; default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=int(env("GUANXI_PORT", "8000")),
                        help="port to listen on (GUANXI_PORT; default 8000)")
    parser.add_argument("--workers", type=int, default=int(env("WEB_CONCURRENCY", "3")),
                        help="web worker processes (WEB_CONCURRENCY; default 3)")
    parser.add_argument("--threads", type=int, default=int(env("GUANXI_WEB_THREADS", "8")),
                        help="threads per web worker (GUANXI_WEB_THREADS; default 8)")
    parser.add_argument("--graceful-timeout", type=int,
                        default=int(env("GUANXI_GRACEFUL_TIMEOUT", "30")),
                        help="seconds a stop waits for requests and tasks in flight "
                             "(GUANXI_GRACEFUL_TIMEOUT; default 30)")
    parser.add_argument("--huey-workers", type=int, default=None,
                        help="threads of the background worker (GUANXI_WORKERS; default 2)")
    parser.add_argument("--no-worker", action="store_true",
                        help="do not start a background worker next to the web server")
    parser.add_argument("--migrate", choices=["auto", "never"],
                        default=env("GUANXI_MIGRATE", "auto"),
                        help="auto: apply pending migrations before serving (default); "
                             "never: leave it to 'guanxi migrate' (GUANXI_MIGRATE)")
    return parser.parse_args(args)


def port_in_use(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, or None if it can (bound as gunicorn binds)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return f"cannot resolve {host}: {exc}"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (f"{host}:{port} is already in use (another Guanxi or another server); "
                        "stop it or choose another port with --port or GUANXI_PORT")
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def pending_migrations() -> list[str]:
    """The migrations ``migrate`` would apply, read from the plan without touching anything."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections["default"]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def migrate_if_needed(mode: str) -> None:
    from django.core.management import call_command
    from django.db import connections

    try:
        pending = pending_migrations()
        if pending and mode == "auto":
            say(f"applying {len(pending)} pending migration(s) …")
            call_command("migrate", interactive=False, verbosity=0)
        elif pending:
            say(f"WARNING: {len(pending)} migration(s) pending ({pending[0]} …): "
                "run 'guanxi migrate'")
    finally:
        connections.close_all()  # the children open their own


def _die_with_parent(sig: int) -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None

    def set_parent_death_signal() -> None:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, sig)  # PR_SET_PDEATHSIG

    return set_parent_death_signal


class Supervisor:
    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.worker_started = 0.0
        self.worker_restart_at: float | None = None
        self.worker_restart_requested = False
        self.worker_backoff = 0.5  # the first quick death waits 1 s
        self.stopping = False
        self.stopping_on_request = False
        self.stop_deadline: float | None = None
        self.ready = False
        self.signals: list[int] = []

    # --- children ---------------------------------------------------------------------
    def web_command(self) -> list[str]:
        o = self.opts
        return [sys.executable, "-m", "gunicorn", "guanxi.wsgi:application",
                "--config", "python:guanxi.gunicorn_conf",
                "--bind", f"{o.host}:{o.port}", "--workers", str(o.workers),
                "--threads", str(o.threads), "--graceful-timeout", str(o.graceful_timeout)]

    def start_web(self) -> None:
        self.web = subprocess.Popen(self.web_command(),
                                    preexec_fn=_die_with_parent(signal.SIGTERM))

    def start_worker(self) -> None:
        env = dict(os.environ)
        if self.opts.huey_workers is not None:
            env["GUANXI_WORKERS"] = str(self.opts.huey_workers)
        self.worker = subprocess.Popen([sys.executable, "-m", "guanxi.cli", "worker"], env=env,
                                       preexec_fn=_die_with_parent(signal.SIGINT))
        self.worker_started = time.monotonic()
        self.worker_restart_at = None

    # --- signals ----------------------------------------------------------------------
    def install_signals(self) -> int:
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        signal.set_wakeup_fd(write_fd)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(sig, self.on_signal)
        return read_fd

    def on_signal(self, signum: int, _frame: object) -> None:
        if signum != signal.SIGCHLD:
            self.signals.append(signum)

    def forward(self, signum: int) -> None:
        if signum == signal.SIGHUP:
            say("reloading the web workers and restarting the background worker")
            self._send(self.web, signal.SIGHUP)
            # Stopped gracefully and started again here: Huey's own SIGHUP restart would kill
            # a worker that is still starting.
            if self.worker is not None and self.worker.poll() is None:
                self.worker_restart_requested = True
                self._send(self.worker, signal.SIGINT)
            return
        if not self.stopping:
            say("stopping: finishing the requests and tasks in flight"
                if signum == signal.SIGTERM else "stopping")
            self.stop_deadline = time.monotonic() + self.opts.graceful_timeout + 10
        self.stopping = True
        # gunicorn: TERM drains, INT stops at once. Huey: INT finishes running tasks
        # (its TERM would interrupt them).
        self._send(self.web, signum)
        self._send(self.worker, signal.SIGINT)

    @staticmethod
    def _send(child: subprocess.Popen | None, signum: int) -> None:
        if child is not None and child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signum)

    # --- the loop ---------------------------------------------------------------------
    def run(self) -> int:
        wakeup = self.install_signals()
        self.start_web()
        # The worker starts once the web server listens (or after a while): both loading at
        # once would delay the first answer.
        worker_due = None if self.opts.no_worker else time.monotonic() + 60
        while True:
            select.select([wakeup], [], [], 0.25)
            with contextlib.suppress(BlockingIOError):
                while os.read(wakeup, 512):
                    pass
            while self.signals:
                self.forward(self.signals.pop(0))
            assert self.web is not None
            code = self.web.poll()
            if code is not None:
                return self.finish(code)
            if self.stop_deadline is not None and time.monotonic() > self.stop_deadline:
                say("the web server did not stop in time: killing it")
                self.web.kill()
                self.stop_deadline = None
            if not self.ready and self.listening():
                self.ready = True
                o = self.opts
                print(f"Guanxi is running at http://{o.host}:{o.port}/  (Ctrl-C stops it)",
                      flush=True)
            if worker_due is not None and not self.stopping and (
                    self.ready or time.monotonic() > worker_due):
                worker_due = None
                self.start_worker()
            self.watch_worker()

    def listening(self) -> bool:
        host = self.opts.host
        if host in ("0.0.0.0", ""):  # noqa: S104 - probing our own listener
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        try:
            with socket.create_connection((host, self.opts.port), timeout=0.2):
                return True
        except OSError:
            return False

    def watch_worker(self) -> None:
        if self.stopping or self.worker is None:
            return
        if self.worker_restart_at is not None:
            if time.monotonic() >= self.worker_restart_at:
                self.start_worker()
            return
        code = self.worker.poll()
        if code is None:
            return
        if self.worker_restart_requested:
            self.worker_restart_requested = False
            self.start_worker()
            return
        lived = time.monotonic() - self.worker_started
        self.worker_backoff = 0.0 if lived >= WORKER_HEALTHY_AFTER else \
            min(max(self.worker_backoff * 2, 1.0), WORKER_MAX_BACKOFF)
        say(f"the background worker (pid {self.worker.pid}) exited with code {code}; "
            f"restarting it" + (f" in {self.worker_backoff:.0f} s" if self.worker_backoff
                                else ""))
        self.worker_restart_at = time.monotonic() + self.worker_backoff

    def finish(self, web_code: int) -> int:
        """The web server has stopped: stop the worker and give the exit code."""
        self.stopping_on_request = self.stopping
        if not self.stopping:
            say(f"the web server stopped unexpectedly (exit code {web_code}); "
                "stopping the background worker")
            self.stopping = True
        if self.worker is not None and self.worker.poll() is None:
            self._send(self.worker, signal.SIGINT)
            try:
                self.worker.wait(self.opts.graceful_timeout)
            except subprocess.TimeoutExpired:
                say("the background worker did not finish in time: killing it")
                self.worker.kill()
                self.worker.wait()
        if web_code < 0:  # killed by a signal
            return 128 - web_code
        return web_code or (0 if self.stopping_on_request else 1)


def prepare_metrics_folder() -> None:
    """One folder for the metrics of the web processes and the worker, emptied of a previous
    run's (their counters would otherwise add up across restarts)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        from django.conf import settings

        from guanxi.cli import _setup

        _setup()
        folder = str(settings.VAR_DIR / "metrics")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(folder, name))


def main(args: list[str]) -> int:
    opts = parse(args)
    if opts.migrate not in ("auto", "never"):
        say(f"GUANXI_MIGRATE must be auto or never, not {opts.migrate!r}")
        return 2
    problem = port_in_use(opts.host, opts.port)
    if problem:
        say(problem)
        return 1
    if opts.migrate != "never":
        import django

        from guanxi.cli import _setup

        _setup()
        django.setup()
        migrate_if_needed(opts.migrate)
    prepare_metrics_folder()
    return Supervisor(opts).run()
