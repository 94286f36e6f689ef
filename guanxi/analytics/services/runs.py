"""Analysis runs: queue one, and compute one — read every transaction in bulk into numpy
arrays, run the engine, write every customer's metrics in bulk, then make the run current.

Reading fetches plain tuples in chunks through the DB-API cursor (no ORM object per row);
dates arrive as day numbers and amounts as floats computed by the database. Writing uses COPY
on PostgreSQL and executemany on SQLite, like the demo's bulk loader.

Profitability is revenue − cost of goods (``Transaction.cost``; estimated from the default
margin where unknown). Service, marketing and sales expenses join it when the apps that
record them exist: add their per-customer sums to ``cost`` in ``analyse`` — nothing else
changes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.analytics import permissions as perms
from guanxi.analytics.models import AnalysisRun, AnalyticsSettings, CustomerMetrics, Transaction
from guanxi.analytics.services import crosssell
from guanxi.core import audit, leases
from guanxi.core.errors import Conflict, Forbidden
from guanxi.customers.models import Account

CHUNK = 1_000_000  # transaction ids per read
WRITE_BATCH = 100_000
EPOCH = dt.date(1970, 1, 1)
STALE = dt.timedelta(hours=6)

COLUMNS = [
    "run_id", "account_id", "recency_days", "frequency", "purchases", "monetary",
    "first_purchase", "last_purchase", "r_score", "f_score", "m_score", "rfm_code", "segment",
    "abc_revenue", "abc_profit", "revenue", "cost", "profit", "historical_value",
    "expected_purchases", "p_alive", "expected_spend", "clv", "churn_risk", "cluster",
    "cluster_label", "value_type", "lifecycle",
]
MONEY = {"monetary", "revenue", "cost", "profit", "historical_value", "expected_spend", "clv"}
DATES = {"first_purchase", "last_purchase"}
INTS = {"recency_days", "frequency", "purchases", "r_score", "f_score", "m_score", "cluster"}
TEXT = {"rfm_code", "segment", "abc_revenue", "abc_profit", "cluster_label", "value_type",
        "lifecycle"}


def parameters(until: dt.date | None = None) -> dict[str, Any]:
    """The current settings as the JSON a run stores."""
    conf = AnalyticsSettings.current()
    return {"model": conf.model, "horizon_months": conf.horizon_months,
            "discount_rate": str(conf.discount_rate), "margin": str(conf.margin),
            "clusters": conf.clusters, "active_days": conf.active_days,
            "segment_map": conf.segment_map, "keep_runs": conf.keep_runs,
            "until": (until or timezone.localdate()).isoformat()}


def reap_interrupted() -> int:
    """Fail the runs whose process stopped renewing its lease (killed, machine lost): they
    no longer block a new run. The nightly worker and every new run call this."""
    now = timezone.now()
    dead = AnalysisRun.objects.filter(leases.expired(AnalysisRun, now),
                                      status=AnalysisRun.Status.RUNNING)
    failed = 0
    for pk, last in dead.values_list("pk", "lease_until"):
        seen = timezone.localtime(last).strftime("%Y-%m-%d %H:%M:%S") if last else "—"
        with transaction.atomic():
            if AnalysisRun.objects.filter(leases.expired(AnalysisRun, now), pk=pk,
                                          status=AnalysisRun.Status.RUNNING).update(
                    status=AnalysisRun.Status.FAILED, finished_at=now, lease_owner="",
                    lease_until=None,
                    error=_("Interrupted: the process computing this run stopped (last sign "
                            "of life %(time)s). Start a new run.") % {"time": seen}):
                CustomerMetrics.objects.filter(run_id=pk).delete()
                crosssell.discard(pk)
                failed += 1
    # A run nobody picked up for hours (no worker running) stops blocking new ones too.
    AnalysisRun.objects.filter(status=AnalysisRun.Status.QUEUED,
                               created_at__lt=now - STALE).update(
        status=AnalysisRun.Status.FAILED, finished_at=now,
        error=_("Interrupted: no worker started the run within %(hours)s hours.")
        % {"hours": int(STALE.total_seconds() // 3600)})
    return failed


def create_run(actor: User | None, until: dt.date | None = None) -> AnalysisRun:
    """A queued run with the current parameters; refused while another one is under way."""
    if actor is not None and not perms.can_run_analysis(actor):
        raise Forbidden(_("Only administrators and executives start an analysis."))
    reap_interrupted()
    active = AnalysisRun.objects.filter(status__in=[AnalysisRun.Status.QUEUED,
                                                    AnalysisRun.Status.RUNNING])
    if active.exists():
        raise Conflict(_("An analysis is already running; wait until it finishes."),
                       code="run_active")
    params = parameters(until)
    run = AnalysisRun.objects.create(requested_by=actor, parameters=params,
                                     until=dt.date.fromisoformat(params["until"]))
    if actor is not None:
        audit.log(actor, "analytics.run.started", run)
    return run


def start_run(actor: User | None, until: dt.date | None = None) -> AnalysisRun:
    """Queue an analysis in the background worker."""
    from guanxi.analytics.tasks import run_analysis_task
    from guanxi.core.tasks import later

    run = create_run(actor, until)
    later(run_analysis_task, run.pk)
    return run


def _progress(run: AnalysisRun, percent: int, stage: str) -> None:
    run.progress, run.stage = percent, stage
    AnalysisRun.objects.filter(pk=run.pk).update(progress=percent, stage=stage)


def run_analysis(run_id: int, *, say: Callable[[int, str], None] | None = None,
                 timings: dict[str, float] | None = None) -> AnalysisRun:
    """Compute queued run ``run_id`` under its lease; a failure is recorded on the run (and
    raised again). A run already taken, finished or failed is left as it is: a task handed
    over twice computes it once."""
    try:
        with leases.Lease(AnalysisRun, run_id) as lease:
            started = AnalysisRun.objects.filter(
                pk=run_id, status=AnalysisRun.Status.QUEUED).update(
                status=AnalysisRun.Status.RUNNING, started_at=timezone.now())
            if started:
                _run_leased(run_id, lease, say, timings)
    except leases.LeaseTaken:
        pass
    return AnalysisRun.objects.get(pk=run_id)


def _run_leased(run_id: int, lease: leases.Lease, say: Callable[[int, str], None] | None,
                timings: dict[str, float] | None) -> None:
    run = AnalysisRun.objects.get(pk=run_id)
    times = timings if timings is not None else {}

    def progress(percent: int, stage: str) -> None:
        lease.check()
        _progress(run, percent, stage)
        if say:
            say(percent, stage)

    try:
        _compute(run, progress, times, lease)
    except leases.LeaseLost:
        return  # declared dead and failed meanwhile: its metrics are already gone
    except Exception as exc:
        CustomerMetrics.objects.filter(run_id=run.pk).delete()
        crosssell.discard(run.pk)
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=AnalysisRun.Status.FAILED, finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:4000])
        raise


def _compute(run: AnalysisRun, progress: Callable[[int, str], None],
             times: dict[str, float], lease: leases.Lease) -> None:
    # The models pull in scipy and scikit-learn (seconds to import): only the worker needs them.
    from guanxi.analytics.services.pipeline import Params, analyse

    p = run.parameters
    until = dt.date.fromisoformat(p["until"])
    params = Params(until_day=(until - EPOCH).days, model=p["model"],
                    horizon_months=int(p["horizon_months"]),
                    discount_rate=float(p["discount_rate"]), margin=float(p["margin"]),
                    clusters=int(p["clusters"]), active_days=int(p["active_days"]),
                    segment_map=p.get("segment_map") or None)
    started = time.perf_counter()
    progress(5, "read")
    customers, days, amounts, costs = read_transactions(until)
    # Other apps' direct costs (service: warranty parts and labour) come off the profit.
    from guanxi.analytics import contributions
    costs = contributions.deduct(customers, days, amounts, costs,
                                 contributions.extra_costs(EPOCH, until), params.margin)
    answer_ids, answers = _answers()
    times["read"] = time.perf_counter() - started
    progress(30, "read")
    if not len(customers):
        raise ValueError(_("There are no transactions up to %(date)s to analyse.")
                         % {"date": until.isoformat()})
    result = analyse(customers, days, amounts, costs, params, answers=answers,
                     answer_ids=answer_ids, progress=progress)
    times.update(result.timings)
    progress(80, "write")
    started = time.perf_counter()
    write_metrics(run.pk, result.account_ids, result.columns)
    f = result.figures
    times["write"] = time.perf_counter() - started
    progress(90, "cross-sell")
    started = time.perf_counter()
    f["cross_sell"] = crosssell.compute(run.pk, until)
    times["cross_sell"] = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        # Only the lease holder makes its run current: one declared dead meanwhile does not.
        # (One current run at a time: the old flag goes first; a rollback restores it.)
        AnalysisRun.objects.filter(is_current=True).update(is_current=False)
        if not AnalysisRun.objects.filter(pk=run.pk, lease_owner=lease.owner).update(
            is_current=True, status=AnalysisRun.Status.DONE, finished_at=timezone.now(),
            progress=100, stage="done", fitted=result.fitted, spend_check=result.spend_check,
            summary=f, customers=f["customers"], transactions=f["transactions"],
            revenue=_money(f["revenue"]), profit=_money(f["profit"]),
            equity=_money(f["equity"]), top20_share=f["top20_share"],
            retention_rate=f["retention_rate"], repeat_rate=f["repeat_rate"]):
            raise leases.LeaseLost(str(run.pk))
    _prune(int(p.get("keep_runs") or 30))
    times["write"] += time.perf_counter() - started
    progress(100, "done")


def _money(value: float) -> str:
    return f"{value:.2f}"


def read_transactions(until: dt.date) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(account ids, day numbers, amounts, costs with NaN where unknown) up to ``until``.

    No Python object per row: PostgreSQL sends the rows as binary COPY, read straight into a
    numpy record array; SQLite hands over ranges of rows as four comma-joined strings that
    numpy parses in C.
    """
    if connection.vendor == "postgresql":
        return _read_postgresql(until)
    return _read_sqlite(until)


