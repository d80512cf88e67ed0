"""When demo customers write and when the center answers.

Arrivals follow a weekday and hour profile (busy Monday mornings, quiet nights and weekends),
Korean public holidays are quiet and the first working day after them busy; answers only go out
in opening hours. Pure Python (``holidays`` for the Korean calendar), no Django.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def korean_holidays(start: date, end: date) -> dict[date, str]:
    """Public holidays (lunar and substitute holidays included) between two dates, inclusive."""
    from cxops.sla.calendar import korean_holidays as named

    calendar = named(range(start.year, end.year + 1))
    return {day: str(name) for day, name in sorted(calendar.items()) if start <= day <= end}


def is_day_off(day: date, holidays: Mapping[date, str]) -> bool:
    return day.weekday() >= 5 or day in holidays


@dataclass(frozen=True)
class Traffic:
    """Relative volume by weekday (Mon…Sun) and local hour (0…23)."""

    weekday: tuple[float, float, float, float, float, float, float]
    hours: tuple[float, ...]
    holiday: float = 0.3
    after_holiday: float = 1.45

    def __post_init__(self) -> None:
        if len(self.hours) != 24:
            raise ValueError("hours needs 24 weights")

    def day_weight(self, day: date, holidays: Mapping[date, str]) -> float:
        if day in holidays:
            return self.holiday
        weight = self.weekday[day.weekday()]
        # The first working day after two or more days off carries the backlog.
        if day.weekday() < 5:
            off = 0
            probe = day - timedelta(days=1)
            while is_day_off(probe, holidays) and off < 6:
                off += 1
                probe -= timedelta(days=1)
            if off >= 2 and any(d in holidays for d in (day - timedelta(days=i) for i in range(1, off + 1))):
                weight *= self.after_holiday
        return weight


@dataclass(frozen=True)
class OpeningHours:
    """When agents answer: weekdays, and optionally weekends/holidays (chat), in local hours."""

    weekday: tuple[int, int] = (9, 18)
    day_off: tuple[int, int] | None = None

    def window(self, day: date, holidays: Mapping[date, str]) -> tuple[int, int] | None:
        return self.day_off if is_day_off(day, holidays) else self.weekday

    def is_open(self, local: datetime, holidays: Mapping[date, str]) -> bool:
        window = self.window(local.date(), holidays)
        return window is not None and window[0] <= local.hour < window[1]

    def next_open(self, moment: datetime, holidays: Mapping[date, str]) -> datetime:
        """The moment itself if open, else the start of the next opening window (aware, UTC kept)."""
        local = moment.astimezone(SEOUL)
        for offset in range(0, 15):
            day = local.date() + timedelta(days=offset)
            window = self.window(day, holidays)
            if window is None:
                continue
            start = datetime(day.year, day.month, day.day, window[0], tzinfo=SEOUL)
            end = datetime(day.year, day.month, day.day, window[1], tzinfo=SEOUL)
            if local < start:
                return start.astimezone(moment.tzinfo)
            if local < end:
                return moment
        return moment + timedelta(days=15)

    def add(self, moment: datetime, minutes: float, holidays: Mapping[date, str]) -> datetime:
        """Add working minutes: time only runs while the center is open."""
        current = self.next_open(moment, holidays)
        remaining = timedelta(minutes=minutes)
        for _ in range(30):
            local = current.astimezone(SEOUL)
            window = self.window(local.date(), holidays)
            assert window is not None
            end = datetime(local.year, local.month, local.day, window[1], tzinfo=SEOUL)
            if current + remaining <= end:
                return current + remaining
            remaining -= end - current
            current = self.next_open(end + timedelta(seconds=1), holidays)
        return current + remaining


class ArrivalSampler:
    """Draws arrival moments from hourly slots weighted by day, hour and an optional mask."""

    def __init__(self, *, start: datetime, end: datetime, traffic: Traffic, holidays: Mapping[date, str],
                 mask: Callable[[date, int], float] | None = None,
                 surge: Callable[[date], float] | None = None) -> None:
        self.end = end
        local = start.astimezone(SEOUL).replace(minute=0, second=0, microsecond=0)
        slots: list[datetime] = []
        weights: list[float] = []
        while local < end:
            day = local.date()
            weight = traffic.day_weight(day, holidays) * traffic.hours[local.hour]
            if mask is not None:
                weight *= mask(day, local.hour)
            if surge is not None:
                weight *= surge(day)
            if weight > 0:
                slots.append(local)
                weights.append(weight)
            local = (local + timedelta(hours=1)).astimezone(SEOUL)
        if not slots:
            raise ValueError("no time slot can receive arrivals")
        self.slots = slots
        self.cumulative = list(itertools.accumulate(weights))

    def sample(self, rng: Random) -> datetime:
        for _ in range(20):
            index = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
            slot = self.slots[min(index, len(self.slots) - 1)]
            moment = slot + timedelta(seconds=rng.randrange(3600))
            if moment < self.end:
                return moment
        return self.end - timedelta(minutes=1)


def relative_day(day: date, today: date) -> str:
    """How a customer names a recent day: 오늘, 어제, 그저께, 지난주 금요일, 11월 3일."""
    delta = (today - day).days
    names = "월화수목금토일"
    if delta <= 0:
        return "오늘"
    if delta == 1:
        return "어제"
    if delta == 2:
        return "그저께"
    if delta <= today.weekday():
        return f"이번 주 {names[day.weekday()]}요일"
    if delta <= today.weekday() + 7:
        return f"지난주 {names[day.weekday()]}요일"
    return f"{day.month}월 {day.day}일"


def short_date(day: date) -> str:
    return f"{day.month}/{day.day}({'월화수목금토일'[day.weekday()]})"
