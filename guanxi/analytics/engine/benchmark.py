"""Timing of the whole engine on synthetic data: ``python -m guanxi.analytics.engine.benchmark
[customers] [transactions]`` (default 1,000,000 and 10,000,000). Not a test: it prints the
seconds each step takes."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from guanxi.analytics.engine import (
    abc,
    bgnbd,
    churn,
    clv,
    gammagamma,
    lifecycle,
    paretonbd,
    rfm,
    valuematrix,
)
from guanxi.analytics.engine.cluster import cluster_customers
from guanxi.analytics.engine.summary import summarize

START = np.datetime64("2024-01-01")
SPAN_DAYS = 730


def synthetic_transactions(
    n_customers: int, n_transactions: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Customer index, dates, amounts and costs of a shop over two years, drawn from the
    Pareto/NBD story: first purchases spread over the period; each customer buys at a
    gamma-distributed rate until an exponential lifetime ends; gamma-gamma spend. Rates are
    scaled so the total is close to ``n_transactions``."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, SPAN_DAYS, n_customers)
    observed = SPAN_DAYS - first
    rate = rng.gamma(0.8, 1.0, n_customers)
    lifetime = rng.exponential(1.0 / rng.gamma(0.7, 1.0 / 300.0, n_customers))
    active = np.minimum(lifetime, observed)
    rate *= (n_transactions - n_customers) / float(rate @ active)
    counts = 1 + rng.poisson(rate * active)
    customer = np.repeat(np.arange(n_customers), counts)
    offsets = rng.random(len(customer)) * active[customer]
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    offsets[starts] = 0.0  # each customer's first purchase opens their history
    days = first[customer] + offsets.astype(np.int64)
    scale = 1.0 / rng.gamma(4.0, 1.0 / 60.0, n_customers)  # per-customer mean spend level
    amounts = rng.gamma(3.0, 1.0, len(customer)) * scale[customer]
    costs = amounts * rng.uniform(0.4, 0.8, len(customer))
    return customer, START + days, amounts, costs


def run(
    n_customers: int = 1_000_000, n_transactions: int = 10_000_000
) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds per step of a full analysis run. On a machine other work keeps
    busy, the CPU seconds of this process are the better guide to the time on a quiet one."""
    times: dict[str, tuple[float, float]] = {}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return result

    customer, dates, amounts, costs = timed(
        "generate data", lambda: synthetic_transactions(n_customers, n_transactions)
    )
    until = START + SPAN_DAYS
    s = timed("summary", lambda: summarize(
        customer, dates, amounts, until, costs=costs, freq="D", unit="W"
    ))
    x, t_x, T, m = s.frequency, s.recency, s.T, s.monetary_value
    bg = timed("BG/NBD fit", lambda: bgnbd.fit(x, t_x, T))
    gg = timed("Gamma-Gamma fit", lambda: gammagamma.fit(x, m))
    timed("Pareto/NBD fit", lambda: paretonbd.fit(x, t_x, T))
    alive = timed("P(alive)", lambda: bgnbd.probability_alive(bg, x, t_x, T))
    spend = gammagamma.conditional_expected_spend(gg, x, m)
    value = timed("CLV 12 months", lambda: clv.customer_lifetime_value(bg, x, t_x, T, spend))
    timed("RFM", lambda: rfm.rfm_scores(s.days_since_last, x, s.revenue))
    timed("ABC revenue + profit", lambda: (abc.abc_classes(s.revenue), abc.abc_classes(s.profit)))
    features = {
        "recency": s.days_since_last, "frequency": x, "monetary": m, "tenure": s.tenure_days,
    }
    timed("clustering", lambda: cluster_customers(features))
    until_day = int(until.astype(np.int64))
    trend = timed("trend", lambda: lifecycle.trend(
        np.searchsorted(s.customer_ids, customer), dates.astype(np.int64), amounts,
        until_day, len(s),
    ))
    ratio = trend.spend_ratio
    timed("lifecycle", lambda: lifecycle.lifecycle_stages(
        s.tenure_days, s.n_transactions, s.days_since_last, ratio, alive
    ))
    timed("value matrix", lambda: valuematrix.value_matrix(
        recency_days=s.days_since_last, frequency=x, monetary=m, spend_ratio=ratio
    ))
    risk = churn.risk_from_p_alive(alive)
    timed("valuable at risk", lambda: churn.valuable_at_risk(value, risk))
    churned = (s.days_since_last > 180) & (alive < 0.5)  # a stand-in for observed outcomes
    sample = np.random.default_rng(1).choice(len(s), min(len(s), 200_000), replace=False)
    feats = np.column_stack([s.days_since_last, x, m, s.tenure_days])
    model = timed("churn model (200k sample)", lambda: churn.fit_churn_model(
        feats[sample], churned[sample], method="boosting"
    ))
    timed("churn scores", lambda: churn.predict_churn(model, feats))
    steps = [v for k, v in times.items() if k != "generate data"]
    times["total without data generation"] = (
        sum(wall for wall, _ in steps), sum(cpu for _, cpu in steps)
    )
    return times


def main(argv: list[str]) -> None:
    n_customers = int(argv[1]) if len(argv) > 1 else 1_000_000
    n_transactions = int(argv[2]) if len(argv) > 2 else 10 * n_customers
    print(f"{'step':<32}{'wall':>8}  {'CPU':>8}")  # noqa: T201
    for name, (wall, cpu) in run(n_customers, n_transactions).items():
        print(f"{name:<32}{wall:8.2f}  {cpu:8.2f}")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv)
