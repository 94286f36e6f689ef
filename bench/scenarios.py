"""What ``guanxi bench`` measures: search by every kind of query (as an administrator, who
sees everything, and as a sales rep, who sees their own customers and the pool), the customer
list page, the 360° page and entering a customer through the services.

Each scenario is a name and a list of callables; one timing is one call. Query values are
taken from the database itself (a real mobile, e-mail, registration id of a customer the
user can see), so every search has something to find.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.urls import reverse

from guanxi.accounts.models import User
from guanxi.core import services as core_services
from guanxi.core.errors import Conflict
from guanxi.core.models import SavedView
from guanxi.customers import services
from guanxi.customers.models import Account, Contact, SearchToken
from guanxi.customers.search import search
from guanxi.customers.selectors import visible_accounts
from guanxi.demo.bulk import next_number
from guanxi.demo.generate import customer

PAGE = 50


@dataclass
class Scenario:
    name: str
    calls: list[Callable[[], object]]
    note: str = ""


@dataclass
class Result:
    name: str
    timings_ms: list[float] = field(default_factory=list)
    note: str = ""

    def pct(self, p: float) -> float:
        values = sorted(self.timings_ms)
        rank = max(0, min(len(values) - 1, round(p / 100 * len(values) + 0.5) - 1))
        return values[rank]

    def as_dict(self) -> dict:
        return {"scenario": self.name, "n": len(self.timings_ms),
                "p50_ms": round(self.pct(50), 2), "p95_ms": round(self.pct(95), 2),
                "p99_ms": round(self.pct(99), 2),
                "mean_ms": round(statistics.fmean(self.timings_ms), 2), "note": self.note}


def _samples(user: User | None, limit: int = 5) -> dict[str, list[str]]:
    """Real values to search for, from customers ``user`` owns (all customers if None)."""
    accounts = Account.objects.filter(is_active=True, kind="company", in_pool=False)
    if user is not None:
        accounts = accounts.filter(owner=user)
    # Spread over the id range instead of the first rows, which the cache would favour.
    top = accounts.order_by("-id").values_list("id", flat=True).first() or 0
    picked: list[Account] = []
    for i in range(limit):
        found = accounts.filter(id__gte=top * (i + 1) // (limit + 1),
                                registration_id__isnull=False).order_by("id").first()
        if found:
            picked.append(found)
    contacts = [c for a in picked if (c := Contact.objects.filter(
        account=a, is_active=True).exclude(mobile="").first())]
    mobiles = [c.mobile[3:] for c in contacts if c.mobile.startswith("+86")]
    return {
        "mobile": mobiles,
        "mobile_spaced": [f"{m[:3]} {m[3:7]} {m[7:]}" for m in mobiles],
        "mobile_e164": [f"+86 {m[:3]}-{m[3:7]}-{m[7:]}" for m in mobiles],
        "mobile_prefix": [m[:7] for m in mobiles],
        "email": [c.email for c in contacts if c.email],
        "registration_id": [a.registration_id for a in picked if a.registration_id],
    }


QUERIES = {
    "zh_1char": ["华", "恒", "王"],
    "zh_2char": ["恒达", "华兴", "王伟", "欧阳"],
    "zh_3plus": ["恒达精密", "苏州恒达", "供应链管理"],
    "pinyin": ["hengda", "suzhou", "ouyang"],
    "pinyin_space": ["heng da", "zhang wei", "su zhou heng"],
    "initials": ["szhd", "hd", "bjhx"],
}


def search_scenarios(user: User, label: str) -> list[Scenario]:
    samples = _samples(None if label == "admin" else user)
    kinds = dict(QUERIES) | {k: v for k, v in samples.items() if v}
    return [Scenario(f"search {kind} ({label})",
                     [lambda q=q: search(user, q) for q in queries],
                     note=" / ".join(queries[:3]))
            for kind, queries in kinds.items()]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_scenarios(user: User, label: str) -> list[Scenario]:
    client = _client(user)
    url = reverse("customers:list")

    def get(path: str, params: dict | None = None) -> Callable[[], object]:
        def call() -> object:
            response = client.get(path, params or {})
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            return response
        return call

    own = Account.objects.filter(owner=user, is_active=True) if label == "rep" else \
        Account.objects.filter(is_active=True)
    top = own.order_by("-id").values_list("id", flat=True).first() or 0
    ids = [pk for i in range(20) if (pk := own.filter(id__gte=top * (i + 1) // 21)
                                     .order_by("id").values_list("id", flat=True).first())]
    def query(**filters: object) -> Callable[[], object]:
        # The database part of the list page alone: one page of the scoped queryset.
        return lambda: list(visible_accounts(user).filter(**filters).select_related("owner")
                            .order_by("-updated_at", "-id")[:PAGE + 1])

    # A saved view as a rep keeps one: their customers in one industry, chosen columns,
    # compact; the page applies it and shows the row count (exact up to 1,000, then the
    # database's estimate or "1,000+").
    view = SavedView.objects.filter(owner=user, list_key="customers",
                                    name="bench: industry view").first() or \
        core_services.save_view(user, "customers", "bench: industry view",
                                {"industry": "manufacturing", "sort": "-updated",
                                 "cols": "name,owner,phone,status,updated",
                                 "density": "compact"})

    return [
        Scenario(f"list query only, no filter ({label})", [query()], "selector, 51 rows"),
        Scenario(f"list, saved view with count ({label})", [get(url, {"view": view.pk})],
                 "industry view, 5 columns, compact, count shown"),
        Scenario(f"list, saved view, sort by name ({label})",
                 [get(url, {"view": view.pk, "sort": "name"})], "the view re-sorted"),
        Scenario(f"list query only, owner=me industry ({label})",
                 [query(owner=user, industry="manufacturing")], "selector, 51 rows"),
        Scenario(f"list, no filter ({label})", [get(url)], "50 rows, newest first"),
        Scenario(f"list, owner=me industry sort -updated ({label})",
                 [get(url, {"owner": "me", "industry": "manufacturing", "sort": "-updated"})]),
        Scenario(f"list, industry=it sort -updated ({label})",
                 [get(url, {"industry": "it", "sort": "-updated"})]),
        Scenario(f"360° page ({label})",
                 [get(reverse("customers:detail", args=[pk])) for pk in ids],
                 f"{len(ids)} customers in turn"),
    ]


def create_scenario(user: User) -> Scenario:
    def call() -> object:
        n = next_number()
        for attempt in range(5):
            spec = customer(n, attempt)
            try:
                return services.create_account(
                    user, dict(spec.data), contacts=[dict(c) for c in spec.contacts],
                    addresses=[dict(spec.address)], custom=spec.custom, force=True)
            except Conflict:
                continue  # a person's name another rep already follows: another name
        return None
    return Scenario("create customer (services, rep)", [call], "with contacts and address")


def all_scenarios(admin: User, rep: User, manager: User | None = None) -> list[Scenario]:
    from bench import sales

    return [*search_scenarios(admin, "admin"), *search_scenarios(rep, "rep"),
            *page_scenarios(admin, "admin"), *page_scenarios(rep, "rep"),
            create_scenario(rep), *(sales.scenarios(admin, rep, manager) if manager else [])]


def run(scenario: Scenario, repeat: int, warmup: int = 2) -> Result:
    result = Result(scenario.name, note=scenario.note)
    calls = scenario.calls
    for i in range(warmup):
        calls[i % len(calls)]()
    for i in range(repeat):
        call = calls[i % len(calls)]
        started = time.perf_counter()
        call()
        result.timings_ms.append((time.perf_counter() - started) * 1000)
    return result


def database_label() -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version} ({connection.settings_dict['NAME']})"
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    return f"PostgreSQL {version} ({connection.settings_dict['NAME']})"


def token_count() -> int:
    """Approximate rows of the search index (the planner's estimate: counting is slow)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                        [SearchToken._meta.db_table])
            return int(cur.fetchone()[0])
        return SearchToken.objects.order_by("-id").values_list("id", flat=True).first() or 0


def sql_value(value: object) -> object:
    """A value for a bulk write: SQLite takes dates and times as the text Django stores."""
    if connection.vendor == "postgresql":
        return value
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def after_bulk_load(model: type) -> None:
    """After rows went in with explicit ids: move PostgreSQL's id sequence past them, and
    refresh the planner's statistics (VACUUM too, as rows written by COPY are not yet
    all-visible and index-only scans would visit the table)."""
    table = model._meta.db_table  # type: ignore[attr-defined]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
            cur.execute(f"VACUUM (ANALYZE) {table}")
        else:
            cur.execute("PRAGMA analysis_limit = 2000")
            cur.execute("ANALYZE")


def write_report(out, meta: dict, results: list[Result], headline: str, as_json: bool) -> None:
    """The figures as JSON (``meta`` and each result), or a headline and a table of
    percentiles."""
    if as_json:
        out.write(json.dumps({"meta": meta, "results": [r.as_dict() for r in results]},
                             ensure_ascii=False, indent=2))
        return
    out.write(headline)
    out.write(f"{'scenario':44} {'p50':>9} {'p95':>9} {'p99':>9}  ms")
    for r in results:
        out.write(f"{r.name:44} {r.pct(50):9.1f} {r.pct(95):9.1f} {r.pct(99):9.1f}  {r.note}")