# One binary COPY tuple of four non-null 8-byte columns: field count, then length + value each.
_PG_ROW = np.dtype([("n", ">i2"), ("l1", ">i4"), ("account", ">i8"), ("l2", ">i4"),
                    ("day", ">i8"), ("l3", ">i4"), ("amount", ">f8"), ("l4", ">i4"),
                    ("cost", ">f8")])


def _read_postgresql(until: dt.date):
    table = Transaction._meta.db_table
    # ``until`` is a date object rendered by isoformat(): nothing from the user reaches SQL.
    sql = (f"COPY (SELECT account_id::int8, (date - DATE '1970-01-01')::int8, "  # noqa: S608
           f"amount::float8, COALESCE(cost::float8, 'NaN'::float8) FROM {table} "
           f"WHERE date <= DATE '{until.isoformat()}') TO STDOUT (FORMAT BINARY)")
    buffer = bytearray()
    connection.ensure_connection()
    with connection.connection.cursor() as cur, cur.copy(sql) as copy:
        for data in copy:
            buffer += data
    if len(buffer) < 21:
        return _empty()
    start = 19 + int.from_bytes(buffer[15:19], "big")  # signature, flags, header extension
    rows = np.frombuffer(memoryview(buffer)[start:len(buffer) - 2], dtype=_PG_ROW)
    return (rows["account"].astype(np.int64), rows["day"].astype(np.int64),
            rows["amount"].astype(np.float64), rows["cost"].astype(np.float64))


