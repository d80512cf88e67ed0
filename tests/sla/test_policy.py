"""SLA arithmetic: cutoff rule, policy matching, pauses, warnings, two-form metrics."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.sla.calendar import add_business_time, business_time_between, korean_default_calendar
from cxops.sla.policy import (
    ClockState,
    CutoffRule,
    SlaRule,
    SlaTargets,
    TicketFacts,
    clock_due,
    compute_deadlines,
    cutoff_due,
    first_matching,
    measure,
    sla_state,
)

KST = ZoneInfo("Asia/Seoul")
CAL = korean_default_calendar()
H = dt.timedelta(hours=1)
DEFAULT = SlaRule(name="기본", targets=SlaTargets.from_minutes(480, 480, 1440))


def kst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=KST)  # type: ignore[misc]


def test_chuseok_board_example_must_hold() -> None:
    deadlines = compute_deadlines(CAL, DEFAULT, channel="board", created_at=kst(2026, 9, 23, 17, 30))
    assert deadlines.first_response_due_at == kst(2026, 9, 28, 18)
    assert deadlines.as_dict()["first_response_due_at"] == "2026-09-28T18:00:00+09:00"
    assert deadlines.next_reply_due_at == kst(2026, 9, 28, 18)
    # Resolution: 24 business hours from 17:30 Wed: 0.5 h + Mon 8 h + Tue 8 h + Wed 7.5 h → Wed 09-30 17:30.
    assert deadlines.resolution_due_at == kst(2026, 9, 30, 17, 30)


@pytest.mark.parametrize(("received", "due"), [
    (kst(2026, 9, 22, 8, 0), kst(2026, 9, 22, 18)),    # before opening → today
    (kst(2026, 9, 22, 12, 30), kst(2026, 9, 22, 18)),  # lunch → today
    (kst(2026, 9, 22, 16, 59), kst(2026, 9, 22, 18)),
    (kst(2026, 9, 22, 17, 0), kst(2026, 9, 23, 18)),   # at the cutoff → next business day
    (kst(2026, 9, 22, 23, 0), kst(2026, 9, 23, 18)),
    (kst(2026, 9, 23, 10, 0), kst(2026, 9, 23, 18)),
    (kst(2026, 9, 25, 10, 0), kst(2026, 9, 28, 18)),   # on 추석 → next business day
    (kst(2026, 10, 2, 17, 1), kst(2026, 10, 6, 18)),   # Fri after cutoff; Mon 10-05 substitute holiday
])
def test_cutoff_rule(received: dt.datetime, due: dt.datetime) -> None:
    assert cutoff_due(CAL, received) == due


def test_cutoff_later_than_close_is_clamped_to_next_day() -> None:
    assert cutoff_due(CAL, kst(2026, 9, 22, 18, 30), dt.time(19, 0)) == kst(2026, 9, 23, 18)


def test_cutoff_only_for_its_channels_and_rules_can_opt_out() -> None:
    at = kst(2026, 9, 22, 10)
    phone = compute_deadlines(CAL, DEFAULT, channel="phone", created_at=at)
    assert phone.first_response_due_at == add_business_time(CAL, at, 8 * H) == kst(2026, 9, 23, 10)
    urgent = SlaRule(name="긴급", targets=SlaTargets.from_minutes(120, 60, 480), use_cutoff=False)
    board = compute_deadlines(CAL, urgent, channel="board", created_at=kst(2026, 9, 22, 11))
    assert board.first_response_due_at == kst(2026, 9, 22, 14)  # lunch skipped
    none = compute_deadlines(CAL, None, channel="phone", created_at=at)
    assert none == compute_deadlines(CAL, None, channel="phone", created_at=at, cutoff=None)
    assert none.first_response_due_at is None and none.resolution_due_at is None
    assert compute_deadlines(CAL, None, channel="email", created_at=at).first_response_due_at == kst(2026, 9, 22, 18)
    custom = CutoffRule(cutoff=dt.time(15, 0), channels=frozenset({"board"}))
    assert compute_deadlines(CAL, None, channel="board", created_at=kst(2026, 9, 22, 16),
                             cutoff=custom).first_response_due_at == kst(2026, 9, 23, 18)


def test_policy_matching_first_wins() -> None:
    rules = [
        SlaRule(name="VIP 긴급", priorities=frozenset({"urgent"}), customer_tiers=frozenset({"vip"})),
        SlaRule(name="환불 태그", tags=frozenset({"환불", "refund"})),
        SlaRule(name="전화", channels=frozenset({"phone"}), types=frozenset({"complaint", "inquiry"})),
        SlaRule(name="기본"),
    ]
    assert first_matching(rules, TicketFacts(channel="board", priority="urgent", customer_tier="vip")).name == "VIP 긴급"
    assert first_matching(rules, TicketFacts(channel="board", priority="urgent")).name == "기본"
    assert first_matching(rules, TicketFacts(channel="phone", tags=frozenset({"환불"}))).name == "환불 태그"
    assert first_matching(rules, TicketFacts(channel="phone", type="complaint")).name == "전화"
    assert first_matching(rules, TicketFacts(channel="phone", type="request")).name == "기본"
    assert first_matching(rules[:3], TicketFacts(channel="chat")) is None


def test_rule_validation() -> None:
    with pytest.raises(ValueError):
        SlaRule(name="x", warn_share=0)
    with pytest.raises(ValueError):
        SlaRule(name="x", targets=SlaTargets(first_response=dt.timedelta(0)))


def test_pauses_stop_the_resolution_clock() -> None:
    start = kst(2026, 9, 21, 9)
    # 4 business hours, paused 10:00 → next day 10:00 (= 8 business hours of pause).
    due = clock_due(CAL, start=start, target=4 * H, pauses=[(kst(2026, 9, 21, 10), kst(2026, 9, 22, 10))])
    assert due == kst(2026, 9, 22, 14)
    assert clock_due(CAL, start=start, target=4 * H, pauses=[(kst(2026, 9, 21, 10), None)]) is None
    assert clock_due(CAL, start=start, target=H, pauses=[(kst(2026, 9, 21, 11), None)]) == kst(2026, 9, 21, 10)
    # Pauses before the start are ignored; overlapping pauses do not double count.
    assert clock_due(CAL, start=start, target=4 * H, pauses=[
        (kst(2026, 9, 18, 10), kst(2026, 9, 18, 11)),
        (kst(2026, 9, 21, 10), kst(2026, 9, 21, 11)), (kst(2026, 9, 21, 10, 30), kst(2026, 9, 21, 11)),
    ]) == kst(2026, 9, 21, 15)


def test_sla_state_and_metrics() -> None:
    start, due = kst(2026, 9, 22, 9), kst(2026, 9, 22, 18)  # 8 business hours
    assert sla_state(CAL, start=start, due=due, now=kst(2026, 9, 22, 10)) == ClockState.OK
    assert sla_state(CAL, start=start, due=due, now=kst(2026, 9, 22, 16)) == ClockState.WARNING  # 6/8 = 75 %
    assert sla_state(CAL, start=start, due=due, now=kst(2026, 9, 22, 16), warn_share=0.9) == ClockState.OK
    assert sla_state(CAL, start=start, due=due, now=due) == ClockState.BREACHED
    metric = measure(CAL, kst(2026, 9, 23, 17, 30), kst(2026, 9, 28, 10))
    assert metric.wall == dt.timedelta(days=4, hours=16, minutes=30)
    assert metric.business == dt.timedelta(minutes=90)
    assert metric.as_dict() == {"wall_seconds": 405000.0, "business_seconds": 5400.0}


instants = st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 31), timezones=st.just(KST))


@settings(max_examples=200, deadline=None)
@given(instants, st.sampled_from(["board", "email", "phone", "chat"]))
def test_deadline_properties(at: dt.datetime, channel: str) -> None:
    d = compute_deadlines(CAL, DEFAULT, channel=channel, created_at=at)
    assert d.first_response_due_at is not None and d.resolution_due_at is not None
    assert d.first_response_due_at > at
    assert business_time_between(CAL, at, d.resolution_due_at) == 24 * H
    if channel in ("board", "email"):
        local = d.first_response_due_at.astimezone(KST)
        assert local.time() == dt.time(18, 0)
        assert business_time_between(CAL, at, d.first_response_due_at) <= 18 * H
