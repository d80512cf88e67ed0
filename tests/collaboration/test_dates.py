from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cxops.collaboration.dates import BusinessCalendar, add_business_days, d_label, offset_label

D = date.fromisoformat


def test_d_labels() -> None:
    assert d_label(D("2026-09-29"), D("2026-10-05")) == "D-6"
    assert d_label(D("2026-10-05"), D("2026-10-05")) == "D-day"
    assert d_label(D("2026-10-08"), D("2026-10-05")) == "D+3"
    assert offset_label(-30) == "D-30" and offset_label(0) == "D-day" and offset_label(7) == "D+7"


def test_launch_on_substitute_holiday_moves_back_with_offset_zero() -> None:
    # 2026-10-05 (Mon) is the substitute holiday for 개천절 (Sat 10-03).
    assert add_business_days(D("2026-10-05"), 0) == D("2026-10-02")
    assert add_business_days(D("2026-10-04"), 0) == D("2026-10-02")  # Sunday
    assert add_business_days(D("2026-10-06"), 0) == D("2026-10-06")


def test_offsets_step_over_chuseok_hangul_day_and_weekends() -> None:
    launch = D("2026-10-05")
    assert add_business_days(launch, -1) == D("2026-10-02")
    # 10-02, 10-01, 09-30, 09-29, 09-28, then Chuseok 09-24..26 and the weekend are skipped: 09-23.
    assert add_business_days(launch, -6) == D("2026-09-23")
    # 10-06, 10-07, 10-08, (한글날 10-09, weekend) 10-12, 10-13, 10-14, 10-15.
    assert add_business_days(launch, 7) == D("2026-10-15")
    assert add_business_days(launch, 1) == D("2026-10-06")


def test_other_substitute_holidays() -> None:
    assert add_business_days(D("2026-02-27"), 1) == D("2026-03-03")  # 삼일절 대체 휴일 03-02
    assert add_business_days(D("2026-08-14"), 1) == D("2026-08-18")  # 광복절 대체 휴일 08-17


def test_workspace_extra_holidays_and_workdays() -> None:
    cal = BusinessCalendar.from_iso(["2026-10-06"], ["2026-10-03"])
    assert cal.add_business_days(D("2026-10-05"), 1) == D("2026-10-07")
    assert cal.add_business_days(D("2026-10-05"), 0) == D("2026-10-03")


cal = BusinessCalendar()


@given(st.dates(min_value=D("2025-01-01"), max_value=D("2027-12-31")), st.integers(-40, 40))
def test_result_is_a_business_day_and_direction_holds(start: date, n: int) -> None:
    due = add_business_days(start, n)
    assert cal.is_business_day(due)
    if n > 0:
        assert due > start
    elif n < 0:
        assert due < start
    else:
        assert due <= start and all(not cal.is_business_day(start - timedelta(days=k))
                                    for k in range((start - due).days))


@given(st.dates(min_value=D("2025-01-01"), max_value=D("2027-12-31")), st.integers(1, 30))
def test_counts_exactly_n_business_days(start: date, n: int) -> None:
    due = add_business_days(start, n)
    between = sum(cal.is_business_day(start + timedelta(days=k)) for k in range(1, (due - start).days + 1))
    assert between == n


def test_checklists_follow_the_workspaces_sla_calendar(db: None) -> None:
    """One calendar: a workspace open on Saturdays, with its own holiday, moves due dates accordingly."""
    from cxops.collaboration.services import calendar_for
    from cxops.sla.models import BusinessCalendarConfig
    from tests.factories import make_workspace

    workspace = make_workspace(slug="sat-open")
    assert calendar_for(workspace).add_business_days(D("2026-10-12"), -1) == D("2026-10-08")  # default: 한글날
    weekly = {k: ["09:00-18:00"] for k in ("mon", "tue", "wed", "thu", "fri", "sat")}
    BusinessCalendarConfig.objects.create(workspace=workspace, name="토요일 운영", weekly_hours=weekly,
                                          use_korean_holidays=True, extra_holidays=["2026-10-08"], is_default=True)
    cal = calendar_for(workspace)
    assert cal.add_business_days(D("2026-10-12"), -1) == D("2026-10-10")  # Saturday is open
    assert cal.add_business_days(D("2026-10-09"), 0) == D("2026-10-07")  # 한글날, then its own holiday 10-08
    workspace.settings = {"business_calendar": {"extra_workdays": ["2026-10-09"]}}
    assert calendar_for(workspace).add_business_days(D("2026-10-09"), 0) == D("2026-10-09")
