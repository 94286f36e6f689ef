"""The per-customer summary on a hand-made transaction log."""

from __future__ import annotations

import numpy as np
import pytest

from guanxi.analytics.engine.summary import summarize

CUSTOMERS = np.array(["a", "a", "a", "b", "a", "a"])
DATES = np.array(
    ["2025-01-06", "2025-01-06", "2025-01-08", "2025-02-10", "2025-01-20", "2025-03-01"],
    dtype="datetime64[D]",
)  # 6 January 2025 is a Monday; 1 March is after the calibration end
AMOUNTS = np.array([10.0, 5.0, 20.0, 7.0, 30.0, 40.0])
COSTS = np.array([1.0, 1.0, 2.0, 3.0, 3.0, 4.0])
UNTIL = "2025-02-28"


def test_daily_summary_by_hand():
    s = summarize(CUSTOMERS, DATES, AMOUNTS, UNTIL, costs=COSTS, freq="D")
    assert s.customer_ids.tolist() == ["a", "b"]
    assert s.frequency.tolist() == [2, 0]  # two purchases on 6 January count once
    assert s.recency.tolist() == [14, 0]  # 6 → 20 January
    assert s.T.tolist() == [53, 18]
    assert s.monetary_value.tolist() == [25.0, 0.0]  # repeat days: 20 and 30
    assert s.revenue.tolist() == [65.0, 7.0]  # the March purchase is after the end
    assert s.cost.tolist() == [7.0, 3.0]
    assert s.profit.tolist() == [58.0, 4.0]
    assert s.n_transactions.tolist() == [4, 1]
    assert s.first_purchase.astype(str).tolist() == ["2025-01-06", "2025-02-10"]
    assert s.last_purchase.astype(str).tolist() == ["2025-01-20", "2025-02-10"]
    assert s.days_since_last.tolist() == [39, 18]
    assert s.tenure_days.tolist() == [53, 18]


def test_weekly_periods_merge_purchases_in_one_calendar_week():
    s = summarize(CUSTOMERS, DATES, AMOUNTS, UNTIL, freq="W")
    assert s.frequency.tolist() == [1, 0]  # 6 and 8 January are one week
    assert s.recency.tolist() == [2, 0]
    assert s.T.tolist() == [7, 2]  # week of 24 February holds the end
    assert s.monetary_value.tolist() == [30.0, 0.0]


def test_days_counted_and_times_in_weeks():
    s = summarize(CUSTOMERS, DATES, AMOUNTS, UNTIL, freq="D", unit="W")
    assert s.frequency.tolist() == [2, 0]
    assert s.recency.tolist() == [2.0, 0.0]
    assert s.T[0] == pytest.approx(53 / 7)


def test_day_numbers_and_integer_ids_work_too():
    days = DATES.astype(np.int64)
    s = summarize(np.array([2, 2, 2, 1, 2, 2]), days, AMOUNTS, int(days[3]) + 18, freq="D")
    assert s.customer_ids.tolist() == [1, 2]
    assert s.frequency.tolist() == [0, 2]


def test_nothing_before_the_end_gives_an_empty_summary():
    s = summarize(CUSTOMERS, DATES, AMOUNTS, "2024-12-31")
    assert len(s) == 0 and s.frequency.shape == (0,)
