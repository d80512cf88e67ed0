"""Arrivals per interval: a day-level × intraday-profile forecast with empirical-Bayes pooling.

Pure module (numpy, no Django). Input: a history of offered volume per interval (columns ``date``,
``interval_start``, ``offered``; the format of ``shared/data/callcenter/``). Output: one value per
interval for the days after the history ends.

Method (every step has a reason, none is fitted to a particular week):

1. **Day types.** Each history day belongs to its weekday, or to the *holiday* type when it is in
   the optional holiday set (e.g. ``holidays.KR``). Weekday effects are learnt from the data, not
   hard-coded: the Israeli bank data has its weekend on Friday/Saturday, a Korean centre on
   Saturday/Sunday.
2. **Recency weights.** A day that is ``a`` whole weeks older than the last history day weighs
   ``0.5 ** (a / half_life_weeks)`` (default half-life 3 weeks: recent weeks count more, older
   weeks are not thrown away).
3. **Day level.** Per day type, the weighted mean of daily totals. The log-levels are then shrunk
   (empirical Bayes / James–Stein) towards the mean of their *cluster of similar days*: day types
   whose levels are within a factor ``similar_day_ratio`` (1.5) of a neighbour form one cluster
   (here Sun–Thu, then Fri and Sat on their own). The shrinkage factor ``B = s² / (s² + τ²)``
   compares the week-to-week noise of a day's level (``s²``, pooled from the residuals) with the
   real spread between the day types of the cluster (``τ²``, its excess variance). With a single
   week of history there is no noise estimate, and nothing is shrunk.
4. **Intraday profile.** Per day type, the weighted share of each interval. It is pooled with the
   profile of its cluster, again by empirical Bayes: the multinomial noise of a profile estimated
   from ``V`` calls (``Σ p(1−p)/V``) against the excess squared distance from the cluster profile.
   Finally the profile is smoothed with a (¼, ½, ¼) kernel across neighbouring intervals (arrival
   rates change smoothly; the counts carry Poisson noise).
5. **Forecast** = level × profile for the day type of each future day. Zeros are fine everywhere
   (levels use ``log(max(total, 1))``); a day type never seen falls back to all days pooled, a
   future holiday without holiday history to the quietest day type.

Accuracy is measured with WAPE ``Σ|F − A| / Σ A`` against the seasonal-naive forecast (same
interval, same weekday, one week earlier); :func:`backtest` holds back the last week(s) of a
history and reports both.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cxops.workforce.series import IntervalValue

__all__ = [
    "BacktestResult",
    "ForecastConfig",
    "ForecastPoint",
    "History",
    "backtest",
    "forecast",
    "forecast_history",
    "history_from_rows",
    "korean_holidays",
    "seasonal_naive",
    "wape",
]

HOLIDAY = 7  # day type index after Monday..Sunday (0..6)


@dataclass(frozen=True, slots=True)
class ForecastConfig:
    half_life_weeks: float = 3.0
    similar_day_ratio: float = 1.5
    smooth: bool = True
    pool: bool = True

    def __post_init__(self) -> None:
        if self.half_life_weeks <= 0:
            raise ValueError("half_life_weeks must be > 0")
        if self.similar_day_ratio < 1:
            raise ValueError("similar_day_ratio must be >= 1")


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    date: dt.date
    interval_start: dt.time
    forecast: float

    def as_dict(self) -> dict[str, str | float]:
        return {
            "date": self.date.isoformat(),
            "interval_start": f"{self.interval_start:%H:%M}",
            "forecast": round(self.forecast, 3),
        }


@dataclass(frozen=True, slots=True)
class History:
    """Consecutive days × intervals of offered volume (missing intervals and days are zeros)."""

    start: dt.date
    interval_min: int
    values: np.ndarray  # shape (days, intervals_per_day)

    @property
    def days(self) -> int:
        return int(self.values.shape[0])

    @property
    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def head(self, days: int) -> History:
        return History(self.start, self.interval_min, self.values[:days])


def _per_day(interval_min: int) -> int:
    if interval_min <= 0 or 1440 % interval_min:
        raise ValueError(f"interval_min must divide a day (15, 30, 60…): {interval_min}")
    return 1440 // interval_min


def history_from_rows(rows: Sequence[IntervalValue], interval_min: int) -> History:
    """Arrange rows on a day × interval grid; finer rows are summed into ``interval_min`` buckets."""
    per_day = _per_day(interval_min)
    if not rows:
        raise ValueError("history is empty")
    minutes = {r.interval_start.hour * 60 + r.interval_start.minute for r in rows}
    grid = math.gcd(1440, *minutes)
    if len(minutes) > 1 and grid > interval_min:
        raise ValueError(
            f"이력은 {grid}분 단위입니다: --interval-min {grid} 이상을 쓰세요 "
            f"(history is in {grid}-minute intervals; it cannot be split into {interval_min}-minute ones)"
        )
    first = min(r.date for r in rows)
    last = max(r.date for r in rows)
    values = np.zeros(((last - first).days + 1, per_day))
    for r in rows:
        minute = r.interval_start.hour * 60 + r.interval_start.minute
        values[(r.date - first).days, minute // interval_min] += r.value
    return History(first, interval_min, values)


def korean_holidays(years: Collection[int]) -> set[dt.date]:
    """Korean public holidays (lunar and substitute holidays included) for ``years``."""
    from cxops.sla.calendar import korean_holidays as named

    return set(named(years))


def _day_types(dates: Sequence[dt.date], holiday_set: Collection[dt.date]) -> np.ndarray:
    return np.array([HOLIDAY if d in holiday_set else d.weekday() for d in dates])


def _clusters(log_levels: dict[int, float], ratio: float) -> dict[int, int]:
    """Single-linkage clusters of day types on the log-level axis (gap > log(ratio) splits)."""
    order = sorted(log_levels, key=lambda k: log_levels[k])
    label: dict[int, int] = {}
    current = 0
    gap = math.log(ratio)
    for i, key in enumerate(order):
        if i and log_levels[key] - log_levels[order[i - 1]] > gap:
            current += 1
        label[key] = current
    return label


def _shrink_levels(
    log_level: dict[int, float], weights: dict[int, np.ndarray], residuals: list[float], dof: int,
    clusters: dict[int, int],
) -> dict[int, float]:
    if dof <= 0:
        return dict(log_level)
    sigma2 = float(np.sum(np.square(residuals))) / dof  # week-to-week variance of a log day total
    result = dict(log_level)
    for label in set(clusters.values()):
        members = [k for k in log_level if clusters[k] == label]
        if len(members) < 2:
            continue
        # standard error of each member's mean: σ² Σw² / (Σw)²
        se2 = {k: sigma2 * float(np.sum(weights[k] ** 2) / np.sum(weights[k]) ** 2) for k in members}
        values = np.array([log_level[k] for k in members])
        mean = float(values.mean())
        tau2 = max(float(values.var(ddof=1)) - float(np.mean(list(se2.values()))), 0.0)
        for k in members:
            shrink = se2[k] / (se2[k] + tau2) if se2[k] + tau2 > 0 else 0.0
            result[k] = mean + (1.0 - shrink) * (log_level[k] - mean)
    return result


def _smooth(profile: np.ndarray) -> np.ndarray:
    padded = np.concatenate([profile[-1:], profile, profile[:1]])
    out = 0.25 * padded[:-2] + 0.5 * padded[1:-1] + 0.25 * padded[2:]
    total = out.sum()
    return out / total if total > 0 else out


@dataclass(frozen=True, slots=True)
class _Model:
    level: dict[int, float]
    profile: dict[int, np.ndarray]
    fallback_level: float
    fallback_profile: np.ndarray


def _fit(history: History, holiday_set: Collection[dt.date], config: ForecastConfig) -> _Model:
    y = history.values
    per_day = y.shape[1]
    dates = history.dates
    types = _day_types(dates, holiday_set)
    ages = np.array([(history.days - 1 - i) // 7 for i in range(history.days)], dtype=float)
    w = 0.5 ** (ages / config.half_life_weeks)
    totals = y.sum(axis=1)
    logs = np.log(np.maximum(totals, 1.0))

    present = sorted({int(t) for t in types})
    weights = {k: w[types == k] for k in present}
    level = {k: float(np.dot(weights[k], totals[types == k]) / weights[k].sum()) for k in present}
    log_level = {k: float(np.dot(weights[k], logs[types == k]) / weights[k].sum()) for k in present}
    residuals: list[float] = []
    dof = 0
    for k in present:
        member_logs = logs[types == k]
        residuals.extend(float(x) for x in member_logs - log_level[k])
        dof += len(member_logs) - 1
    clusters = _clusters(log_level, config.similar_day_ratio)
    if config.pool:
        shrunk = _shrink_levels(log_level, weights, residuals, dof, clusters)
        # shrink on the log scale, keep each type's arithmetic/geometric ratio (no log bias)
        level = {k: level[k] * math.exp(shrunk[k] - log_level[k]) for k in present}

    counts = {k: (w[types == k, None] * y[types == k]).sum(axis=0) for k in present}
    profile: dict[int, np.ndarray] = {}
    for k in present:
        total = counts[k].sum()
        own = counts[k] / total if total > 0 else np.full(per_day, 1.0 / per_day)
        if config.pool:
            members = [j for j in present if clusters[j] == clusters[k]]
            pooled_counts = np.sum([counts[j] for j in members], axis=0)
            if len(members) > 1 and pooled_counts.sum() > 0 and total > 0:
                pooled = pooled_counts / pooled_counts.sum()
                # effective number of calls behind the weighted profile
                wk = weights[k]
                tk = totals[types == k]
                v_eff = float(np.dot(wk, tk) ** 2 / max(np.dot(wk**2, tk), 1e-12))
                noise = float(np.sum(pooled * (1.0 - pooled))) / max(v_eff, 1.0)
                excess = max(float(np.sum((own - pooled) ** 2)) - noise, 0.0)
                shrink = noise / (noise + excess) if noise + excess > 0 else 1.0
                own = shrink * pooled + (1.0 - shrink) * own
        profile[k] = _smooth(own) if config.smooth else own

    all_counts = (w[:, None] * y).sum(axis=0)
    fallback_profile = all_counts / all_counts.sum() if all_counts.sum() > 0 else np.full(per_day, 1.0 / per_day)
    if config.smooth:
        fallback_profile = _smooth(fallback_profile)
    fallback_level = float(np.dot(w, totals) / w.sum())
    if HOLIDAY not in level and present:
        quiet = min((k for k in present if k != HOLIDAY), key=lambda k: level[k])
        level[HOLIDAY], profile[HOLIDAY] = level[quiet], profile[quiet]
    return _Model(level, profile, fallback_level, fallback_profile)


def forecast_history(
    history: History,
    *,
    horizon_days: int,
    holidays: Collection[dt.date] = (),
    config: ForecastConfig | None = None,
    uplifts: Mapping[dt.date, float] | None = None,
) -> np.ndarray:
    """Forecast matrix (horizon_days × intervals) for the days after ``history``.

    ``uplifts`` multiplies the forecast of known event days (a promotion, a marketing push: e.g.
    ``cxops.collaboration.selectors.forecast_uplifts``, from the change calendar's expected impact).
    """
    if uplifts and any(not (math.isfinite(f) and f > 0) for f in uplifts.values()):
        raise ValueError("uplift factors must be positive numbers")
    if horizon_days < 1:
        raise ValueError("horizon_days must be >= 1")
    model = _fit(history, holidays, config or ForecastConfig())
    end = history.start + dt.timedelta(days=history.days)
    future = [end + dt.timedelta(days=i) for i in range(horizon_days)]
    rows = []
    for day_type in _day_types(future, holidays):
        k = int(day_type)
        if k in model.level:
            rows.append(model.level[k] * model.profile[k])
        else:
            rows.append(model.fallback_level * model.fallback_profile)
    matrix = np.array(rows)
    for i, day in enumerate(future):
        factor = (uplifts or {}).get(day)
        if factor is not None:
            matrix[i] = matrix[i] * factor
    return matrix


def forecast(
    rows: Sequence[IntervalValue],
    *,
    interval_min: int,
    horizon_days: int,
    holidays: Collection[dt.date] = (),
    config: ForecastConfig | None = None,
    uplifts: Mapping[dt.date, float] | None = None,
) -> list[ForecastPoint]:
    """One :class:`ForecastPoint` per interval of the ``horizon_days`` after the history ends."""
    history = history_from_rows(rows, interval_min)
    matrix = forecast_history(history, horizon_days=horizon_days, holidays=holidays, config=config,
                              uplifts=uplifts)
    end = history.start + dt.timedelta(days=history.days)
    points: list[ForecastPoint] = []
    for d in range(horizon_days):
        date = end + dt.timedelta(days=d)
        for i in range(matrix.shape[1]):
            minute = i * interval_min
            points.append(ForecastPoint(date, dt.time(minute // 60, minute % 60), float(matrix[d, i])))
    return points


def seasonal_naive(history: History, *, horizon_days: int) -> np.ndarray:
    """Same interval, same weekday, one week earlier (the last week repeated)."""
    if history.days < 7:
        raise ValueError("seasonal naive needs at least 7 days of history")
    last_week = history.values[-7:]
    return np.array([last_week[d % 7] for d in range(horizon_days)])


def wape(forecast_values: np.ndarray, actual: np.ndarray) -> float:
    """Weighted absolute percentage error ``Σ|F − A| / Σ A``."""
    total = float(np.sum(actual))
    if total <= 0:
        raise ValueError("WAPE is undefined when the actual volume is zero")
    return float(np.sum(np.abs(np.asarray(forecast_values) - np.asarray(actual)))) / total


@dataclass(frozen=True, slots=True)
class BacktestResult:
    train_days: int
    test_days: int
    wape: float
    wape_seasonal_naive: float

    @property
    def improvement(self) -> float:
        """Relative WAPE reduction against seasonal naive (0.12 = 12 % better)."""
        return 1.0 - self.wape / self.wape_seasonal_naive

    def as_dict(self) -> dict[str, float | int]:
        return {
            "train_days": self.train_days,
            "test_days": self.test_days,
            "wape": round(self.wape, 6),
            "wape_seasonal_naive": round(self.wape_seasonal_naive, 6),
            "improvement": round(self.improvement, 6),
        }


def backtest(
    history: History,
    *,
    test_days: int = 7,
    holidays: Collection[dt.date] = (),
    config: ForecastConfig | None = None,
) -> BacktestResult:
    """Train on all but the last ``test_days`` days, forecast them, compare with seasonal naive."""
    train_days = history.days - test_days
    if train_days < 7 or test_days < 1:
        raise ValueError("backtest needs at least 7 training days and 1 test day")
    train = history.head(train_days)
    actual = history.values[train_days:]
    model = forecast_history(train, horizon_days=test_days, holidays=holidays, config=config)
    naive = seasonal_naive(train, horizon_days=test_days)
    return BacktestResult(train_days, test_days, wape(model, actual), wape(naive, actual))
