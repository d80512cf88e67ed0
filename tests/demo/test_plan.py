"""The demo plan (pure Python): determinism, realistic timing, and consistent ticket states."""

from __future__ import annotations

import collections
from datetime import datetime, timedelta

import pytest

from cxops.demo.clock import SEOUL, korean_holidays
from cxops.demo.content import SPECS
from cxops.demo.plan import WorkspacePlan, plan_demo

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SEOUL)


@pytest.fixture(scope="module")
def plans() -> list[WorkspacePlan]:
    return plan_demo(SPECS, seed=42, now=NOW, tickets=1600)


def _fingerprint(plans: list[WorkspacePlan]) -> list[tuple[str, ...]]:
    return [(p.spec.slug, t.subject, t.status, t.created_at.isoformat(), *(m.body for m in t.messages))
            for p in plans for t in p.tickets]


def test_same_seed_same_plan_and_another_seed_differs(plans: list[WorkspacePlan]) -> None:
    again = plan_demo(SPECS, seed=42, now=NOW, tickets=1600)
    assert _fingerprint(again) == _fingerprint(plans)
    other = plan_demo(SPECS, seed=43, now=NOW, tickets=1600)
    assert _fingerprint(other) != _fingerprint(plans)


def test_counts_channels_and_types(plans: list[WorkspacePlan]) -> None:
    tickets = [t for p in plans for t in p.tickets]
    assert len(tickets) == 1600
    assert {t.channel for t in tickets} >= {"board", "phone", "email", "chat", "marketplace", "messenger"}
    complaints = sum(t.type == "complaint" for t in tickets) / len(tickets)
    assert 0.08 <= complaints <= 0.18
    assert sum(len(p.calls) for p in plans) > 0.4 * len(tickets)
    subjects = collections.Counter(t.subject for t in tickets)
    assert len(subjects) > 0.8 * len(tickets), subjects.most_common(5)


def test_timelines_are_consistent(plans: list[WorkspacePlan]) -> None:
    for plan in plans:
        for t in plan.tickets:
            times = [m.at for m in t.messages]
            assert times == sorted(times)
            assert t.created_at == times[0] and times[-1] < NOW
            assert t.messages[0].kind == "customer"
            assert t.updated_at is not None and t.updated_at >= times[-1]
            if t.status in ("solved", "closed"):
                assert t.solved_at is not None and t.solved_at >= times[-1]
                assert any(m.kind in ("reply", "note") for m in t.messages)
            else:
                assert t.solved_at is None and t.closed_at is None
            if t.status == "closed":
                assert t.closed_at is not None and t.solved_at is not None and t.solved_at < t.closed_at < NOW
            if t.first_response_at is not None:
                assert t.first_response_at >= t.created_at
            if t.status in ("pending", "solved", "closed"):
                assert t.first_response_at is not None
            if t.channel == "phone":
                assert any(c.ticket == t.key and c.direction == "inbound" and c.outcome == "follow_up"
                           for c in plan.calls)


def test_status_follows_age(plans: list[WorkspacePlan]) -> None:
    tickets = [t for p in plans for t in p.tickets]
    old = [t for t in tickets if NOW - t.created_at > timedelta(days=14)]
    recent = [t for t in tickets if NOW - t.created_at < timedelta(days=2)]
    assert sum(t.status in ("solved", "closed") for t in old) / len(old) > 0.95
    assert sum(t.status in ("new", "open", "pending", "on_hold") for t in recent) / len(recent) > 0.3
    assert {t.status for t in tickets} == {"new", "open", "pending", "on_hold", "solved", "closed"}


def test_weekday_hour_and_holiday_pattern(plans: list[WorkspacePlan]) -> None:
    shop = next(p for p in plans if p.spec.slug == "shop")
    local = [t.created_at.astimezone(SEOUL) for t in shop.tickets]
    holidays = korean_holidays(NOW.date() - timedelta(days=91), NOW.date())
    per_day = collections.Counter(moment.date() for moment in local)
    weekdays = collections.defaultdict(list)
    day = (NOW - timedelta(days=89)).date()
    while day < NOW.date():
        kind = "holiday" if day in holidays else day.weekday()
        weekdays[kind].append(per_day.get(day, 0))
        day += timedelta(days=1)
    mean = {k: sum(v) / len(v) for k, v in weekdays.items()}
    assert mean[0] > mean[3] > mean[6]  # Monday > Thursday > Sunday
    assert mean["holiday"] < 0.6 * mean[3]
    night = sum(0 <= m.hour < 6 for m in local) / len(local)
    morning = sum(9 <= m.hour < 12 for m in local) / len(local)
    assert night < 0.04 and morning > 0.25


def test_phone_calls_happen_in_opening_hours(plans: list[WorkspacePlan]) -> None:
    holidays = korean_holidays(NOW.date() - timedelta(days=91), NOW.date())
    for plan in plans:
        start, end = plan.spec.opening.weekday
        for call in plan.calls:
            if call.direction != "inbound":
                continue
            moment = call.started_at.astimezone(SEOUL)
            assert moment.weekday() < 5 and moment.date() not in holidays
            assert start <= moment.hour < end


def test_repeat_customers_and_identities(plans: list[WorkspacePlan]) -> None:
    for plan in plans:
        per_customer = collections.Counter(t.customer for t in plan.tickets)
        assert max(per_customer.values()) >= 3
        phones = [c.phone for c in plan.customers]
        assert len(phones) == len(set(phones))
        orders = [o for c in plan.customers for o in c.orders]
        assert len(orders) == len(set(orders))
    shop = next(p for p in plans if p.spec.slug == "shop")
    assert sum(bool(c.email) for c in shop.customers) > 0.3 * len(shop.customers)
    assert sum(bool(t.order_number) for t in shop.tickets) > 0.6 * len(shop.tickets)
