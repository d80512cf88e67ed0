"""Business-day arithmetic for launch checklists (pure: no Django imports).

Business days are the open days of the workspace's business calendar — the SLA calendar of
`cxops.sla.calendar`, which is the one source of Korean public holidays (lunar and substitute
holidays included) and of business-day arithmetic; by default weekdays that are not Korean public
holidays — minus the checklist settings' extra holidays, plus its extra working days (e.g. a
Saturday launch rehearsal).

Moving by ``n`` business days steps one business day at a time from the start date, so every step
lands on a business day; with ``n == 0`` a start date that is not a business day moves to the
previous business day (a due date on the launch day of a holiday launch falls on the last working
day before it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from cxops.sla import calendar as sla
from cxops.sla.calendar import korean_holidays as korean_holidays_named

# Hours of an extra working day on a weekday the base calendar keeps closed: only open/closed
# matters for day arithmetic, so any non-empty interval does.
EXTRA_WORKDAY_HOURS = ("09:00-18:00",)


def korean_holiday_name(day: date) -> str | None:
    name = korean_holidays_named([day.year]).get(day)
    return str(name) if name else None


@dataclass(frozen=True)
class BusinessCalendar:
    """Which days are business days, for checklist due dates.

    A thin layer over the SLA business calendar (`cxops.sla.calendar`, the one source of Korean
    holidays and business-day arithmetic): `base` is the workspace's calendar (the Korean default
    when None: weekdays, Korean public holidays), and the checklist's own extra holidays and
    working days are applied on top as holidays and overrides.
    """

    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)
    base: sla.BusinessCalendar | None = None
    _calendar: sla.BusinessCalendar = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        base = self.base or _korean_default()
        if not self.extra_holidays and not self.extra_workdays:
            calendar = base
        else:
            overrides = {day: intervals for day, intervals in base.overrides.items()
                         if day not in self.extra_holidays}
            for day in self.extra_workdays:
                overrides[day] = tuple(sla.parse_interval(i) for i in EXTRA_WORKDAY_HOURS)
            calendar = sla.BusinessCalendar(
                timezone=base.timezone, weekly=base.weekly, holidays=base.holidays | self.extra_holidays,
                overrides=overrides, use_korean_holidays=base.use_korean_holidays, name=base.name)
        object.__setattr__(self, "_calendar", calendar)

    @classmethod
    def from_iso(cls, holidays_iso: Iterable[str] = (), workdays_iso: Iterable[str] = (),
                 base: sla.BusinessCalendar | None = None) -> BusinessCalendar:
        return cls(frozenset(date.fromisoformat(d) for d in holidays_iso),
                   frozenset(date.fromisoformat(d) for d in workdays_iso), base)

    @property
    def sla_calendar(self) -> sla.BusinessCalendar:
        return self._calendar

    def is_business_day(self, day: date) -> bool:
        return sla.is_business_day(self._calendar, day)

    def add_business_days(self, start: date, n: int) -> date:
        """`start` moved by `n` business days (negative = earlier); see the module docstring."""
        if n != 0:
            return sla.add_business_days(self._calendar, start, n)
        day, empty_days = start, 0
        while not self.is_business_day(day):
            day -= timedelta(days=1)
            empty_days += 1
            if empty_days > sla.SEARCH_LIMIT_DAYS:
                raise ValueError(f"calendar has no business days before {start}")
        return day


_DEFAULT: list[sla.BusinessCalendar] = []


def _korean_default() -> sla.BusinessCalendar:
    # One shared value, so its per-day cache serves every checklist.
    if not _DEFAULT:
        _DEFAULT.append(sla.korean_default_calendar())
    return _DEFAULT[0]


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
