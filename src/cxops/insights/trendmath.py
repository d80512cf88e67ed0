"""Expected levels and rise scores for counts per key and period (pure numpy, no Django).

For key k (a reason, a product, …) and period t:

* baseline share  s_k(t) = Σ counts_k / Σ totals over the W periods before t; for daily data it is
  blended with the share on the same weekday over the last W weeks, so a reason that is always
  heavier on Mondays is not news on a Monday;
* expected        e_k(t) = s_k(t) × total(t). Multiplying by this period's own total carries the
  total's weekday seasonality and any overall rise or fall in volume: when every reason grows
  because total volume grew, no single reason stands out;
* spike score     z_k(t) = (count − e) / √(φ_k · max(e, 1)), φ_k ≥ 1 the key's over-dispersion
  (a robust estimate from the median squared Pearson residual: a past spike does not mask the next);
* sustained score over the last L periods together, against the baseline share from before the
  first of them: catches a rise spread over several periods that no single period shows;
* "평소 m±s건": mean and standard deviation of the raw counts over the baseline window;
* volume ratio    total(t) / (mean total over the window × the weekday factor for daily data): tells
  whether a key's raw rise is explained by total volume.

Periods without a baseline (fewer than `min_history` periods before them, or no tickets at all in
the window) get expected = NaN and scores 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

# Median of a chi-square variable with one degree of freedom: scales the median squared residual to φ.
_CHI2_1_MEDIAN = 0.4549
SMOOTHING = 0.5  # pseudo-count on each key's baseline, so a key never seen before expects a little


@dataclass(frozen=True)
class TrendParams:
    window: int = 8
    min_history: int = 4
    sustained: int = 3
    weekday_weeks: int = 8  # daily data: same-weekday baseline over this many weeks
    weekday_prior: float = 50.0  # tickets of weight the all-days share has in the blend


@dataclass(frozen=True)
class TrendResult:
    expected: Array  # (K, T), NaN where no baseline
    score: Array  # (K, T) spike score
    sustained: Array  # (K, T)
    share: Array  # (K, T) count / total
    base_mean: Array  # (K, T)
    base_std: Array  # (K, T)
    volume_ratio: Array  # (T,) total / expected total (NaN without a baseline)
    dispersion: Array  # (K,)


def _window_sums(values: Array, window: int) -> Array:
    """Sum over the `window` periods strictly before each t (last axis); fewer at the start."""
    pad = [(0, 0)] * (values.ndim - 1) + [(1, 0)]
    csum = np.cumsum(np.pad(values, pad), axis=-1)
    t = np.arange(values.shape[-1])
    lo = np.maximum(t - window, 0)
    return csum[..., t] - csum[..., lo]


def _lagged_sums(values: Array, step: int, lags: int) -> tuple[Array, Array]:
    """Σ values[t − step·j] for j = 1..lags (only lags that exist), and how many there were."""
    total = np.zeros_like(values)
    n = np.zeros(values.shape[-1])
    for j in range(1, lags + 1):
        shift = step * j
        if shift >= values.shape[-1]:
            break
        total[..., shift:] += values[..., :-shift]
        n[shift:] += 1
    return total, n


def compute(counts: Array, totals: Array, *, weekdays: npt.NDArray[np.int64] | None = None,
            params: TrendParams = TrendParams()) -> TrendResult:
    """Scores for a (K keys × T periods) count matrix and the (T,) totals of all tickets per period.

    `weekdays` (0 = Monday) marks daily data and turns the weekday adjustment on.
    """
    counts = np.asarray(counts, dtype=np.float64)
    totals = np.asarray(totals, dtype=np.float64)
    if counts.ndim != 2 or totals.shape != (counts.shape[1],):
        raise ValueError("counts must be K×T and totals T long")
    k_count, t_count = counts.shape
    w = params.window
    t_idx = np.arange(t_count)
    history = np.minimum(t_idx, w).astype(np.float64)  # periods in each baseline window

    key_sum = _window_sums(counts, w)
    total_sum = _window_sums(totals, w)
    # A baseline needs enough periods and some tickets in them (a new workspace has neither).
    has_base = (history >= params.min_history) & (total_sum > 0)
    share_all = (key_sum + SMOOTHING) / np.maximum(total_sum + SMOOTHING * max(k_count, 1), 1.0)
    share_base = share_all
    expected_total = np.where(history > 0, total_sum / np.maximum(history, 1), np.nan)
    if weekdays is not None:
        wd_keys, n_wd = _lagged_sums(counts, 7, params.weekday_weeks)
        wd_totals, _ = _lagged_sums(totals, 7, params.weekday_weeks)
        share_wd = (wd_keys + SMOOTHING) / np.maximum(wd_totals + SMOOTHING * max(k_count, 1), 1.0)
        weight = wd_totals / (wd_totals + params.weekday_prior)
        share_base = weight * share_wd + (1 - weight) * share_all
        # The total's own weekday factor: the same weekday's mean vs the all-days mean.
        wd_mean = np.where(n_wd > 0, wd_totals / np.maximum(n_wd, 1), np.nan)
        all_mean_long = _window_sums(totals, 7 * params.weekday_weeks) / np.maximum(
            np.minimum(t_idx, 7 * params.weekday_weeks), 1)
        factor = np.where((n_wd >= 2) & (all_mean_long > 0), wd_mean / np.maximum(all_mean_long, 1e-9), 1.0)
        expected_total = expected_total * factor

    expected = share_base * totals[np.newaxis, :]
    expected = np.where(has_base[np.newaxis, :], expected, np.nan)

    # Over-dispersion per key from periods with a baseline (robust: median, not mean).
    safe_e = np.maximum(np.nan_to_num(expected, nan=0.0), 1.0)
    residual2 = (counts - np.nan_to_num(expected, nan=0.0)) ** 2 / safe_e
    phi = np.ones(k_count)
    if has_base.any():
        phi = np.maximum(1.0, np.median(residual2[:, has_base], axis=1) / _CHI2_1_MEDIAN)
    variance = phi[:, np.newaxis] * safe_e
    diff = np.where(has_base[np.newaxis, :], counts - np.nan_to_num(expected, nan=0.0), 0.0)
    score = diff / np.sqrt(variance)

    # Sustained: the last L periods together against the baseline from before the first of them, so a
    # rise that has already crept into the latest baseline still shows.
    run = max(params.sustained, 1)
    counts_run = _window_sums(counts, run - 1) + counts
    totals_run = _window_sums(totals, run - 1) + totals
    start = t_idx - (run - 1)
    valid = (start >= 0) & has_base[np.maximum(start, 0)]
    share_start = share_base[:, np.maximum(start, 0)]
    expected_run = share_start * totals_run[np.newaxis, :]
    variance_run = phi[:, np.newaxis] * np.maximum(expected_run, 1.0)
    sustained = np.where(valid[np.newaxis, :], (counts_run - expected_run) / np.sqrt(variance_run), 0.0)
    # Only rises count as sustained when the latest period is itself above expectation.
    sustained = np.where(diff > 0, sustained, np.minimum(sustained, 0.0))

    sq_sum = _window_sums(counts ** 2, w)
    mean = key_sum / np.maximum(history, 1)
    var = np.maximum(sq_sum / np.maximum(history, 1) - mean ** 2, 0.0)
    std = np.sqrt(var * np.where(history > 1, history / np.maximum(history - 1, 1), 1.0))

    share = np.where(totals > 0, counts / np.maximum(totals, 1), 0.0)
    volume_ratio = np.where(has_base & (expected_total > 0), totals / np.where(expected_total > 0, expected_total, 1),
                            np.nan)
    return TrendResult(expected=expected, score=score, sustained=sustained, share=share, base_mean=mean,
                       base_std=std, volume_ratio=volume_ratio, dispersion=phi)


def is_alert(count: float, score: float, sustained: float, *, min_count: int, min_score: float) -> bool:
    return count >= min_count and (score >= min_score or sustained >= min_score)


def explain(label: str, kind_label: str, count: int, base_mean: float, base_std: float, expected: float,
            volume_ratio: float, period_word: str) -> str:
    """One plain Korean sentence: "상품 X 배송지연 불만: 이번 주 42건, 평소 9±3건 …"."""
    text = (f"{label}{' ' + kind_label if kind_label else ''}: 이번 {period_word} {count}건, "
            f"평소 {base_mean:.0f}±{base_std:.0f}건")
    if expected == expected:  # not NaN
        text += f" (전체 문의량을 감안한 기대치 {expected:.0f}건)"
    if volume_ratio == volume_ratio and volume_ratio >= 1.2:
        rise = (volume_ratio - 1) * 100
        if base_mean > 0 and count <= expected * 1.2:
            text += f". 전체 문의량이 평소보다 {rise:.0f}% 늘어난 만큼 함께 늘었습니다"
        else:
            text += f". 전체 문의량도 {rise:.0f}% 늘었지만 그보다 더 많이 늘었습니다"
    return text + "."