def _read_sqlite(until: dt.date):
    table = Transaction._meta.db_table
    parts: list[list[np.ndarray]] = []
    sql = (f"SELECT group_concat(account_id), "  # noqa: S608 - our own table name
           f"group_concat(CAST(julianday(date) - 2440587.5 AS INTEGER)), "
           f"group_concat(CAST(amount AS REAL)), group_concat(IFNULL(CAST(cost AS REAL), 'nan')) "
           f"FROM {table} WHERE id >= %s AND id < %s AND date <= %s")
    with connection.cursor() as cur:
        cur.execute(f"SELECT MIN(id), MAX(id) FROM {table}")  # noqa: S608
        low, high = cur.fetchone()
        if low is None:
            return _empty()
        # The four aggregates walk the same rows in the same order, so the columns align.
        for first in range(low, high + 1, CHUNK):
            cur.execute(sql, [first, first + CHUNK, until.isoformat()])
            row = cur.fetchone()
            if row[0] is not None:
                parts.append([np.fromstring(text, sep=",") for text in row])
    if not parts:
        return _empty()
    ids, days, amounts, costs = (np.concatenate(column) for column in zip(*parts, strict=True))
    return ids.astype(np.int64), days.astype(np.int64), amounts, costs


def _empty():
    return (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0),
            np.empty(0))


