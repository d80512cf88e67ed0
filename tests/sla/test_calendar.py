"""Business calendar arithmetic: hand cases and hypothesis properties."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cxops.sla.calendar import (
    BusinessCalendar,
    Interval,
    add_business_days,
    add_business_time,
    business_time_between,
    day_intervals,
    end_of_business_day,
    is_business_day,
    korean_default_calendar,
    korean_holidays,
    next_business_moment,
    parse_interval,
)

KST = ZoneInfo("Asia/Seoul")
NY = ZoneInfo("America/New_York")
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
CAL = korean_default_calendar()


def kst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=KST)  # type: ignore[misc]


# --- construction ---------------------------------------------------------------------------------

def test_parse_and_validate() -> None:
    assert parse_interval("09:00-12:00") == Interval(540, 720)
    assert parse_interval(["13:00", "24:00"]) == Interval(780, 1440)
    for bad in ("9-12", "12:00-09:00", "09:00-24:30", "25:00-26:00", "09:60-10:00"):
        with pytest.raises(ValueError):
            parse_interval(bad)
    with pytest.raises(ValueError, match="timezone"):
        BusinessCalendar.build(timezone="Mars/Base", weekly={})
    with pytest.raises(ValueError, match="weekday"):
        BusinessCalendar.build(weekly={"monday": ["09:00-18:00"]})


def test_overlapping_intervals_are_merged() -> None:
    cal = BusinessCalendar.build(weekly={"mon": ["09:00-12:00", "11:00-13:00", "13:00-14:00"]})
    assert cal.weekly[0] == (Interval(540, 840),)


def test_korean_holidays_include_lunar_and_substitute_days() -> None:
    days = korean_holidays([2026])
    assert {dt.date(2026, 9, 24), dt.date(2026, 9, 25), dt.date(2026, 9, 26)} <= set(days)
    assert dt.date(2026, 3, 2) in days  # 삼일절 대체 휴일
    assert dt.date(2026, 10, 5) in days  # 개천절 대체 휴일
    assert "추석" in days[dt.date(2026, 9, 25)]


# --- hand cases -----------------------------------------------------------------------------------

def test_is_business_day() -> None:
    assert is_business_day(CAL, dt.date(2026, 9, 23))
    assert not is_business_day(CAL, dt.date(2026, 9, 24))  # 추석 전날
    assert not is_business_day(CAL, dt.date(2026, 9, 27))  # Sunday
    assert not is_business_day(CAL, dt.date(2026, 10, 5))  # substitute holiday
    assert is_business_day(CAL, dt.date(2026, 9, 28))


def test_lunch_break() -> None:
    assert add_business_time(CAL, kst(2026, 9, 22, 11, 30), H) == kst(2026, 9, 22, 13, 30)
    assert add_business_time(CAL, kst(2026, 9, 22, 9), 3 * H) == kst(2026, 9, 22, 12)  # due at 12:00, not 13:00
    assert next_business_moment(CAL, kst(2026, 9, 22, 12, 15)) == kst(2026, 9, 22, 13)
    assert next_business_moment(CAL, kst(2026, 9, 22, 12)) == kst(2026, 9, 22, 13)
    assert business_time_between(CAL, kst(2026, 9, 22, 11), kst(2026, 9, 22, 14)) == 2 * H


def test_midnight_and_weekend() -> None:
    assert next_business_moment(CAL, kst(2026, 9, 18, 23, 59)) == kst(2026, 9, 21, 9)  # Fri night → Mon
    assert add_business_time(CAL, kst(2026, 9, 18, 17), 2 * H) == kst(2026, 9, 21, 10)
    assert business_time_between(CAL, kst(2026, 9, 19, 0), kst(2026, 9, 20, 23, 59)) == dt.timedelta(0)
    assert end_of_business_day(CAL, kst(2026, 9, 19, 10)) == kst(2026, 9, 21, 18)


def test_chuseok_2026() -> None:
    wed = kst(2026, 9, 23, 17, 30)
    assert end_of_business_day(CAL, wed) == kst(2026, 9, 23, 18)
    assert add_business_time(CAL, wed, H) == kst(2026, 9, 28, 9, 30)
    assert end_of_business_day(CAL, kst(2026, 9, 23, 18, 0)) == kst(2026, 9, 28, 18)
    assert add_business_days(CAL, dt.date(2026, 9, 23), 1) == dt.date(2026, 9, 28)
    assert add_business_days(CAL, dt.date(2026, 9, 28), -1) == dt.date(2026, 9, 23)
    assert business_time_between(CAL, wed, kst(2026, 9, 28, 10)) == 90 * M


def test_substitute_holiday_and_overrides() -> None:
    # 2026-10-05 (Mon) is the substitute for 개천절 on Saturday 10-03.
    assert next_business_moment(CAL, kst(2026, 10, 2, 18, 30)) == kst(2026, 10, 6, 9)
    cal = BusinessCalendar.build(
        weekly={"mon": ["09:00-18:00"], "tue": ["09:00-18:00"], "wed": ["09:00-18:00"],
                "thu": ["09:00-18:00"], "fri": ["09:00-18:00"]},
        use_korean_holidays=True,
        holidays={dt.date(2026, 10, 6)},  # the company's own day off
        overrides={dt.date(2026, 10, 5): ["10:00-15:00"], dt.date(2026, 10, 7): []},  # open on a holiday; closed
    )
    assert day_intervals(cal, dt.date(2026, 10, 5)) == [(kst(2026, 10, 5, 10), kst(2026, 10, 5, 15))]
    assert not is_business_day(cal, dt.date(2026, 10, 6))
    assert not is_business_day(cal, dt.date(2026, 10, 7))
    assert next_business_moment(cal, kst(2026, 10, 5, 15)) == kst(2026, 10, 8, 9)
    assert end_of_business_day(cal, kst(2026, 10, 5, 8)) == kst(2026, 10, 5, 15)


def test_inputs_in_other_zones_and_naive_rejected() -> None:
    utc = dt.datetime(2026, 9, 22, 0, 30, tzinfo=dt.UTC)  # 09:30 KST
    result = add_business_time(CAL, utc, 30 * M)
    assert result == kst(2026, 9, 22, 10) and result.utcoffset() == dt.timedelta(hours=9)
    with pytest.raises(ValueError, match="naive"):
        next_business_moment(CAL, dt.datetime(2026, 9, 22, 10))
    with pytest.raises(ValueError):
        add_business_time(CAL, utc, -M)


def test_never_open_calendar_raises() -> None:
    with pytest.raises(ValueError, match="no business"):
        next_business_moment(BusinessCalendar.build(weekly={}), kst(2026, 1, 1))


def test_dst_zone_measures_real_time() -> None:
    cal = BusinessCalendar.build(timezone="America/New_York", weekly={k: ["00:00-24:00"] for k in
                                                                       ("sat", "sun", "mon")})
    # 2026-03-08 (Sunday): clocks jump 02:00 → 03:00, so the day has 23 real hours.
    start = dt.datetime(2026, 3, 8, 0, 0, tzinfo=NY)
    end = dt.datetime(2026, 3, 9, 0, 0, tzinfo=NY)
    assert business_time_between(cal, start, end) == 23 * H
    assert add_business_time(cal, start, 23 * H) == end
    # 2026-11-01 (Sunday): 25 real hours.
    cal2 = BusinessCalendar.build(timezone="America/New_York", weekly={"sun": ["00:00-24:00"]})
    assert business_time_between(cal2, dt.datetime(2026, 10, 31, 12, tzinfo=NY),
                                 dt.datetime(2026, 11, 2, 12, tzinfo=NY)) == 25 * H


def test_phone_team_every_day_calendar() -> None:
    cal = BusinessCalendar.build(weekly={k: ["09:00-21:00"] for k in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    assert next_business_moment(cal, kst(2026, 9, 26, 22)) == kst(2026, 9, 27, 9)  # holidays not used
    assert add_business_time(cal, kst(2026, 9, 26, 20), 2 * H) == kst(2026, 9, 27, 10)


# --- properties -----------------------------------------------------------------------------------

ZONES = ["Asia/Seoul", "America/New_York", "Europe/Berlin", "UTC"]
minute_of_day = st.integers(0, 1440)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    def day() -> list[str]:
        points = sorted(draw(st.lists(minute_of_day, max_size=6, unique=True)))
        if len(points) % 2:
            points = points[:-1]
        return [f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in zip(points[::2], points[1::2],
                                                                                          strict=True)]

    weekly = [day() for _ in range(7)]
    assume(any(weekly))
    holidays = draw(st.sets(st.dates(dt.date(2025, 12, 1), dt.date(2027, 2, 1)), max_size=20))
    return BusinessCalendar.build(
        timezone=draw(st.sampled_from(ZONES)), weekly=weekly, holidays=holidays,
        use_korean_holidays=draw(st.booleans()),
    )


instants = st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 31), timezones=st.sampled_from(
    [ZoneInfo(z) for z in ZONES]))
durations = st.integers(0, 60 * 24 * 20).map(lambda m: dt.timedelta(minutes=m))


def _inside(cal: BusinessCalendar, t: dt.datetime, *, closed_end: bool) -> bool:
    day = cal.local_date(t)
    for d in (day - dt.timedelta(days=1), day):
        for s, e in cal.utc_intervals_on(d):
            if s <= t < e or (closed_end and t == e):
                return True
    return False


PROPS = settings(max_examples=150, deadline=None)


@PROPS
@given(calendars(), instants, durations)
def test_add_then_measure_roundtrip(cal: BusinessCalendar, start: dt.datetime, duration: dt.timedelta) -> None:
    due = add_business_time(cal, start, duration)
    assert due.tzinfo is not None and str(due.tzinfo) == cal.timezone
    assert business_time_between(cal, start, due) == duration
    assert due >= start
    if duration:
        assert _inside(cal, due, closed_end=True)


@PROPS
@given(calendars(), instants, instants, instants)
def test_between_is_additive_and_antisymmetric(cal: BusinessCalendar, a: dt.datetime, b: dt.datetime,
                                               c: dt.datetime) -> None:
    assert business_time_between(cal, a, c) == business_time_between(cal, a, b) + business_time_between(cal, b, c)
    assert business_time_between(cal, a, b) == -business_time_between(cal, b, a)
    assert dt.timedelta(0) <= abs(business_time_between(cal, a, b)) <= abs(b - a)


@PROPS
@given(calendars(), instants, durations, durations)
def test_add_is_monotonic_and_composes(cal: BusinessCalendar, start: dt.datetime, d1: dt.timedelta,
                                       d2: dt.timedelta) -> None:
    lo, hi = sorted((d1, d2))
    assert add_business_time(cal, start, lo) <= add_business_time(cal, start, hi)
    if lo:
        assert add_business_time(cal, add_business_time(cal, start, lo), hi) == add_business_time(cal, start, lo + hi)


@PROPS
@given(calendars(), instants, instants)
def test_next_business_moment(cal: BusinessCalendar, t: dt.datetime, u: dt.datetime) -> None:
    n = next_business_moment(cal, t)
    assert n >= t
    assert _inside(cal, n, closed_end=False)
    assert business_time_between(cal, t, n) == dt.timedelta(0)
    assert add_business_time(cal, t, dt.timedelta(0)) == n
    if t <= u:
        assert next_business_moment(cal, t) <= next_business_moment(cal, u)


@PROPS
@given(calendars(), instants)
def test_end_of_business_day(cal: BusinessCalendar, t: dt.datetime) -> None:
    end = end_of_business_day(cal, t)
    n = next_business_moment(cal, t)
    assert end > n
    assert _inside(cal, end, closed_end=True)
    assert cal.local_date(n) == cal.local_date(end - dt.timedelta(microseconds=1))


@PROPS
@given(calendars(), st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), st.integers(-30, 30),
       st.integers(-30, 30))
def test_add_business_days(cal: BusinessCalendar, day: dt.date, n: int, m: int) -> None:
    result = add_business_days(cal, day, n)
    if n:
        assert is_business_day(cal, result)
        assert (result > day) == (n > 0)
        back = add_business_days(cal, result, -n)
        if is_business_day(cal, day):
            assert back == day
    else:
        assert result == day
    if is_business_day(cal, day) and n * m >= 0:
        assert add_business_days(cal, add_business_days(cal, day, n), m) == add_business_days(cal, day, n + m)
