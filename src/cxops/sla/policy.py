"""SLA arithmetic: pure, Django-free.

* :class:`SlaRule` — conditions (channel, priority, type, customer tier, tag; an empty set matches
  anything) and targets in business time (first response, next reply, resolution), pause statuses,
  the warning share and whether the cutoff rule applies.
* :class:`CutoffRule` — for boards and email: received before HH:MM (default 17:00) on a business day
  → due by the end of that business day, otherwise by the end of the next business day. When the
  rule applies to a ticket's channel it sets the first-response and next-reply deadlines; targets
  set them otherwise. A rule with ``use_cutoff=False`` (an urgent policy with a two-hour target)
  opts out.
* :func:`compute_deadlines` — the three deadlines of a ticket created at a given instant.
* :func:`clock_due` — a deadline when the clock was paused for some spans (pending customer).
* :func:`sla_state` — ok / warning / breached, with the warning at a share of elapsed business time.
* :func:`measure` — every timing metric in two forms, wall-clock and business time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cxops.sla.calendar import (
    BusinessCalendar,
    add_business_time,
    business_time_between,
    close_of_day,
    next_business_day,
)

__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_CUTOFF_CHANNELS",
    "ClockState",
    "CutoffRule",
    "Deadlines",
    "SlaRule",
    "SlaTargets",
    "TicketFacts",
    "TimingMetric",
    "clock_due",
    "compute_deadlines",
    "cutoff_due",
    "first_matching",
    "measure",
    "reply_due",
    "sla_state",
]

DEFAULT_CUTOFF = dt.time(17, 0)
DEFAULT_CUTOFF_CHANNELS: frozenset[str] = frozenset({"board", "email"})


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """The attributes of a ticket that policies match on."""

    channel: str
    priority: str = "normal"
    type: str = "inquiry"
    customer_tier: str = ""
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SlaTargets:
    first_response: dt.timedelta | None = None
    next_reply: dt.timedelta | None = None
    resolution: dt.timedelta | None = None

    @classmethod
    def from_minutes(cls, first_response: int | None, next_reply: int | None, resolution: int | None) -> SlaTargets:
        def conv(value: int | None) -> dt.timedelta | None:
            return None if value is None else dt.timedelta(minutes=value)

        return cls(conv(first_response), conv(next_reply), conv(resolution))


@dataclass(frozen=True, slots=True)
class SlaRule:
    name: str
    targets: SlaTargets = SlaTargets()
    channels: frozenset[str] = frozenset()
    priorities: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    customer_tiers: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    pause_statuses: frozenset[str] = frozenset({"pending"})
    warn_share: float = 0.75
    use_cutoff: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.warn_share <= 1:
            raise ValueError("warn_share must be in (0, 1]")
        for value in (self.targets.first_response, self.targets.next_reply, self.targets.resolution):
            if value is not None and value <= dt.timedelta(0):
                raise ValueError("SLA targets must be positive")

    def matches(self, facts: TicketFacts) -> bool:
        return (
            (not self.channels or facts.channel in self.channels)
            and (not self.priorities or facts.priority in self.priorities)
            and (not self.types or facts.type in self.types)
            and (not self.customer_tiers or facts.customer_tier in self.customer_tiers)
            and (not self.tags or bool(self.tags & facts.tags))
        )


def first_matching(rules: Iterable[SlaRule], facts: TicketFacts) -> SlaRule | None:
    """The first rule (in the given order) whose conditions all hold."""
    return next((rule for rule in rules if rule.matches(facts)), None)


@dataclass(frozen=True, slots=True)
class CutoffRule:
    cutoff: dt.time = DEFAULT_CUTOFF
    channels: frozenset[str] = DEFAULT_CUTOFF_CHANNELS

    def applies_to(self, channel: str) -> bool:
        return channel in self.channels


def cutoff_due(cal: BusinessCalendar, received_at: dt.datetime, cutoff: dt.time = DEFAULT_CUTOFF) -> dt.datetime:
    """Received before ``cutoff`` on a business day (and before its close) → that day's close;
    otherwise the close of the next business day. Times are read in the calendar's zone."""
    local = received_at.astimezone(cal.tz)
    day = local.date()
    close = close_of_day(cal, day)
    if close is not None and local.time() < cutoff and received_at < close:
        return close
    following = close_of_day(cal, next_business_day(cal, day))
    assert following is not None
    return following


