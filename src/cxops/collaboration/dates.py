"""Business-day arithmetic for launch checklists (pure: no Django imports).

Business days are weekdays that are not Korean public holidays (`holidays.KR`, which covers the
lunar and substitute holidays) and not one of the workspace's extra holidays; a workspace can also
declare extra working days (e.g. a Saturday launch rehearsal).

Moving by ``n`` business days steps one business day at a time from the start date, so every step
lands on a business day; with ``n == 0`` a start date that is not a business day moves to the
previous business day (a due date on the launch day of a holiday launch falls on the last working
day before it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from cxops.sla.calendar import korean_holiday_dates as korean_holidays
from cxops.sla.calendar import korean_holidays as korean_holidays_named


def korean_holiday_name(day: date) -> str | None:
    name = korean_holidays_named([day.year]).get(day)
    return str(name) if name else None


@dataclass(frozen=True)
class BusinessCalendar:
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_iso(cls, holidays_iso: Iterable[str] = (), workdays_iso: Iterable[str] = ()) -> BusinessCalendar:
        return cls(frozenset(date.fromisoformat(d) for d in holidays_iso),
                   frozenset(date.fromisoformat(d) for d in workdays_iso))

    def is_business_day(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        return day.weekday() < 5 and day not in korean_holidays(day.year)

    def add_business_days(self, start: date, n: int) -> date:
        """`start` moved by `n` business days (negative = earlier); see the module docstring."""
        day = start
        if n == 0:
            while not self.is_business_day(day):
                day -= timedelta(days=1)
            return day
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day


DEFAULT_CALENDAR = BusinessCalendar()


def add_business_days(start: date, n: int, calendar: BusinessCalendar = DEFAULT_CALENDAR) -> date:
    return calendar.add_business_days(start, n)


def d_label(due: date, launch: date) -> str:
    """Calendar days from `due` to `launch`: "D-6" six days before, "D-day", "D+3" three days after."""
    days = (launch - due).days
    if days == 0:
        return "D-day"
    return f"D-{days}" if days > 0 else f"D+{-days}"


def offset_label(offset: int) -> str:
    """The template's own label of an offset in business days: "D-30", "D-day", "D+7"."""
    if offset == 0:
        return "D-day"
    return f"D{offset:+d}"
