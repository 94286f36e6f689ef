"""``guanxi bench --only service``: service cases at scale.

Cases are topped up to ``--cases`` (default 1,000,000) with bulk rows (COPY on PostgreSQL,
executemany on SQLite, 10,000 per transaction) spread over the existing customers and the demo's
two service teams: 90% closed long ago, 10% open with a running SLA clock. Then: the team queue
page sorted by SLA due (agent), the 360° page of customers with cases (service cards included),
and recomputing the SLA due times of every open case after a holiday is added (timed once).
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import time
from collections.abc import Callable
from typing import TextIO

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.scenarios import (
    Result,
    Scenario,
    after_bulk_load,
    database_label,
    run,
    sql_value,
    write_report,
)
from guanxi.customers.models import Account
from guanxi.demo.bulk import _tuned_session, _write
from guanxi.demo.service import _agents, _setup
from guanxi.service.models import Case, Holiday
from guanxi.service.services import sla

CHUNK = 10_000
OPEN_SHARE = 0.1
STATUSES_OPEN = ("new", "assigned", "in_progress", "waiting")


def grow(org, target: int, say: Callable[[str], object]) -> int:
    """Add bulk cases until there are ``target``; returns how many there are."""
    have = Case.objects.count()
    people = _agents(org)
    hotline, field = _setup(people)
    if have >= target:
        return have
    accounts = list(Account.objects.filter(is_active=True).values_list("pk", flat=True))
    if not accounts:
        raise SystemExit("No customers: grow the database first (--scale).")
    teams = [(hotline.pk, [u.pk for u in hotline.members.all()]),
             (field.pk, [u.pk for u in field.members.all()])]
    now = timezone.now()
    rng = random.Random(20261207 + have)
    start = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    columns = [f.column for f in Case._meta.concrete_fields]
    missing = target - have
    kinds = [k for k, _l in Case.Kind.choices]
    channels = [c for c, _l in Case.Channel.choices]
    priorities = [p for p, _l in Case.Priority.choices]
    say(f"Loading {missing:,} cases over {len(accounts):,} customers …")
    started = time.perf_counter()
    with _tuned_session():
        for offset in range(0, missing, CHUNK):
            rows = []
            for pk in range(start + offset, start + min(offset + CHUNK, missing)):
                team_id, members = teams[rng.randrange(len(teams))]
                is_open = rng.random() < OPEN_SHARE
                if is_open:
                    created = now - dt.timedelta(minutes=rng.randrange(10 * 24 * 60))
                    status = rng.choice(STATUSES_OPEN)
                    running = status != "waiting"
                    budget = rng.randrange(1800, 30_000)
                    due = created + dt.timedelta(seconds=budget * 3) if running else None
                else:
                    created = now - dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
                    status, running, budget, due = "closed", False, None, None
                row = {
                    "id": pk, "version": 1, "number": f"CS-BENCH-{pk:08d}",
                    "kind": rng.choice(kinds), "channel": rng.choice(channels),
                    "priority": rng.choice(priorities), "status": status,
                    "subject": f"Bench case {pk}", "description": "",
                    "account_id": accounts[rng.randrange(len(accounts))], "contact_id": None,
                    "requester_email": "", "requester_name": "", "product_id": None,
                    "customer_class": "", "province": "", "team_id": team_id, "asset_id": None,
                    "assignee_id": (members[rng.randrange(len(members))]
                                    if members and status != "new" else None),
                    "resolution": "" if is_open else "Done", "root_cause": "",
                    "sla_policy_id": None,
                    "sla_anchor_at": created if running else None,
                    "response_budget": None, "resolution_budget": budget,
                    "response_due": None, "resolution_due": due, "sla_due": due,
                    "sla_state": ("ok" if running else "paused") if is_open else "met",
                    "sla_warned_at": None, "sla_breached_at": None,
                    "first_response_at": created, "resolved_at": None if is_open else created,
                    "closed_at": None if is_open else created, "created_by_id": None,
                    "created_at": created, "updated_at": created,
                }
                rows.append(tuple(sql_value(row[c]) for c in columns))
            with transaction.atomic():
                _write(Case._meta.db_table, columns, rows)
            done = offset + len(rows)
            if done % 100_000 < CHUNK or done == missing:
                say(f"  {done:,} / {missing:,} ({time.perf_counter() - started:.0f} s)")
    after_bulk_load(Case)
    return Case.objects.count()


def _get(client: Client, path: str) -> Callable[[], object]:
    def call() -> object:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return response
    return call


def scenarios(org) -> list[Scenario]:
    people = _agents(org)
    hotline, field = _setup(people)
    client = Client()
    client.force_login(people["service_wu"])
    # Customers with cases, spread over the id range.
    top = Case.objects.order_by("-id").values_list("account_id", flat=True).first() or 0
    picks = []
    for step in range(1, 11):
        pk = (Case.objects.filter(account_id__lte=top * step // 10, account_id__isnull=False)
              .order_by("-account_id").values_list("account_id", flat=True).first())
        if pk and pk not in picks:
            picks.append(pk)
    return [
        Scenario("team queue page by SLA due (hotline)",
                 [_get(client, reverse("service:team_queue", args=[hotline.pk]))], "50 rows"),
        Scenario("team queue page by SLA due (field)",
                 [_get(client, reverse("service:team_queue", args=[field.pk]))], "50 rows"),
        Scenario("my queue page (agent)", [_get(client, reverse("service:my_queue"))]),
        Scenario("360° page with service cards (agent)",
                 [_get(client, reverse("customers:detail", args=[pk])) for pk in picks],
                 f"{len(picks)} customers in turn"),
    ]


def recompute() -> tuple[int, float]:
    """Add a holiday tomorrow, recompute every open case's due times; (cases, seconds)."""
    day = timezone.localdate() + dt.timedelta(days=1)
    Holiday.objects.filter(date=day, name="Bench day off").delete()
    holiday = Holiday.objects.create(date=day, name="Bench day off") \
        if not Holiday.objects.filter(date=day).exists() else None
    started = time.perf_counter()
    count = sla.recompute_due()
    seconds = time.perf_counter() - started
    if holiday is not None:
        holiday.delete()
    return count, seconds


def main(org, cases: int, repeat: int, *, out: TextIO, err: TextIO, as_json: bool) -> None:
    count = grow(org, cases, say=err.write)
    open_count = Case.objects.filter(status__in=Case.OPEN).count()
    results: list[Result] = []
    for scenario in scenarios(org):
        results.append(run(scenario, repeat))
        if not as_json:
            err.write(f"  {scenario.name}: p95 {results[-1].pct(95):.1f} ms")
    recomputed, seconds = recompute()
    meta = {"database": database_label(), "customers": Account.objects.count(),
            "cases": count, "open_cases": open_count, "repeat": repeat,
            "recompute_cases": recomputed, "recompute_seconds": round(seconds, 2),
            "python": platform.python_version(), "machine": platform.machine()}
    write_report(out, meta, results,
                 f"{meta['database']}: {meta['customers']:,} customers, {count:,} cases "
                 f"({open_count:,} open), {repeat} runs each",
                 as_json)
    if as_json:
        return
    out.write(f"SLA due times recomputed for {recomputed:,} open cases in {seconds:.2f} s")
