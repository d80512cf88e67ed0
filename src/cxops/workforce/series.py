"""Interval series read from CSV: one row per (date, interval_start) with a numeric value.

Pure module (no Django). Used by the forecast, staffing and schedule commands.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["IntervalValue", "parse_hhmm", "read_interval_csv"]


@dataclass(frozen=True, slots=True)
class IntervalValue:
    date: dt.date
    interval_start: dt.time
    value: float

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.interval_start)


def parse_hhmm(text: str) -> dt.time:
    """``"09:30"`` → ``time(9, 30)``; also accepts ``"9:30"`` and ``"09:30:00"``."""
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"시각 형식이 잘못되었습니다 (HH:MM): {text!r}")
    hour, minute = int(parts[0]), int(parts[1])
    if hour == 24 and minute == 0:
        raise ValueError("24:00 is not an interval start; use 00:00 of the next day")
    return dt.time(hour, minute)


def _rows(path: Path) -> Iterable[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


def read_interval_csv(path: str | Path, value_columns: Sequence[str]) -> list[IntervalValue]:
    """Rows of ``path`` sorted by time, taking the value from the first of ``value_columns`` present.

    Raises ``ValueError`` with the line number for a missing column, a bad date, time or number,
    a negative value or a duplicated interval.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"파일을 찾을 수 없습니다: {path}")
    result: list[IntervalValue] = []
    seen: set[tuple[dt.date, dt.time]] = set()
    column: str | None = None
    for line, row in enumerate(_rows(path), start=2):
        if column is None:
            missing = [c for c in ("date", "interval_start") if c not in row]
            column = next((c for c in value_columns if c in row), None)
            if missing or column is None:
                need = ", ".join([*missing, " or ".join(value_columns)] if column is None else missing)
                raise ValueError(f"{path.name}: 필요한 열이 없습니다 (missing columns): {need}")
        try:
            date = dt.date.fromisoformat(row["date"].strip())
            start = parse_hhmm(row["interval_start"])
            raw = (row[column] or "").strip()
            value = float(raw) if raw else 0.0
        except (ValueError, AttributeError) as exc:
            raise ValueError(f"{path.name}:{line}: 값을 읽을 수 없습니다 (bad value): {exc}") from exc
        if value < 0 or value != value:
            raise ValueError(f"{path.name}:{line}: 음수나 NaN은 허용되지 않습니다 (negative value)")
        key = (date, start)
        if key in seen:
            raise ValueError(f"{path.name}:{line}: 중복된 구간입니다 (duplicate interval) {date} {start:%H:%M}")
        seen.add(key)
        result.append(IntervalValue(date, start, value))
    if not result:
        raise ValueError(f"{path.name}: 데이터가 없습니다 (no rows)")
    result.sort(key=lambda r: (r.date, r.interval_start))
    return result
