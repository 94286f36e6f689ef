"""RFM, ABC, clustering, lifecycle, value matrix and churn on small hand-made tables."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from guanxi.analytics.engine import abc, churn, lifecycle, rfm, valuematrix
from guanxi.analytics.engine.cluster import CLUSTER_LABELS, cluster_customers


def test_rfm_scores_codes_and_segments_by_hand():
    result = rfm.rfm_scores(
        recency_days=np.array([5, 100, 30, 3, 365]),
        frequency=np.array([10, 1, 1, 4, 0]),
        monetary=np.array([500, 20, 80, 200, 10]),
    )
    assert result.r.tolist() == [4, 2, 3, 5, 1]  # 3 days ago is the most recent
    assert result.f.tolist() == [5, 3, 3, 4, 1]  # the two single buyers tie at rank 2.5
    assert result.m.tolist() == [5, 2, 3, 4, 1]
    assert result.codes.tolist() == ["455", "232", "333", "544", "111"]
    assert result.segments.tolist() == ["loyal", "at_risk", "need_attention", "champions", "lost"]


def test_quintiles_on_ten_values_and_on_ties():
    assert rfm.quintile_scores(np.arange(10)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert rfm.quintile_scores(np.full(7, 2.0)).tolist() == [3] * 7


def test_every_cell_of_the_default_grid_has_a_named_segment():
    grid = rfm.segment_grid(rfm.DEFAULT_SEGMENT_MAP)
    assert set(grid.ravel()) == set(rfm.SEGMENT_LABELS)


def test_a_custom_segment_map():
    result = rfm.rfm_scores(
        np.array([1, 2, 3, 4, 5]), np.array([5, 4, 3, 2, 1]), np.ones(5),
        segment_map={"fresh": r"[4-5].", "stale": r"[1-2]."},
    )
    assert result.segments.tolist() == ["fresh", "fresh", "other", "stale", "stale"]


def test_abc_classes_by_hand():
    result = abc.abc_classes(np.array([50, 30, 10, 5, 3, 2, 0, -4.0]))
    # Cumulative shares 50%, 80%, 90%, 95%, 98%, 100%: the customer reaching 80% is A.
    assert result.classes.tolist() == ["A", "A", "B", "B", "C", "C", "C", "C"]
    assert result.rank.tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert result.top20_share == pytest.approx(0.8)  # the top 2 of 8 customers
    assert result.counts == {"A": 2, "B": 2, "C": 4}
    assert result.shares["B"] == pytest.approx(0.15)


def test_abc_in_any_order_and_with_other_thresholds():
    values = np.array([3.0, 50, 5, 30, 10, 2])
    result = abc.abc_classes(values, a=0.5, b=0.9)
    assert result.classes.tolist() == ["C", "A", "C", "B", "B", "C"]
    assert result.rank.tolist() == [5, 1, 4, 2, 3, 6]


def test_top_share_of_a_loss_making_base_counts_only_the_positive():
    assert abc.top_share(np.array([-5.0, -1.0])) == 0.0
    assert abc.top_share(np.array([10.0, 10.0, 10.0, 10.0, 10.0])) == pytest.approx(0.2)


def test_clustering_finds_planted_groups_and_describes_them():
    rng = np.random.default_rng(0)
    planted = rng.integers(0, 3, 3000)
    noise = lambda: rng.lognormal(0, 0.15, 3000)  # noqa: E731
    features = {
        "recency": np.array([10, 300, 20])[planted] * noise(),
        "frequency": np.array([20, 2, 1])[planted] * noise(),
        "monetary": np.array([30, 300, 40])[planted] * noise(),
        "tenure": np.array([700, 800, 60])[planted] * noise(),
    }
    result = cluster_customers(features, k_range=(2, 6))
    assert result.k == 3
    assert adjusted_rand_score(planted, result.labels) == pytest.approx(1.0)
    by_size = {c.key: c for c in result.clusters}
    lapsed = by_size[next(k for k in by_size if k.startswith("lapsed"))]
    assert lapsed.key.endswith("-big") and lapsed.label == CLUSTER_LABELS[lapsed.key]
    assert lapsed.centroid["monetary"] == pytest.approx(300, rel=0.1)
    assert "active-frequent-small" in by_size
    assert sum(c.size for c in result.clusters) == 3000


def test_lifecycle_stages_by_hand():
    stages = lifecycle.lifecycle_stages(
        tenure_days=np.array([30, 300, 800, 800, 900, 800]),
        n_transactions=np.array([1, 5, 20, 20, 1, 12]),
        days_since_last=np.array([30, 20, 10, 20, 700, 15]),
        spend_ratio=np.array([np.inf, 2.0, 1.0, 0.3, 0.0, 1.6]),
        p_alive=np.array([1.0, 0.9, 0.95, 0.9, 1.0, 0.9]),
    )
    assert stages.tolist() == [
        "exploration",  # new, one purchase
        "development",  # under a year, growing
        "stable",  # established, steady spend
        "decline",  # spend fell to 30% of the half-year before
        "decline",  # bought once, long ago (P(alive) of 1 does not save them)
        "development",  # established but spending 60% more
    ]
    assert set(lifecycle.STAGE_STRATEGIES) == set(lifecycle.STAGES)


def test_trend_splits_spend_into_two_windows():
    result = lifecycle.trend(
        customer_index=np.array([0, 0, 0, 1, 1]),
        days=np.array([1000, 900, 700, 990, 400]),
        amounts=np.array([10.0, 20.0, 40.0, 5.0, 99.0]),
        until_day=1000,
        n_customers=3,
        window_days=180,
    )
    assert result.recent_spend.tolist() == [30.0, 5.0, 0.0]  # days 1000 and 900
    assert result.earlier_spend.tolist() == [40.0, 0.0, 0.0]  # day 700; 400 is too old
    assert result.recent_count.tolist() == [2, 1, 0]
    ratio = result.spend_ratio
    assert ratio[0] == pytest.approx(0.75) and np.isposinf(ratio[1]) and np.isnan(ratio[2])


def test_value_matrix_by_hand():
    nan = np.nan
    result = valuematrix.value_matrix(
        recency_days=np.array([5, 400, 60, 20]),
        frequency=np.array([30, 2, 8, 10]),
        monetary=np.array([20, 500, 100, 300]),
        spend_ratio=np.array([2.0, 0.1, 1.0, 3.0]),
        answers={
            "risk": np.array([2, nan, 1, 5]),
            "products": np.array([5, nan, 2, 3]),
            "service": np.array([2, nan, 2, 5]),
            "rebuy": np.array([5, nan, 3, 5]),
            "recommend": np.array([2, nan, 1, 5]),
        },
    )
    assert result.types.tolist() == ["practical", "nostalgic", "calculating", "perfectionist"]
    assert result.time.tolist() == ["present", "past", "past", "future"]
    # The lapsed big spender without answers: past 1.0 (lapsed and shrinking), present 0.
    np.testing.assert_allclose(result.time_scores[1], [1.0, 0.0, 0.0])
    assert set(valuematrix.TYPE_APPROACHES) == set(valuematrix.TYPE_LABELS)


def test_value_matrix_without_any_answers_uses_behaviour():
    result = valuematrix.value_matrix(
        recency_days=np.array([1, 500]), frequency=np.array([9, 1]),
        monetary=np.array([10, 900]), spend_ratio=np.array([np.nan, np.nan]),
    )
    assert result.types.tolist() == ["practical", "nostalgic"]


def test_supervised_churn_model_scores_held_out_customers():
    rng = np.random.default_rng(0)
    n = 3000
    recency = rng.exponential(120, n)
    frequency = rng.poisson(4, n).astype(float)
    monetary = rng.gamma(2, 50, n)
    churned = rng.random(n) < 1 / (1 + np.exp(-(recency / 60 - 2 - 0.3 * frequency)))
    features = np.column_stack([recency, frequency, monetary])
    for method in ("logistic", "boosting"):
        model = churn.fit_churn_model(features, churned, method=method,
                                      feature_names=("recency", "frequency", "monetary"))
        assert model.roc_auc > 0.75
        assert model.n_test == 750
        risk = churn.predict_churn(model, np.array([[5.0, 10, 100], [600.0, 0, 100]]))
        assert risk[0] < 0.5 < risk[1]


def test_churn_model_needs_both_outcomes():
    with pytest.raises(ValueError, match="churned and retained"):
        churn.fit_churn_model(np.ones((50, 2)), np.zeros(50, dtype=bool))


def test_valuable_customers_at_risk():
    value = np.array([100.0, 50.0, 200.0, 10.0, 300.0])
    risk = churn.risk_from_p_alive(np.array([0.1, 0.4, 0.6, 0.01, 0.45]))
    assert risk.tolist() == pytest.approx([0.9, 0.6, 0.4, 0.99, 0.55])
    # 300 × 0.55 = 165 ahead of 100 × 0.9 = 90; 200 is below the risk line.
    assert churn.valuable_at_risk(value, risk, top=3).tolist() == [4, 0, 1]
