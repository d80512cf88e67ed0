from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.insights.trendmath import TrendParams, compute, explain, is_alert


def _steady(k: int = 3, t: int = 20, base: float = 10.0, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    counts = rng.poisson(base, size=(k, t)).astype(float)
    totals = counts.sum(axis=0) + rng.poisson(base, size=t)
    return counts, totals


def test_spike_scores_high_and_steady_periods_low():
    counts, totals = _steady()
    counts[1, -1] += 40
    totals[-1] += 40
    result = compute(counts, totals)
    assert result.score[1, -1] > 5
    assert np.all(np.abs(result.score[:, 5:-1]) < 4)
    assert np.isnan(result.expected[0, 0]) and result.score[0, 0] == 0


def test_total_volume_rise_is_not_a_spike_of_one_key():
    counts, totals = _steady(base=20)
    # Everything doubles in the last period: every key's share is unchanged.
    counts[:, -1] *= 2
    totals[-1] *= 2
    result = compute(counts, totals)
    assert np.all(result.score[:, -1] < 3)
    assert result.volume_ratio[-1] > 1.6
    assert np.all(result.expected[:, -1] > 30)


def test_sustained_rise_seen_over_several_periods():
    counts, totals = _steady(base=30, seed=3)
    counts[0, -3:] += 25  # +80% for three periods: each modest, together clear
    totals[-3:] += 25
    result = compute(counts, totals, params=TrendParams(sustained=3))
    assert result.sustained[0, -1] > result.score[0, -1]
    assert result.sustained[0, -1] > 3


def test_weekday_pattern_is_expected():
    days = 70
    weekdays = np.arange(days) % 7
    totals = np.where(weekdays == 0, 200.0, 100.0)
    # Key 0 is a Monday reason: 60 of 200 on Mondays, 10 of 100 otherwise.
    counts = np.vstack([np.where(weekdays == 0, 60.0, 10.0), np.where(weekdays == 0, 140.0, 90.0)])
    result = compute(counts, totals, weekdays=weekdays, params=TrendParams(window=28))
    monday = days - 7
    assert abs(result.expected[0, monday] - 60) < 8
    assert result.score[0, monday] < 2
    plain = compute(counts, totals, params=TrendParams(window=28))
    assert plain.score[0, monday] > result.score[0, monday]


def test_baseline_mean_and_std():
    counts = np.array([[8.0, 10, 12, 8, 10, 12, 8, 10, 40]])
    totals = counts[0] * 3
    result = compute(counts, totals)
    assert round(result.base_mean[0, -1]) == 10
    assert 1 < result.base_std[0, -1] < 3


def test_alert_rule_and_explanation():
    assert is_alert(42, 8.0, 0.0, min_count=10, min_score=3)
    assert not is_alert(5, 8.0, 0.0, min_count=10, min_score=3)
    assert is_alert(20, 1.0, 3.5, min_count=10, min_score=3)
    text = explain("상품 X 배송 지연", "불만", 42, 9.2, 3.1, 10.4, 1.0, "주")
    assert text.startswith("상품 X 배송 지연 불만: 이번 주 42건, 평소 9±3건")
    assert "전체 문의량" in explain("배송 지연", "", 30, 15, 3, 28, 1.9, "주")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 40), st.integers(0, 1000))
def test_shapes_and_finiteness(k, t, seed):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rng.uniform(0, 30), size=(k, t)).astype(float)
    totals = counts.sum(axis=0) + rng.poisson(3, size=t)
    result = compute(counts, totals, weekdays=np.arange(t) % 7 if seed % 2 else None)
    for matrix in (result.score, result.sustained, result.share, result.base_mean, result.base_std):
        assert matrix.shape == (k, t)
        assert np.all(np.isfinite(matrix))
    assert np.all((result.share >= 0) & (result.share <= 1))


def test_no_history_means_no_expectation():
    counts = np.array([[0.0] * 10 + [9.0]])
    totals = np.array([0.0] * 10 + [18.0])
    result = compute(counts, totals)
    assert np.isnan(result.expected[0, -1]) and result.score[0, -1] == 0
