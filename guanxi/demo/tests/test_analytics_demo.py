"""The demo purchase history: repeat buying of every kind, added once, analysed at once."""

from __future__ import annotations

import numpy as np
import pytest

from guanxi.analytics.models import AnalysisRun, CustomerMetrics, Transaction
from guanxi.demo import analytics as demo

pytestmark = pytest.mark.django_db


def test_simulated_customers_buy_again_leave_and_start():
    sim = demo.simulate(3000, 20_000, seed=1)
    per_customer = np.bincount(sim.customer, minlength=3000)
    assert per_customer.min() == 1  # everyone bought once …
    assert (per_customer == 1).mean() > 0.05 and (per_customer >= 10).mean() > 0.05
    assert sim.day.max() <= 20_000 and sim.day.min() >= 20_000 - demo.HISTORY_DAYS
    margin = 1 - sim.cost / sim.amount
    assert margin.min() >= 0.19 and margin.max() <= 0.41
    # A higher intensity means more repeat purchases.
    assert len(demo.simulate(3000, 20_000, seed=1, intensity=2.0)) > 1.5 * len(sim)


def test_demo_adds_purchases_once_and_runs_the_analysis(org, make_account):
    for n in range(40):
        make_account(by=org.rep, name=f"演示客户{n}号有限公司")
    demo.add(None)
    count = Transaction.objects.count()
    assert count > 40
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.DONE and run.customers == 40
    assert CustomerMetrics.objects.filter(run=run).values("segment").distinct().count() > 2
    demo.add(None)
    assert Transaction.objects.count() == count and AnalysisRun.objects.count() == 1
