"""Business calendars: pure, Django-free arithmetic on business time.

A :class:`BusinessCalendar` is a value: a timezone, a weekly schedule with several intervals per day
(``09:00–12:00`` and ``13:00–18:00``), holidays (Korean public holidays from the ``holidays``
package, lunar and substitute days included, plus the workspace's own) and per-date overrides
(closed, or custom intervals for short days; an override wins over a holiday).

Intervals are local wall-clock minutes ``[start, end)`` with ``0 <= start < end <= 1440`` (``24:00``
ends a day). Business time is real elapsed time inside the intervals, so a DST shift inside an
interval is measured correctly. All functions take aware datetimes (any zone) and return aware
datetimes in the calendar's zone.

Conventions: :func:`add_business_time` with a positive duration returns an instant inside a
closed interval ``(start, end]`` — a three-hour target from 09:00 is due at 12:00, not 13:00;
:func:`next_business_moment` returns an instant inside ``[start, end)``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

__all__ = [
    "WEEKDAY_KEYS",
    "BusinessCalendar",
    "Interval",
    "add_business_days",
    "add_business_time",
    "business_time_between",
    "calendar_from_data",
    "close_of_day",
    "day_intervals",
    "end_of_business_day",
    "format_interval",
    "is_business_day",
    "korean_default_calendar",
    "korean_holidays",
    "next_business_day",
    "next_business_moment",
    "parse_interval",
]

WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
# A calendar without business time in this many days is considered broken (never open).
SEARCH_LIMIT_DAYS = 3 * 366
_ZERO = dt.timedelta(0)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """Local wall-clock minutes of a day, ``[start, end)``; ``end`` may be 1440 (24:00)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end <= DAY_MINUTES):
            raise ValueError(f"invalid interval {self.start}-{self.end}: need 0 <= start < end <= 1440 minutes")

    @property
    def minutes(self) -> int:
        return self.end - self.start


def _parse_hhmm(text: str) -> int:
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"invalid time {text!r}: use HH:MM")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > DAY_MINUTES:
        raise ValueError(f"invalid time {text!r}: use 00:00..24:00")
    return value


def parse_interval(value: str | Iterable[str]) -> Interval:
    """``"09:00-12:00"`` or ``["09:00", "12:00"]`` → :class:`Interval`."""
    if isinstance(value, str):
        parts = value.replace("–", "-").split("-")
    else:
        parts = list(value)
    if len(parts) != 2:
        raise ValueError(f"invalid interval {value!r}: use HH:MM-HH:MM")
    return Interval(_parse_hhmm(parts[0]), _parse_hhmm(parts[1]))


def format_interval(interval: Interval) -> str:
    return f"{interval.start // 60:02d}:{interval.start % 60:02d}-{interval.end // 60:02d}:{interval.end % 60:02d}"


