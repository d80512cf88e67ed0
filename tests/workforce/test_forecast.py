"""Forecast: backtest on the shared bank data, structure, holidays, edge cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.workforce.forecast import (
    ForecastConfig,
    History,
    backtest,
    forecast,
    forecast_history,
    history_from_rows,
    korean_holidays,
    seasonal_naive,
    wape,
)
from cxops.workforce.series import IntervalValue, read_interval_csv

BANK = Path(__file__).resolve().parents[3] / "shared" / "data" / "callcenter" / "anonymous_bank_1999-02_halfhour.csv"


@pytest.fixture(scope="module")
def bank() -> History:
    return history_from_rows(read_interval_csv(BANK, ("offered",)), 30)


def test_bank_history_shape(bank: History) -> None:
    assert bank.values.shape == (21, 48)
    assert bank.start == dt.date(1999, 2, 1)


def test_backtest_week3_beats_seasonal_naive_by_12_percent(bank: History) -> None:
    # train on weeks 1–2, forecast week 3: honest, no look-ahead
    result = backtest(bank, test_days=7)
    assert result.train_days == 14
    assert result.wape < 0.88 * result.wape_seasonal_naive
    assert result.improvement > 0.12


def test_pooling_and_smoothing_help_over_plain_weighting(bank: History) -> None:
    full = backtest(bank, test_days=7)
    plain = backtest(bank, test_days=7, config=ForecastConfig(pool=False, smooth=False))
    assert full.wape < plain.wape


def test_coarser_intervals(bank: History) -> None:
    rows = read_interval_csv(BANK, ("offered",))
    hourly = history_from_rows(rows, 60)
    assert hourly.values.shape == (21, 24)
    assert hourly.values.sum() == bank.values.sum()
    assert backtest(hourly).improvement > 0.12
    with pytest.raises(ValueError, match="60"):
        history_from_rows([IntervalValue(r.date, r.interval_start, r.value) for r in rows
                           if r.interval_start.minute == 0], 30)


def test_forecast_points_follow_the_history(bank: History) -> None:
    rows = read_interval_csv(BANK, ("offered",))
    points = forecast(rows, interval_min=30, horizon_days=7)
    assert len(points) == 7 * 48
    assert points[0].date == dt.date(1999, 2, 22) and points[0].interval_start == dt.time(0, 0)
    assert points[-1].date == dt.date(1999, 2, 28) and points[-1].interval_start == dt.time(23, 30)
    daily = np.array([p.forecast for p in points]).reshape(7, 48).sum(axis=1)
    # learnt weekend: Friday and Saturday are the quiet days of this Israeli bank
    assert set(np.argsort(daily)[:2]) == {4, 5}
    assert all(p.forecast >= 0 for p in points)


def test_weekday_levels_are_learnt_not_hard_coded() -> None:
    # a synthetic centre whose quiet days are Sat/Sun, starting on a Wednesday
    start = dt.date(2024, 1, 3)
    days = 28
    rng = np.random.default_rng(7)
    shape = np.exp(-((np.arange(48) - 26) ** 2) / 60)
    values = np.array([
        rng.poisson((120 if (start + dt.timedelta(days=d)).weekday() >= 5 else 900) * shape / shape.sum())
        for d in range(days)
    ]).astype(float)
    hist = History(start, 30, values)
    fc = forecast_history(hist, horizon_days=7)
    future = [start + dt.timedelta(days=days + i) for i in range(7)]
    quiet = {future[i].weekday() for i in np.argsort(fc.sum(axis=1))[:2]}
    assert quiet == {5, 6}
    result = backtest(hist)
    assert result.improvement > 0.12  # Poisson noise: averaging weeks beats last week


def test_korean_holidays_as_day_type() -> None:
    kr = korean_holidays([2024])
    assert dt.date(2024, 2, 10) in kr and dt.date(2024, 9, 17) in kr  # 설날, 추석
    start = dt.date(2024, 1, 1)
    values = np.full((35, 24), 10.0)
    for d in range(35):
        if start + dt.timedelta(days=d) == dt.date(2024, 1, 1):  # 신정: quiet
            values[d] = 1.0
    hist = History(start, 60, values)
    fc = forecast_history(hist, horizon_days=3, holidays=kr | {dt.date(2024, 2, 6)})
    # 2024-02-05 (Mon) normal, 2024-02-06 declared holiday, learnt from 1 January
    assert fc[0].sum() == pytest.approx(240.0, rel=0.05)
    assert fc[1].sum() == pytest.approx(24.0, rel=0.05)


def test_future_holiday_without_history_uses_quietest_day() -> None:
    start = dt.date(2024, 3, 4)  # Monday
    values = np.array([[50.0 if d % 7 != 6 else 5.0] * 24 for d in range(14)])
    fc = forecast_history(History(start, 60, values), horizon_days=1, holidays={dt.date(2024, 3, 18)})
    assert fc[0].sum() == pytest.approx(120.0)


def test_errors_and_seasonal_naive() -> None:
    hist = History(dt.date(2024, 1, 1), 60, np.ones((6, 24)))
    with pytest.raises(ValueError):
        seasonal_naive(hist, horizon_days=7)
    with pytest.raises(ValueError):
        backtest(hist)
    with pytest.raises(ValueError):
        wape(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError):
        history_from_rows([], 30)
    with pytest.raises(ValueError):
        history_from_rows([IntervalValue(dt.date(2024, 1, 1), dt.time(0, 0), 1.0)], 7)
    week = History(dt.date(2024, 1, 1), 60, np.arange(7 * 24, dtype=float).reshape(7, 24))
    assert np.array_equal(seasonal_naive(week, horizon_days=8)[7], week.values[0])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=7 * 4, max_size=7 * 4 * 3), st.sampled_from([1, 7, 10]))
def test_forecast_is_finite_and_non_negative(counts: list[int], horizon: int) -> None:
    days = len(counts) // 4
    values = np.array(counts[: days * 4], dtype=float).reshape(days, 4)
    fc = forecast_history(History(dt.date(2024, 1, 1), 360, values), horizon_days=horizon)
    assert fc.shape == (horizon, 4)
    assert np.all(np.isfinite(fc)) and np.all(fc >= 0)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.5, 500), st.integers(7, 30), st.sampled_from([15, 30, 60]), st.floats(0.5, 10))
def test_constant_history_is_a_fixed_point(rate: float, days: int, interval_min: int, half_life: float) -> None:
    per_day = 1440 // interval_min
    hist = History(dt.date(2024, 1, 1), interval_min, np.full((days, per_day), rate))
    fc = forecast_history(hist, horizon_days=9, config=ForecastConfig(half_life_weeks=half_life))
    assert np.allclose(fc, rate, rtol=1e-9)
