"""``guanxi bench --only load``: many users at once against a real served instance.

A ``guanxi serve`` (gunicorn and the background worker, as in production) is started on a free
loopback port on the current database. ``--users`` threads (default 50), each a user with its
own kept-alive connection, send requests back to back (``--think-ms`` pauses between them) for
``--duration`` seconds, picking each one at random with these weights:

    login page 10, customer list 20, customer 360° 20, search API 20, create lead API 10,
    opportunity kanban 10, quote list 10

The users are the demo's reps, managers and administrator in turn: pages with their session
cookie, the API with a read-write token of theirs. Printed: requests, server errors (5xx, or
a connection closed or reset) and p50/p95/p99 per request type, requests per second, and the
machine's load average (the load generator runs on the same machine and takes its share).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TextIO

from django.conf import settings
from django.test import Client

from bench.scenarios import Result, database_label
from guanxi.accounts import services as accounts
from guanxi.accounts.models import ApiToken, User
from guanxi.customers.models import Account

WEIGHTS = {"login page": 10, "customer list": 20, "customer 360°": 20, "search API": 20,
           "create lead API": 10, "opportunity kanban": 10, "quote list": 10}
# ``--only api``: the customer API's reads alone, the first page of the list and one customer.
API_WEIGHTS = {"customer list API": 1, "customer detail API": 1}
SEARCHES = ["华", "恒达", "hengda", "zs", "138", "苏州", "wang"]
TOKEN_NAME = "bench load"


@dataclass
class VirtualUser:
    user: User
    cookie: str
    token: str
    customers: list[int]


@dataclass
class Tally:
    results: dict[str, Result] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, error: str | None) -> None:
        with self.lock:
            self.results.setdefault(kind, Result(kind)).timings_ms.append(ms)
            if error:
                self.errors[kind] += 1
                self.samples.setdefault(kind, error)


def users() -> list[VirtualUser]:
    """The demo's people who sell or lead, each with a session and an API token."""
    names = ["admin", "manager", "rep", "teammate", "other_manager"]
    people = list(User.objects.filter(username__in=names, is_active=True)) + list(
        User.objects.filter(is_active=True, owned_accounts__isnull=False)
        .exclude(username__in=names).distinct()[:20])
    ApiToken.objects.filter(name=TOKEN_NAME).delete()
    found = []
    for person in people:
        client = Client()
        client.force_login(person)
        _token, secret = accounts.create_token(person, TOKEN_NAME, scope="write", days=1)
        own = Account.objects.filter(is_active=True)
        if not person.is_superuser and person.username not in ("admin", "executive"):
            own = own.filter(owner=person)
        ids = list(own.order_by("?").values_list("id", flat=True)[:20])
        if ids:
            found.append(VirtualUser(person, client.cookies[settings.SESSION_COOKIE_NAME].value,
                                     secret, ids))
    if not found:
        raise SystemExit("No demo user owns a customer: run 'guanxi demo' first.")
    return found


def request(conn: http.client.HTTPConnection, kind: str, who: VirtualUser,
            rng: random.Random, n: int) -> tuple[int, bytes]:
    headers = {"Host": "127.0.0.1", "Cookie": f"{settings.SESSION_COOKIE_NAME}={who.cookie}"}
    api = {"Host": "127.0.0.1", "Authorization": f"Bearer {who.token}"}
    body = None
    method = "GET"
    if kind == "login page":
        path, headers = "/accounts/login/", {"Host": "127.0.0.1"}
    elif kind == "customer list":
        path = "/customers/" + rng.choice(["", "?owner=me", "?sort=-updated"])
    elif kind == "customer 360°":
        path = f"/customers/{rng.choice(who.customers)}/"
    elif kind == "search API":
        path, headers = f"/api/search?q={rng.choice(SEARCHES)}", api
    elif kind == "create lead API":
        method, path, headers = "POST", "/api/leads", {**api, "Content-Type": "application/json"}
        body = json.dumps({"name": f"压测线索 {threading.get_ident() % 10000}-{n}",
                           "company": f"压测公司{n}有限公司", "source": "website",
                           "timeframe": rng.choice(["immediate", "3m", "6m", "12m"])})
    elif kind == "customer list API":
        path, headers = "/api/customers?limit=50", api
    elif kind == "customer detail API":
        path, headers = f"/api/customers/{rng.choice(who.customers)}", api
    elif kind == "plain DRF list":  # the side-by-side of ``--only api`` (bench/api.py)
        path, headers = "/customers?limit=50", api
    elif kind == "plain DRF detail":
        path, headers = f"/customers/{rng.choice(who.customers)}", api
    elif kind == "opportunity kanban":
        path = "/sales/opportunities/board/"
    else:
        path = "/orders/quotes/"
    from urllib.parse import quote

    conn.request(method, quote(path, safe="/?=&-"), body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def user_loop(port: int, who: VirtualUser, until: float, think: float, tally: Tally,
              seed: int, mix: dict[str, int]) -> None:
    rng = random.Random(seed)
    kinds, weights = list(mix), list(mix.values())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    n = 0
    while time.monotonic() < until:
        n += 1
        kind = rng.choices(kinds, weights)[0]
        started = time.perf_counter()
        error = None
        try:
            status, content = request(conn, kind, who, rng, n)
            if status >= 500:
                error = f"{status} {content[:120]!r}"
            elif status not in (200, 201):  # the bench's mistake, not the server's
                error = f"client {status} {content[:120]!r}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        tally.add(kind, (time.perf_counter() - started) * 1000, error)
        if think:
            time.sleep(rng.uniform(0, 2 * think))
    conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, err: TextIO) -> tuple[subprocess.Popen, float]:
    log = open(os.path.join(settings.VAR_DIR, f"bench-load-{port}.log"), "w")  # noqa: SIM115
    env = {**os.environ, "GUANXI_ACCESS_LOG": ""}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "guanxi.cli", "serve", "--port", str(port),
                             "--migrate", "never"], env=env, stdout=log, stderr=log)
    deadline = started + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"guanxi serve stopped (code {proc.returncode}): see {log.name}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, time.monotonic() - started
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"guanxi serve did not listen within 300 s: see {log.name}")