def _answers() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Attitude answers of the customers who gave any (few: read through the ORM)."""
    fields = {"risk": "attitude_risk", "products": "attitude_products",
              "service": "attitude_service", "rebuy": "likelihood_rebuy",
              "recommend": "likelihood_recommend"}
    answered = Q()
    for name in fields.values():
        answered |= Q(**{f"{name}__isnull": False})
    rows = list(Account.objects.filter(answered).order_by("pk")
                .values_list("pk", *fields.values()))
    if not rows:
        return np.empty(0, dtype=np.int64), {}
    data = np.array(rows, dtype=np.float64)
    return data[:, 0].astype(np.int64), {k: data[:, i + 1] for i, k in enumerate(fields)}


def _column(name: str, values: np.ndarray) -> list:
    """One column as the Python values SQLite binds."""
    if name in MONEY:
        return np.round(np.nan_to_num(values.astype(np.float64)), 2).tolist()
    if name in DATES:
        return np.asarray(values).astype("datetime64[D]").astype(str).tolist()
    if name in INTS:
        return np.asarray(values).astype(np.int64).tolist()
    if name in TEXT:
        return np.asarray(values).astype(str).tolist()
    return np.nan_to_num(np.asarray(values, dtype=np.float64)).tolist()


def _text_column(name: str, values: np.ndarray) -> list[str]:
    """One column as COPY text: formatted here once, instead of value by value by the driver."""
    if name in MONEY:
        return [f"{v:.2f}" for v in np.nan_to_num(values.astype(np.float64)).tolist()]
    if name in TEXT:
        # COPY text escapes: labels are plain words, but a backslash or tab must not slip in.
        return [v.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")
                for v in np.asarray(values).astype(str).tolist()]
    return list(map(str, _column(name, values)))


def write_metrics(run_id: int, account_ids: np.ndarray, columns: dict[str, np.ndarray]) -> None:
    """Insert one metrics row per customer in batches, each batch one transaction."""
    table = CustomerMetrics._meta.db_table
    names = ", ".join(COLUMNS)
    n = len(account_ids)
    postgres = connection.vendor == "postgresql"
    for start in range(0, n, WRITE_BATCH):
        end = min(n, start + WRITE_BATCH)
        ids = account_ids[start:end].astype(np.int64)
        with transaction.atomic():
            connection.ensure_connection()
            lists: list[list[Any]]
            if postgres:
                lists = [[str(run_id)] * (end - start), list(map(str, ids.tolist()))]
                lists += [_text_column(c, columns[c][start:end]) for c in COLUMNS[2:]]
                data = "\n".join(map("\t".join, zip(*lists, strict=True))) + "\n"
                with connection.connection.cursor() as cur, \
                        cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    copy.write(data.encode())
            else:
                lists = [[run_id] * (end - start), ids.tolist()]
                lists += [_column(c, columns[c][start:end]) for c in COLUMNS[2:]]
                marks = ", ".join("?" * len(COLUMNS))
                connection.connection.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                    zip(*lists, strict=True))


def _prune(keep: int) -> None:
    """Delete the metrics of runs beyond the newest ``keep`` finished ones."""
    finished = AnalysisRun.objects.filter(status__in=[AnalysisRun.Status.DONE,
                                                      AnalysisRun.Status.FAILED])
    old = list(finished.filter(is_current=False).order_by("-id")
               .values_list("pk", flat=True)[keep - 1:])
    if old:
        CustomerMetrics.objects.filter(run_id__in=old).delete()
        AnalysisRun.objects.filter(pk__in=old).delete()


def run_now(actor: User | None, until: dt.date | None = None, *,
            say: Callable[[int, str], None] | None = None,
            timings: dict[str, float] | None = None) -> AnalysisRun:
    """Create and compute a run in this process (command line, demo, nightly task)."""
    run = create_run(actor, until)
    return run_analysis(run.pk, say=say, timings=timings)
