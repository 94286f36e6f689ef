"""``guanxi bench --only api``: the customer API's first list page and one customer, through
the real HTTP stack, side by side with a plain Django REST framework view over the same table.

1. ``guanxi serve`` (gunicorn, as in production) on a free loopback port; ``--users``
   connections (default 10) send the first page of ``GET /api/customers`` (50 rows) and
   ``GET /api/customers/{id}`` back to back for ``--duration`` seconds: once as the demo's
   reps, managers and administrator in turn (their scopes), then as the administrator alone.
2. The same requests as the administrator against a textbook DRF project (ModelSerializer,
   generic views, cursor pagination, the same API tokens) run by gunicorn with the same
   workers and threads, from ``bench/api_peer`` copied to ``var/bench/api-peer`` and run in
   its own environment (``var/bench/drf-venv``; Django REST framework is installed there by
   the bench and is never a dependency of Guanxi). The DRF detail answers the list's columns
   only; Guanxi's detail also carries the contacts, addresses, terms, shares and completeness.

Printed per side: requests, p50/p95/p99, requests per second, and the CPU seconds of the
server's processes per request (user + system of gunicorn and its workers; PostgreSQL's own
processes are not counted) — wall time moves with the machine's load, CPU per request much
less. Ratios are Guanxi / DRF.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

from django.conf import settings

from bench import load
from bench.scenarios import database_label
from guanxi.customers.models import Account

DRF = ["django==5.2.*", "djangorestframework==3.16.*", "psycopg[binary]==3.2.*",
       "gunicorn==23.*"]
OURS = {"customer list API": 1, "customer detail API": 1}
PEER = {"plain DRF list": 1, "plain DRF detail": 1}


def peer_python(var_dir: Path, say) -> Path:
    """A virtual environment with Django REST framework and gunicorn, made once and kept."""
    venv = var_dir / "bench" / "drf-venv"
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    wanted = " ".join(DRF)
    if marker.exists() and marker.read_text() == wanted:
        return python
    say(f"  installing {wanted} into {venv} …")
    uv = next((p for p in (Path(sys.executable).parent / "uv",
                           Path(__file__).resolve().parent.parent / ".tools" / "bin" / "uv")
               if p.exists()), None)
    if uv:
        subprocess.run([str(uv), "venv", "-q", "--allow-existing", "-p", sys.executable,
                        str(venv)], check=True)
        subprocess.run([str(uv), "pip", "install", "-q", "-p", str(python), *DRF], check=True)
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *DRF], check=True)
    marker.write_text(wanted)
    return python


def _tree_cpu(root: int) -> float:
    """User + system CPU seconds of ``root`` and every process below it (reaped ones too)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = sum(int(x) for x in fields[11:15]) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _start_peer(python: Path, var_dir: Path, port: int) -> subprocess.Popen:
    project = var_dir / "bench" / "api-peer"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(Path(__file__).resolve().parent / "api_peer", project,
                    ignore=shutil.ignore_patterns("__pycache__"))
    db = settings.DATABASES["default"]
    database = {key: db.get(key) for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST",
                                              "PORT") if db.get(key) is not None}
    env = {**os.environ, "PEER_DATABASE": json.dumps({**database, "NAME": str(db["NAME"])}),
           "DJANGO_SETTINGS_MODULE": "peer_settings", "PYTHONPATH": str(project)}
    log = open(var_dir / f"bench-api-peer-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([str(python), "-m", "gunicorn", "peer_wsgi:application",
                             "--bind", f"127.0.0.1:{port}", "--workers", "3", "--threads",
                             "8"], cwd=project, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    import socket

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the DRF peer stopped (code {proc.returncode}): see {log.name}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the DRF peer did not listen: see {log.name}")


def _run(label: str, proc: subprocess.Popen, port: int, people, duration: int, users: int,
         mix: dict[str, int]) -> dict:
    cpu_before = _tree_cpu(proc.pid)
    tally, elapsed = load.drive(port, people, duration, users, 0, mix)
    cpu = _tree_cpu(proc.pid) - cpu_before
    rows = [tally.results[k] for k in mix if k in tally.results]
    total = sum(len(r.timings_ms) for r in rows)
    return {"run": label, "requests": total, "per_s": round(total / elapsed, 1),
            "server_cpu_ms_per_request": round(cpu * 1000 / max(total, 1), 2),
            "errors": dict(tally.errors), "first_errors": dict(tally.samples),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "results": [r.as_dict() for r in rows]}


def main(duration: int, users: int, out: TextIO, err: TextIO, as_json: bool) -> None:
    var_dir = Path(settings.VAR_DIR)
    people = load.users()
    admin = [p for p in people if p.user.username == "admin"] or people[:1]
    runs = []

    port = load.free_port()
    err.write(f"guanxi serve on 127.0.0.1:{port} …")
    proc, _started = load.start_server(port, err)
    try:
        load.drive(port, admin, 3, users, 0, OURS)  # warm-up: workers import, connect
        runs.append(_run("Guanxi, demo users in turn", proc, port, people, duration, users,
                         OURS))
        runs.append(_run("Guanxi, administrator", proc, port, admin, duration, users, OURS))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(120)

    python = peer_python(var_dir, err.write)
    port = load.free_port()
    err.write(f"plain DRF peer on 127.0.0.1:{port} …")
    peer = _start_peer(python, var_dir, port)
    try:
        load.drive(port, admin, 3, users, 0, PEER)
        runs.append(_run("plain DRF, administrator", peer, port, admin, duration, users, PEER))
    finally:
        peer.send_signal(signal.SIGTERM)
        peer.wait(60)
    load.ApiToken.objects.filter(name=load.TOKEN_NAME).delete()

    ours, theirs = runs[1], runs[2]
    ratios = {}
    for kind, a, b in (("list", 0, 0), ("detail", 1, 1)):
        if len(ours["results"]) > a and len(theirs["results"]) > b:
            mine, peer_r = ours["results"][a], theirs["results"][b]
            ratios[kind] = {k: round(mine[k] / peer_r[k], 2) for k in ("p50_ms", "p95_ms")}
    ratios["cpu_per_request"] = round(ours["server_cpu_ms_per_request"]
                                      / max(theirs["server_cpu_ms_per_request"], 0.01), 2)
    meta = {"database": database_label(), "customers": Account.objects.count(),
            "connections": users, "duration_s": duration, "cpus": os.cpu_count()}
    if as_json:
        out.write(json.dumps({"meta": meta, "runs": runs, "ratios": ratios},
                             ensure_ascii=False, indent=2))
        return
    out.write(f"{meta['database']}: {meta['customers']:,} customers; {users} connections, "
              f"{duration} s a run; gunicorn 3 workers x 8 threads on both sides")
    for run in runs:
        out.write(f"\n{run['run']}: {run['requests']} requests ({run['per_s']}/s), server CPU "
                  f"{run['server_cpu_ms_per_request']} ms a request, errors {run['errors']}; "
                  f"load average {' '.join(str(x) for x in run['load_average'])}")
        out.write(f"  {'request':<22}{'count':>8}{'p50':>9}{'p95':>9}{'p99':>9}  (ms)")
        for r in run["results"]:
            out.write(f"  {r['scenario']:<22}{r['n']:>8}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
                      f"{r['p99_ms']:>9.1f}")
        for kind, sample in run["first_errors"].items():
            out.write(f"  first error of {kind}: {sample}")
    out.write(f"\nGuanxi / DRF (administrator): {ratios}")