def drive(port: int, people: list[VirtualUser], duration: int, users_count: int,
          think_ms: int, mix: dict[str, int]) -> tuple[Tally, float]:
    """``users_count`` threads sending ``mix`` to ``port`` for ``duration`` seconds."""
    tally = Tally()
    until = time.monotonic() + duration
    threads = [threading.Thread(target=user_loop, daemon=True,
                                args=(port, people[i % len(people)], until, think_ms / 1000,
                                      tally, i, mix))
               for i in range(users_count)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 120)
    return tally, time.monotonic() - began


def main(duration: int, users_count: int, think_ms: int, out: TextIO, err: TextIO,
         as_json: bool, mix: dict[str, int] = WEIGHTS) -> None:
    people = users()
    port = free_port()
    err.write(f"Starting guanxi serve on 127.0.0.1:{port} …")
    proc, start_seconds = start_server(port, err)
    err.write(f"  listening after {start_seconds:.1f} s; {users_count} users for {duration} s …")
    tally, elapsed = drive(port, people, duration, users_count, think_ms, mix)
    load = os.getloadavg()
    proc.send_signal(signal.SIGTERM)
    stop_code = proc.wait(120)
    ApiToken.objects.filter(name=TOKEN_NAME).delete()

    rows = [tally.results[k] for k in mix if k in tally.results]
    total = sum(len(r.timings_ms) for r in rows)
    server_errors = {k: v for k, v in tally.errors.items()
                     if not tally.samples[k].startswith("client")}
    meta = {"database": database_label(), "customers": Account.objects.count(),
            "users": users_count, "duration_s": duration, "think_ms": think_ms,
            "requests": total, "requests_per_s": round(total / elapsed, 1),
            "server_errors": sum(server_errors.values()),
            "client_errors": sum(tally.errors.values()) - sum(server_errors.values()),
            "load_average": [round(x, 2) for x in load], "cpus": os.cpu_count(),
            "server_start_s": round(start_seconds, 1), "server_stop_code": stop_code}
    if as_json:
        out.write(json.dumps({"meta": meta, "results": [
            {**r.as_dict(), "errors": tally.errors.get(r.name, 0)} for r in rows]},
            ensure_ascii=False, indent=2))
        return
    out.write(f"{meta['database']}: {meta['customers']:,} customers; {users_count} users, "
              f"{duration} s, think {think_ms} ms; served by guanxi serve "
              f"(listening after {start_seconds:.1f} s)")
    out.write(f"{'request':<22}{'count':>8}{'errors':>8}{'p50':>9}{'p95':>9}{'p99':>9}  (ms)")
    for r in rows:
        out.write(f"{r.name:<22}{len(r.timings_ms):>8}{tally.errors.get(r.name, 0):>8}"
                  f"{r.pct(50):>9.1f}{r.pct(95):>9.1f}{r.pct(99):>9.1f}")
    out.write(f"{total} requests ({meta['requests_per_s']}/s), {meta['server_errors']} server "
              f"errors, {meta['client_errors']} client errors; load average "
              f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    for kind, sample in tally.samples.items():
        out.write(f"  first error of {kind}: {sample}")