@dataclass(frozen=True, slots=True)
class Deadlines:
    first_response_due_at: dt.datetime | None
    next_reply_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "first_response_due_at": _iso(self.first_response_due_at),
            "next_reply_due_at": _iso(self.next_reply_due_at),
            "resolution_due_at": _iso(self.resolution_due_at),
        }


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def reply_due(
    cal: BusinessCalendar,
    *,
    received_at: dt.datetime,
    channel: str,
    target: dt.timedelta | None,
    cutoff: CutoffRule | None,
    use_cutoff: bool = True,
) -> dt.datetime | None:
    """When an answer to a customer message received at ``received_at`` is due."""
    if use_cutoff and cutoff is not None and cutoff.applies_to(channel):
        return cutoff_due(cal, received_at, cutoff.cutoff)
    if target is None:
        return None
    return add_business_time(cal, received_at, target)


def compute_deadlines(
    cal: BusinessCalendar,
    rule: SlaRule | None,
    *,
    channel: str,
    created_at: dt.datetime,
    cutoff: CutoffRule | None = CutoffRule(),
    last_customer_message_at: dt.datetime | None = None,
    pauses: Sequence[tuple[dt.datetime, dt.datetime | None]] = (),
) -> Deadlines:
    """Deadlines of a ticket created at ``created_at``.

    ``next_reply_due_at`` is the deadline for answering a customer message received at
    ``last_customer_message_at`` (default: ``created_at``, i.e. what a follow-up would get).
    ``pauses`` are spans of a pause status; the resolution clock stops during them (an open span,
    end ``None``, leaves the resolution deadline unset while paused).
    Without a rule only the cutoff rule sets deadlines.
    """
    targets = rule.targets if rule else SlaTargets()
    use_cutoff = rule.use_cutoff if rule else True
    first = reply_due(cal, received_at=created_at, channel=channel, target=targets.first_response,
                      cutoff=cutoff, use_cutoff=use_cutoff)
    following = reply_due(cal, received_at=last_customer_message_at or created_at, channel=channel,
                          target=targets.next_reply, cutoff=cutoff, use_cutoff=use_cutoff)
    resolution = None
    if targets.resolution is not None:
        resolution = clock_due(cal, start=created_at, target=targets.resolution, pauses=pauses)
    return Deadlines(first, following, resolution)


def clock_due(
    cal: BusinessCalendar,
    *,
    start: dt.datetime,
    target: dt.timedelta,
    pauses: Sequence[tuple[dt.datetime, dt.datetime | None]] = (),
) -> dt.datetime | None:
    """When ``target`` business time has run from ``start``, not counting the paused spans.

    Returns None while the clock is paused (the last span has no end).
    """
    spans = sorted(
        ((max(a, start), b) for a, b in pauses if b is None or b > start),
        key=lambda span: span[0],
    )
    remaining = target
    cursor = start
    for pause_start, pause_end in spans:
        if pause_start > cursor:
            available = business_time_between(cal, cursor, pause_start)
            if remaining <= available:
                return add_business_time(cal, cursor, remaining)
            remaining -= available
        if pause_end is None:
            return None
        cursor = max(cursor, pause_end)
    return add_business_time(cal, cursor, remaining)


class ClockState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"


def sla_state(
    cal: BusinessCalendar, *, start: dt.datetime, due: dt.datetime, now: dt.datetime, warn_share: float = 0.75
) -> ClockState:
    """Breached at or after ``due``; warning once ``warn_share`` of the business time to ``due`` has run."""
    if now >= due:
        return ClockState.BREACHED
    total = business_time_between(cal, start, due)
    if total <= dt.timedelta(0):
        return ClockState.OK
    elapsed = business_time_between(cal, start, now)
    return ClockState.WARNING if elapsed >= total * warn_share else ClockState.OK


@dataclass(frozen=True, slots=True)
class TimingMetric:
    """A duration in both forms: wall-clock and business time."""

    wall: dt.timedelta
    business: dt.timedelta

    def as_dict(self) -> dict[str, float]:
        return {"wall_seconds": self.wall.total_seconds(), "business_seconds": self.business.total_seconds()}


def measure(cal: BusinessCalendar, start: dt.datetime, end: dt.datetime) -> TimingMetric:
    """Time from ``start`` to ``end`` as wall-clock and business time (e.g. first response time)."""
    return TimingMetric(wall=end - start, business=business_time_between(cal, start, end))
