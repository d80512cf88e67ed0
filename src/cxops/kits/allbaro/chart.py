"""Storage-by-month chart as inline SVG, rendered on the server (no JavaScript, no CDN). Pure module."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from cxops.kits.allbaro.explain import fmt_t

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777")


def storage_svg(series: Mapping[str, Sequence[int]], *, width: int = 640, height: int = 260, title: str = "") -> str:
    """One line per waste code: month-end storage (mg) for months 1..12, with the zero line emphasised."""
    left, right, top, bottom = 64, 120, 16, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for points in series.values() for v in points] or [0]
    lo, hi = min(0, *values), max(0, *values)
    if hi == lo:
        hi = lo + 1_000_000_000
    pad = (hi - lo) // 10
    lo, hi = lo - (pad if lo < 0 else 0), hi + pad

    def x(month: int) -> float:
        return left + plot_w * (month - 1) / 11

    def y(mg: int) -> float:
        return top + plot_h * (hi - mg) / (hi - lo)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
             f'role="img" aria-label="{escape(title or "월별 보관량")}" class="allbaro-chart">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for i in range(5):
        mg = lo + (hi - lo) * i // 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(mg):.1f}" y2="{y(mg):.1f}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{left - 6}" y="{y(mg) + 4:.1f}" font-size="11" text-anchor="end" fill="#6b7280">'
                     f"{escape(fmt_t(mg))}</text>")
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#111827" '
                 'stroke-width="1.2"/>')
    for month in range(1, 13):
        parts.append(f'<text x="{x(month):.1f}" y="{height - 8}" font-size="11" text-anchor="middle" '
                     f'fill="#6b7280">{month}월</text>')
    for n, (code, points) in enumerate(sorted(series.items())):
        color = PALETTE[n % len(PALETTE)]
        path = " ".join(f"{x(m + 1):.1f},{y(v):.1f}" for m, v in enumerate(points))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        for m, v in enumerate(points):
            parts.append(f'<circle cx="{x(m + 1):.1f}" cy="{y(v):.1f}" r="2.5" fill="{color}">'
                         f"<title>{escape(code)} {m + 1}월 {escape(fmt_t(v))}톤</title></circle>")
        parts.append(f'<text x="{left + plot_w + 8}" y="{top + 14 + 16 * n}" font-size="12" fill="{color}">'
                     f"{escape(code)} {escape(fmt_t(points[-1] if points else 0))}</text>")
    parts.append("</svg>")
    return "".join(parts)