def _normalise(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sorted, with overlapping or touching intervals merged."""
    merged: list[Interval] = []
    for item in sorted(intervals):
        if merged and item.start <= merged[-1].end:
            if item.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, item.end)
        else:
            merged.append(item)
    return tuple(merged)


@functools.lru_cache(maxsize=256)
def korean_holiday_dates(year: int) -> frozenset[dt.date]:
    """The Korean public holidays of one year (cached); every package asks here."""
    return frozenset(korean_holidays([year]))


def korean_holidays(years: Iterable[int]) -> dict[dt.date, str]:
    """Korean public holidays (lunar and substitute days included) with their Korean names."""
    import holidays

    return dict(holidays.country_holidays("KR", language="ko", years=sorted(set(years))).items())


@dataclass(frozen=True, slots=True, eq=False)
class BusinessCalendar:
    """A business calendar value. Build with :meth:`build` (validates and normalises)."""

    timezone: str
    weekly: tuple[tuple[Interval, ...], ...]
    holidays: frozenset[dt.date] = frozenset()
    overrides: Mapping[dt.date, tuple[Interval, ...]] = field(default_factory=dict)
    use_korean_holidays: bool = False
    name: str = ""
    _tz: ZoneInfo = field(init=False, repr=False)
    _cache: dict[dt.date, tuple[tuple[dt.datetime, dt.datetime], ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("weekly schedule needs 7 days (Monday first)")
        object.__setattr__(self, "_tz", ZoneInfo(self.timezone))
        object.__setattr__(self, "_cache", {})

    @classmethod
    def build(
        cls,
        *,
        timezone: str = "Asia/Seoul",
        weekly: Mapping[str, Iterable[str | Iterable[str]]] | Iterable[Iterable[str | Iterable[str]]],
        holidays: Iterable[dt.date] = (),
        overrides: Mapping[dt.date, Iterable[str | Iterable[str]]] | None = None,
        use_korean_holidays: bool = False,
        name: str = "",
    ) -> BusinessCalendar:
        """Validate plain data (``{"mon": ["09:00-12:00", ...], ...}``) into a calendar."""
        try:
            ZoneInfo(timezone)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"unknown timezone {timezone!r}") from exc
        if isinstance(weekly, Mapping):
            unknown = set(weekly) - set(WEEKDAY_KEYS)
            if unknown:
                raise ValueError(f"unknown weekday keys {sorted(unknown)}: use {', '.join(WEEKDAY_KEYS)}")
            days = [weekly.get(key, ()) for key in WEEKDAY_KEYS]
        else:
            days = list(weekly)
            if len(days) != 7:
                raise ValueError("weekly schedule needs 7 days (Monday first)")
        week = tuple(_normalise(parse_interval(item) for item in day) for day in days)
        parsed_overrides = {
            day: _normalise(parse_interval(item) for item in items) for day, items in (overrides or {}).items()
        }
        return cls(
            timezone=timezone,
            weekly=week,
            holidays=frozenset(holidays),
            overrides=parsed_overrides,
            use_korean_holidays=use_korean_holidays,
            name=name,
        )

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.holidays or (self.use_korean_holidays and day in korean_holiday_dates(day.year))

    def intervals_on(self, day: dt.date) -> tuple[Interval, ...]:
        """Local intervals of ``day``: an override, else nothing on a holiday, else the weekly schedule."""
        if day in self.overrides:
            return self.overrides[day]
        if self.is_holiday(day):
            return ()
        return self.weekly[day.weekday()]

    def utc_intervals_on(self, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """The intervals of ``day`` as ordered, disjoint UTC instants (cached)."""
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        pairs: list[tuple[dt.datetime, dt.datetime]] = []
        for interval in self.intervals_on(day):
            start = self._instant(day, interval.start)
            end = self._instant(day, interval.end)
            if end <= start:
                continue
            # A DST gap can make mapped intervals overlap: merge them.
            if pairs and start <= pairs[-1][1]:
                pairs[-1] = (pairs[-1][0], max(end, pairs[-1][1]))
            else:
                pairs.append((start, end))
        result = tuple(pairs)
        if len(self._cache) > 20_000:
            self._cache.clear()
        self._cache[day] = result
        return result

    def _instant(self, day: dt.date, minute: int) -> dt.datetime:
        if minute == DAY_MINUTES:
            day, minute = day + dt.timedelta(days=1), 0
        local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self._tz)
        return local.astimezone(dt.UTC)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return _aware(moment).astimezone(self._tz).date()


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: business time needs aware datetimes")
    return moment


def _forward(cal: BusinessCalendar, first_day: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """UTC intervals from ``first_day`` (one day earlier included, for safety at midnight) onwards."""
    day = first_day - dt.timedelta(days=1)
    empty_days = 0
    while True:
        pairs = cal.utc_intervals_on(day)
        if pairs:
            empty_days = 0
            yield from pairs
        else:
            empty_days += 1
            if empty_days > SEARCH_LIMIT_DAYS:
                raise ValueError(f"calendar {cal.name or cal.timezone!r} has no business time after {first_day}")
        day += dt.timedelta(days=1)


def day_intervals(cal: BusinessCalendar, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The business intervals of a local date, as aware datetimes in the calendar's zone."""
    return [(s.astimezone(cal.tz), e.astimezone(cal.tz)) for s, e in cal.utc_intervals_on(day)]


def is_business_day(cal: BusinessCalendar, day: dt.date) -> bool:
    return bool(cal.utc_intervals_on(day))


def next_business_moment(cal: BusinessCalendar, moment: dt.datetime) -> dt.datetime:
    """``moment`` if the calendar is open then, else the start of the next open interval."""
    t = _aware(moment).astimezone(dt.UTC)
    for start, end in _forward(cal, cal.local_date(t)):
        if end > t:
            return max(start, t).astimezone(cal.tz)
    raise AssertionError("unreachable")  # pragma: no cover


def add_business_time(cal: BusinessCalendar, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """The instant when ``duration`` of business time has elapsed after ``start``."""
    if duration < _ZERO:
        raise ValueError("duration must not be negative")
    t = _aware(start).astimezone(dt.UTC)
    remaining = duration
    for s, e in _forward(cal, cal.local_date(t)):
        if e <= t:
            continue
        begin = max(s, t)
        available = e - begin
        if remaining <= available:
            return (begin + remaining).astimezone(cal.tz)
        remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover


def business_time_between(cal: BusinessCalendar, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Business time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
    a_utc, b_utc = _aware(a).astimezone(dt.UTC), _aware(b).astimezone(dt.UTC)
    if b_utc < a_utc:
        return -business_time_between(cal, b_utc, a_utc)
    total = _ZERO
    day = cal.local_date(a_utc) - dt.timedelta(days=1)
    last = cal.local_date(b_utc) + dt.timedelta(days=1)
    while day <= last:
        for s, e in cal.utc_intervals_on(day):
            lo, hi = max(s, a_utc), min(e, b_utc)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total


def next_business_day(cal: BusinessCalendar, day: dt.date) -> dt.date:
    """The first business day strictly after ``day``."""
    return add_business_days(cal, day, 1)


def add_business_days(cal: BusinessCalendar, day: dt.date, n: int) -> dt.date:
    """Step ``n`` business days from ``day`` (backwards when negative; ``n == 0`` returns ``day``)."""
    step = dt.timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    empty_days = 0
    while remaining:
        day += step
        if is_business_day(cal, day):
            remaining -= 1
            empty_days = 0
        else:
            empty_days += 1
            if empty_days > SEARCH_LIMIT_DAYS:
                raise ValueError(f"calendar {cal.name or cal.timezone!r} has no business days near {day}")
    return day


def end_of_business_day(cal: BusinessCalendar, moment: dt.datetime) -> dt.datetime:
    """The close (end of the last interval) of the business day of :func:`next_business_moment`.

    During or before the day's hours that is today's close; after the close, or on a closed day, it
    is the close of the next business day.
    """
    opening = next_business_moment(cal, moment)
    pairs = cal.utc_intervals_on(cal.local_date(opening))
    if not pairs or not pairs[0][0] <= opening.astimezone(dt.UTC) <= pairs[-1][1]:
        # The open interval belongs to the previous local date (a DST-shifted edge): use that day.
        pairs = cal.utc_intervals_on(cal.local_date(opening) - dt.timedelta(days=1))
    return pairs[-1][1].astimezone(cal.tz)


def close_of_day(cal: BusinessCalendar, day: dt.date) -> dt.datetime | None:
    """The end of the last interval of a local date, or None on a closed day."""
    pairs = cal.utc_intervals_on(day)
    return pairs[-1][1].astimezone(cal.tz) if pairs else None


KOREAN_DEFAULT_WEEKLY: dict[str, list[str]] = {
    key: (["09:00-12:00", "13:00-18:00"] if key not in ("sat", "sun") else []) for key in WEEKDAY_KEYS
}


def korean_default_calendar(name: str = "기본 영업시간") -> BusinessCalendar:
    """Weekdays 09:00–18:00 with a 12:00–13:00 lunch break, Korean public holidays, Asia/Seoul."""
    return BusinessCalendar.build(
        timezone="Asia/Seoul", weekly=KOREAN_DEFAULT_WEEKLY, use_korean_holidays=True, name=name
    )


def _date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"invalid date {value!r}: use YYYY-MM-DD") from exc


def calendar_from_data(
    *,
    timezone: str,
    weekly_hours: Mapping[str, Iterable[str | Iterable[str]]],
    use_korean_holidays: bool,
    extra_holidays: Iterable[object] = (),
    overrides: Iterable[Mapping[str, object]] = (),
    name: str = "",
) -> BusinessCalendar:
    """Build a calendar from stored plain data (see ``cxops.sla.models`` for the JSON shapes).

    ``extra_holidays`` items are ISO dates or ``{"date": ..., "name": ...}``; ``overrides`` items are
    ``{"date": ..., "intervals": ["09:00-15:00"]}`` (empty intervals: closed).
    """
    holidays: set[dt.date] = set()
    for item in extra_holidays:
        holidays.add(_date(item.get("date") if isinstance(item, Mapping) else item))
    parsed: dict[dt.date, list[str | Iterable[str]]] = {}
    for override in overrides:
        if not isinstance(override, Mapping) or "date" not in override:
            raise ValueError("each override needs a date and a list of intervals")
        intervals = override.get("intervals") or []
        if isinstance(intervals, str) or not isinstance(intervals, Iterable):
            raise ValueError("override intervals must be a list like ['09:00-15:00']")
        parsed[_date(override["date"])] = list(intervals)
    return BusinessCalendar.build(
        timezone=timezone, weekly=weekly_hours, holidays=holidays, overrides=parsed,
        use_korean_holidays=use_korean_holidays, name=name,
    )
