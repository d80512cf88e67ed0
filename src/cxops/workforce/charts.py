"""Server-rendered line charts: inline SVG geometry for templates (no JavaScript, no CDN)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class ChartSeries:
    name: str
    color: str
    segments: list[str]  # SVG polyline "x,y x,y …" strings (a gap where a value is missing)
    dashed: bool = False


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    bottom: int
    series: list[ChartSeries] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def line_chart(series: Sequence[tuple[str, str, Sequence[float | None], bool]], *, x_labels: Sequence[str] = (),
               label_every: int = 1, width: int = 960, height: int = 260) -> LineChart:
    """Series of equal length (name, colour, values, dashed) → polylines on a shared y axis from 0."""
    left, right, top, bottom = 44, 8, 10, 24
    n = max((len(v) for _n, _c, v, _d in series), default=0)
    top_value = _nice_max(max((x for _n, _c, v, _d in series for x in v if x is not None), default=0.0))
    plot_w, plot_h = width - left - right, height - top - bottom

    def xy(i: int, value: float) -> str:
        x = left + (plot_w * i / max(1, n - 1))
        y = top + plot_h * (1 - value / top_value)
        return f"{x:.1f},{y:.1f}"

    chart = LineChart(width, height, left, height - bottom)
    for name, color, values, dashed in series:
        segments: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                if segments[-1]:
                    segments.append([])
                continue
            segments[-1].append(xy(i, float(value)))
        chart.series.append(ChartSeries(name, color, [" ".join(s) for s in segments if len(s) > 1], dashed))
    for k in range(5):
        value = top_value * k / 4
        chart.y_ticks.append((top + plot_h * (1 - k / 4), f"{value:g}"))
    for i, label in enumerate(x_labels):
        if label and i % max(1, label_every) == 0:
            chart.x_ticks.append((left + plot_w * i / max(1, n - 1), label))
    return chart
