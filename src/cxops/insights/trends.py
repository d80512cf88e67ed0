"""Trend tables from the database: one GROUP BY query, then `trendmath` in numpy.

The query counts tickets per (truncated local date, key) over the output periods plus the baseline
history before them; totals per period are the sum over every key, unclassified tickets included.
A year of weekly trends over a million tickets is one index/sequential scan and a small result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, DateField, QuerySet
from django.db.models.functions import Trunc
from django.utils import timezone

from cxops.core.models import Workspace
from cxops.core.services import ServiceError
from cxops.insights import trendmath
from cxops.insights.labels import category_label
from cxops.insights.models import AlertSettings
from cxops.tickets.models import Category, Channel, Product, Ticket

DIMENSIONS = ("category", "product", "product_category", "channel")
PERIODS = ("day", "week", "month")
DEFAULT_PERIODS = {"day": 90, "week": 52, "month": 12}
PARAMS = {
    "day": trendmath.TrendParams(window=28, min_history=14, sustained=3, weekday_weeks=8),
    "week": trendmath.TrendParams(window=8, min_history=4, sustained=3),
    "month": trendmath.TrendParams(window=6, min_history=3, sustained=2),
}
PERIOD_WORDS = {"day": "날", "week": "주", "month": "달"}
_KEY_COLUMNS = {"category": ("category_id",), "product": ("product_id",),
                "product_category": ("product_id", "category_id"), "channel": ("channel",)}


def period_start(day: date, period: str) -> date:
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def shift(start: date, period: str, n: int) -> date:
    """The start of the period `n` periods after (negative: before) `start`."""
    if period == "day":
        return start + timedelta(days=n)
    if period == "week":
        return start + timedelta(weeks=n)
    months = start.year * 12 + start.month - 1 + n
    return date(months // 12, months % 12 + 1, 1)


def period_starts(first: date, last: date, period: str) -> list[date]:
    out = []
    current = first
    while current <= last:
        out.append(current)
        current = shift(current, period, 1)
    return out


@dataclass
class TrendRow:
    dimension: str
    key: str
    label: str
    period_start: date
    count: int
    share: float
    expected: float | None
    score: float
    sustained: float
    alert: bool
    base_mean: float
    base_std: float
    volume_ratio: float | None
    period: str = "week"

    @property
    def explanation(self) -> str:
        return trendmath.explain(self.label, "", self.count, self.base_mean, self.base_std,
                                 float("nan") if self.expected is None else self.expected,
                                 float("nan") if self.volume_ratio is None else self.volume_ratio,
                                 PERIOD_WORDS[self.period])

    def as_json(self) -> dict[str, Any]:
        return {"key": self.label, "period_start": self.period_start.isoformat(), "count": self.count,
                "share": round(self.share, 4), "expected": None if self.expected is None else round(self.expected, 2),
                "score": round(self.score, 2), "alert": self.alert}


@dataclass
class TrendTable:
    dimension: str
    period: str
    starts: list[date]
    keys: list[str]
    labels: list[str]
    counts: np.ndarray
    totals: np.ndarray
    result: trendmath.TrendResult
    first_output: int
    min_count: int
    min_score: float
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def output_starts(self) -> list[date]:
        return self.starts[self.first_output:]

    def row(self, k: int, t: int) -> TrendRow:
        r = self.result
        expected = float(r.expected[k, t])
        volume = float(r.volume_ratio[t])
        count = int(self.counts[k, t])
        score, sustained = float(r.score[k, t]), float(r.sustained[k, t])
        return TrendRow(
            dimension=self.dimension, key=self.keys[k], label=self.labels[k], period_start=self.starts[t],
            count=count, share=float(r.share[k, t]), expected=None if np.isnan(expected) else expected,
            score=score, sustained=sustained,
            alert=trendmath.is_alert(count, score, sustained, min_count=self.min_count, min_score=self.min_score),
            base_mean=float(r.base_mean[k, t]), base_std=float(r.base_std[k, t]),
            volume_ratio=None if np.isnan(volume) else volume, period=self.period,
        )

    def rows(self, *, only_nonzero: bool = True) -> list[TrendRow]:
        """Rows of the output periods, period by period; keys with neither tickets nor an expectation are left out."""
        r = self.result
        span = slice(self.first_output, len(self.starts))
        counts, expected = self.counts[:, span], r.expected[:, span]
        keep = (counts > 0) | (np.nan_to_num(expected, nan=0.0) >= 0.5) if only_nonzero else np.ones_like(counts, bool)
        score, sustained = r.score[:, span], r.sustained[:, span]
        alert = (counts >= self.min_count) & ((score >= self.min_score) | (sustained >= self.min_score))
        ks, ts = np.nonzero(keep.T)[1], np.nonzero(keep.T)[0]
        lists = [m[:, span][ks, ts].tolist() for m in (r.share, r.base_mean, r.base_std)]
        cnt, exp_, sc, su, al = (counts[ks, ts].tolist(), expected[ks, ts].tolist(), score[ks, ts].tolist(),
                                 sustained[ks, ts].tolist(), alert[ks, ts].tolist())
        volume = r.volume_ratio[span].tolist()
        starts = self.output_starts
        out = []
        for i, (k, t) in enumerate(zip(ks.tolist(), ts.tolist(), strict=True)):
            e = exp_[i]
            v = volume[t]
            out.append(TrendRow(
                dimension=self.dimension, key=self.keys[k], label=self.labels[k], period_start=starts[t],
                count=int(cnt[i]), share=lists[0][i], expected=None if e != e else e, score=sc[i], sustained=su[i],
                alert=bool(al[i]), base_mean=lists[1][i], base_std=lists[2][i], volume_ratio=None if v != v else v,
                period=self.period))
        return out

    def latest(self, t: int | None = None) -> list[TrendRow]:
        """Rows of one period (default the latest), highest score first."""
        t = len(self.starts) - 1 if t is None else t
        rows = [self.row(k, t) for k in range(len(self.keys))]
        return sorted(rows, key=lambda r: (-max(r.score, r.sustained), -r.count))

    def series(self, k: int) -> list[int]:
        return [int(v) for v in self.counts[k, self.first_output:]]


def _labels(workspace_id: int, dimension: str, keys: list[tuple[Any, ...]]) -> list[str]:
    cats: dict[int, str] = {}
    prods: dict[int, str] = {}
    if dimension in ("category", "product_category"):
        rows = list(Category.objects.filter(workspace_id=workspace_id).only("pk", "name", "parent_id"))
        names = {c.pk: c.name for c in rows}
        cats = {c.pk: category_label(c, names) for c in rows}
    if dimension in ("product", "product_category"):
        prods = dict(Product.objects.filter(workspace_id=workspace_id).values_list("pk", "name"))
    channels = {str(v): str(label) for v, label in Channel.choices}
    out = []
    for key in keys:
        if dimension == "category":
            out.append(cats.get(key[0], str(key[0])))
        elif dimension == "product":
            out.append(prods.get(key[0], str(key[0])))
        elif dimension == "product_category":
            out.append(f"{prods.get(key[0], key[0])} · {cats.get(key[1], key[1])}")
        else:
            out.append(channels.get(key[0], str(key[0])))
    return out


def _fetch(grouped: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """Run the GROUP BY; on PostgreSQL with room to hash every group in memory (the planner guesses
    about one group per row and would otherwise spill the aggregate to disk in batches)."""
    if connection.vendor != "postgresql":
        return list(grouped)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")
        return list(grouped)


def thresholds(workspace: Workspace) -> tuple[int, float]:
    found = AlertSettings.objects.filter(workspace=workspace).values_list("min_count", "min_score").first()
    return (int(found[0]), float(found[1])) if found else (10, 3.0)


def trend_table(*, workspace: Workspace, by: str, period: str, periods: int | None = None,
                until: date | None = None, ticket_type: str = "", product_id: int | None = None,
                category_id: int | None = None, queryset: QuerySet[Ticket] | None = None) -> TrendTable:
    """Counts and scores per key for the `periods` periods ending with the one that holds `until`
    (default: today in the workspace's time zone)."""
    if by not in DIMENSIONS:
        raise ServiceError(f"알 수 없는 기준입니다: {by} ({', '.join(DIMENSIONS)})")
    if period not in PERIODS:
        raise ServiceError(f"알 수 없는 기간 단위입니다: {period} (day, week, month)")
    n = DEFAULT_PERIODS[period] if periods is None else periods
    if not 1 <= n <= 800:
        raise ServiceError("기간 수는 1~800 사이로 입력해 주세요.")
    tz = ZoneInfo(workspace.timezone)
    today = until or timezone.now().astimezone(tz).date()
    params = PARAMS[period]
    history = params.window + (7 * params.weekday_weeks - params.window if period == "day" else 0)
    last = period_start(today, period)
    first_output = shift(last, period, -(n - 1))
    first = shift(first_output, period, -history)
    start_dt = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end_dt = datetime.combine(shift(last, period, 1), datetime.min.time(), tzinfo=tz)

    columns = _KEY_COLUMNS[by]
    qs = queryset if queryset is not None else Ticket.objects.all()
    qs = qs.filter(workspace=workspace, created_at__gte=start_dt, created_at__lt=end_dt)
    filters: dict[str, Any] = {}
    if ticket_type:
        qs = qs.filter(type=ticket_type)
        filters["type"] = ticket_type
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
        filters["product"] = product_id
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
        filters["category"] = category_id
    # Truncated in SQL to a local date: no aware datetimes to convert per row on the way back.
    grouped = (qs.annotate(p=Trunc("created_at", period, output_field=DateField(), tzinfo=tz))
               .values_list("p", *columns).annotate(n=Count("id")).order_by())

    starts = period_starts(first, last, period)
    index = {d: i for i, d in enumerate(starts)}
    totals = np.zeros(len(starts))
    key_index: dict[tuple[Any, ...], int] = {}
    cell_k: list[int] = []
    cell_t: list[int] = []
    cell_n: list[int] = []
    width = len(columns)
    for row in _fetch(grouped):
        day, found = row[0], row[-1]
        t = index.get(day)
        if t is None:
            t = index.get(period_start(day.date() if isinstance(day, datetime) else day, period))
            if t is None:
                continue
        totals[t] += found
        key = row[1:1 + width]
        if None in key or "" in key:
            continue
        k = key_index.setdefault(key, len(key_index))
        cell_k.append(k)
        cell_t.append(t)
        cell_n.append(found)
    keys = sorted(key_index, key=lambda k: tuple(str(v) for v in k))
    order = np.array([key_index[k] for k in keys], dtype=np.int64)
    raw = np.zeros((len(key_index), len(starts)))
    np.add.at(raw, (np.array(cell_k, dtype=np.int64), np.array(cell_t, dtype=np.int64)), np.array(cell_n, dtype=float))
    counts = raw[order] if len(keys) else raw
    weekdays = np.array([d.weekday() for d in starts]) if period == "day" else None
    result = trendmath.compute(counts, totals, weekdays=weekdays, params=params)
    min_count, min_score = thresholds(workspace)
    return TrendTable(dimension=by, period=period, starts=starts, keys=[":".join(str(v) for v in k) for k in keys],
                      labels=_labels(workspace.pk, by, keys), counts=counts, totals=totals, result=result,
                      first_output=len(starts) - n, min_count=min_count, min_score=min_score, filters=filters)
