"""Charts as inline SVG strings, rendered on the server (no JavaScript, no CDN). Pure module.

Every text is escaped here, so templates may mark the result safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def line_chart(series: Mapping[str, Sequence[float]], x_labels: Sequence[str], *, title: str,
               width: int = 720, height: int = 240, expected: Sequence[float | None] | None = None) -> str:
    """One line per series over the same x labels; `expected` draws a dashed line (the first series' expectation)."""
    left, right, top, bottom = 44, 160, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(x_labels), 1)
    values = [v for points in series.values() for v in points] + [v for v in (expected or []) if v is not None]
    hi = _nice_max(max(values, default=0))

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / hi)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}" class="voc-chart"><title>{escape(title)}</title>']
    for i in range(5):
        v = hi * i / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e5e7eb"/>'
                     f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end" fill="#6b7280">'
                     f"{v:,.0f}</text>")
    every = max(1, n // 8)
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == n - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{height - 10}" font-size="10" text-anchor="middle" '
                         f'fill="#6b7280">{escape(label)}</text>')
    if expected:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(expected) if v is not None)
        if points:
            parts.append(f'<polyline fill="none" stroke="#9ca3af" stroke-dasharray="4 3" stroke-width="1.5" '
                         f'points="{points}"><title>기대치</title></polyline>')
    for k, (name, points_) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(points_))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>')
        for i, v in enumerate(points_):
            label = x_labels[i] if i < len(x_labels) else ""
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.2" fill="{color}">'
                         f"<title>{escape(name)} {escape(label)}: {v:,.0f}건</title></circle>")
        last = points_[-1] if points_ else 0
        parts.append(f'<text x="{left + plot_w + 8}" y="{top + 12 + 15 * k}" font-size="11" fill="{color}">'
                     f"{escape(name[:18])} {last:,.0f}</text>")
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, width: int = 480, bar: int = 18,
              highlight: Sequence[bool] | None = None) -> str:
    """Horizontal bars, largest first as given; `highlight` marks bars (alerts) in red."""
    label_w, right, gap = 170, 56, 6
    height = max(len(items), 1) * (bar + gap) + 8
    hi = max((v for _, v in items), default=0) or 1
    plot_w = width - label_w - right
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}" class="voc-chart"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        top = 4 + i * (bar + gap)
        color = "#dc2626" if highlight and i < len(highlight) and highlight[i] else PALETTE[0]
        w = plot_w * value / hi
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{top + bar * 0.7:.1f}" font-size="11" text-anchor="end" '
                     f'fill="#374151">{escape(short)}</text>'
                     f'<rect x="{label_w}" y="{top}" width="{w:.1f}" height="{bar}" rx="3" fill="{color}">'
                     f"<title>{escape(label)}: {value:,.0f}</title></rect>"
                     f'<text x="{label_w + w + 4:.1f}" y="{top + bar * 0.7:.1f}" font-size="11" fill="#111827">'
                     f"{value:,.0f}</text>")
    if not items:
        parts.append(f'<text x="{width / 2}" y="18" font-size="12" text-anchor="middle" fill="#6b7280">자료 없음</text>')
    parts.append("</svg>")
    return "".join(parts)
