"""Demo analytics data: two years of purchases with realistic repeat buying, and a first
analysis run, so the dashboard and the customer pages show figures at once.

Purchases follow the BG/NBD story the models assume: while active, a customer buys as a
Poisson process (rate λ); after each purchase they leave for good with probability p. Given
the number of events in a window, their times are uniform, so a whole customer base is drawn
with a few vectorised numpy calls. Kinds of customers — key accounts, regulars, growing,
occasional, fading and new ones — give every segment, lifecycle stage and value type. Amounts
are in yuan with the cost of goods at 60–80 %.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.analytics.models import AnalysisRun, Transaction
from guanxi.customers.models import Account
from guanxi.demo.org import DemoOrg

DEMO_CUSTOMERS = 20_000  # customers given a purchase history by ``guanxi demo``
HISTORY_DAYS = 730
EPOCH = dt.date(1970, 1, 1)
BATCH = 200_000
COLUMNS = ["account_id", "date", "amount", "cost", "source", "external_id", "created_at"]


@dataclass(frozen=True)
class Kind:
    share: float
    every_days: float  # mean days between purchases while active
    leave: float  # probability of leaving after a purchase
    spend: float  # mean yuan per purchase
    growth: float  # spend change from the first day to today (+1.5 = 2.5×)
    new: bool = False  # first purchase in the last 90 days
    stopped: bool = False  # stopped buying 5–10 months ago


KINDS = {
    "key": Kind(0.08, 21, 0.02, 32_000, 0.3),
    "regular": Kind(0.28, 45, 0.05, 8_000, 0.0),
    "growing": Kind(0.12, 40, 0.04, 5_000, 1.5),
    "occasional": Kind(0.25, 120, 0.20, 2_500, 0.0),
    "fading": Kind(0.12, 30, 0.03, 9_000, -0.6, stopped=True),
    "new": Kind(0.15, 25, 0.10, 4_000, 0.0, new=True),
}


@dataclass
class Simulated:
    customer: np.ndarray  # index into the customer list, per transaction
    day: np.ndarray  # days since 1970-01-01
    amount: np.ndarray  # yuan, 2 decimals
    cost: np.ndarray

    def __len__(self) -> int:
        return len(self.day)


def simulate(n: int, until_day: int, *, seed: int = 2026, intensity: float = 1.0) -> Simulated:
    """Purchases of ``n`` customers up to ``until_day``; ``intensity`` scales every purchase
    rate (the benchmark uses it to reach a number of transactions)."""
    rng = np.random.default_rng(seed)
    kinds = list(KINDS.values())
    kind = rng.choice(len(kinds), size=n, p=[k.share for k in kinds])
    pick = lambda attr: np.array([getattr(k, attr) for k in kinds], dtype=float)[kind]  # noqa: E731
    new, stopped = pick("new").astype(bool), pick("stopped").astype(bool)
    birth = np.where(new, until_day - rng.integers(1, 90, n),
                     until_day - rng.integers(120, HISTORY_DAYS, n))
    end = np.where(stopped, until_day - rng.integers(150, 300, n), until_day)
    end = np.maximum(end, birth)
    window = (end - birth).astype(float)
    # Customers of a kind differ: Gamma-distributed rates and spends around the kind's mean.
    rate = intensity * rng.gamma(2.0, 0.5, n) / pick("every_days")
    keep_buying = rng.geometric(np.clip(pick("leave") * rng.gamma(2.0, 0.5, n), 0.005, 0.9)) - 1
    events = rng.poisson(rate * window)
    kept = np.minimum(events, keep_buying)
    # Event times: `events` uniforms per customer, sorted within the customer; the first
    # `kept` of them are the purchases made before leaving.
    owner = np.repeat(np.arange(n), events)
    when = rng.random(len(owner))
    order = np.lexsort((when, owner))
    owner, when = owner[order], when[order]
    starts = np.cumsum(events) - events
    rank = np.arange(len(owner)) - starts[owner]
    chosen = rank < kept[owner]
    owner, when = owner[chosen], when[chosen]
    repeat_day = birth[owner] + np.floor(when * window[owner]).astype(np.int64)
    customer = np.concatenate([np.arange(n), owner])
    day = np.concatenate([birth, repeat_day]).astype(np.int64)
    mean = rng.gamma(3.0, 1 / 3.0, n) * pick("spend")
    progress = (day - birth[customer]) / max(HISTORY_DAYS, 1)
    trend = np.clip(1.0 + pick("growth")[customer] * progress, 0.2, None)
    amount = np.round(rng.gamma(6.0, 1 / 6.0, len(day)) * mean[customer] * trend + 50, 2)
    cost = np.round(amount * rng.uniform(0.6, 0.8, len(day)), 2)
    return Simulated(customer, day, amount, cost)


def rows(account_ids: np.ndarray, sim: Simulated, source: str, now: str,
         start: int = 0, stop: int | None = None) -> list[tuple]:
    """Rows of ``COLUMNS`` for transactions ``start:stop``."""
    part = slice(start, stop)
    dates = sim.day[part].astype("datetime64[D]").astype(str).tolist()
    return list(zip(account_ids[sim.customer[part]].tolist(), dates,
                    sim.amount[part].tolist(), sim.cost[part].tolist(),
                    [source] * len(dates), [""] * len(dates), [now] * len(dates),
                    strict=True))


def write(account_ids: np.ndarray, sim: Simulated, *, source: str = Transaction.Source.DEMO,
          progress: Callable[[int], None] | None = None) -> int:
    """Insert the simulated transactions in batches (COPY / executemany)."""
    from guanxi.demo.bulk import _write

    table = Transaction._meta.db_table
    now = timezone.now().isoformat()
    for start in range(0, len(sim), BATCH):
        batch = rows(account_ids, sim, source, now, start, start + BATCH)
        with transaction.atomic():
            _write(table, COLUMNS, batch)
        if progress:
            progress(min(start + BATCH, len(sim)))
    return len(sim)


def _customers(limit: int) -> np.ndarray:
    ids = Account.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    return np.fromiter(ids[:limit], dtype=np.int64)


def add(org: DemoOrg, *, say: Callable[[str], None] = lambda _m: None) -> None:
    """Add the analytics demo data once (does nothing if it is there already)."""
    if not Transaction.objects.filter(source=Transaction.Source.DEMO).exists():
        started = time.perf_counter()
        ids = _customers(DEMO_CUSTOMERS)
        if not len(ids):
            return
        today = timezone.localdate()
        sim = simulate(len(ids), (today - EPOCH).days)
        write(ids, sim)
        say(_("  %(n)s purchases of %(c)s customers for the value analysis (%(s).1f s)")
            % {"n": f"{len(sim):,}", "c": f"{len(ids):,}", "s": time.perf_counter() - started})
    if not AnalysisRun.objects.filter(status=AnalysisRun.Status.DONE).exists():
        from guanxi.analytics.services import runs

        started = time.perf_counter()
        run = runs.run_now(None)
        say(_("  customer value analysed: %(n)s customers, equity ¥%(e)s (%(s).1f s)")
            % {"n": f"{run.customers:,}", "e": f"{run.equity:,.0f}",
               "s": time.perf_counter() - started})

