"""Reads for SLA: the calendar and policy that apply, and the deadlines they give.

Selectors never write. A workspace without a stored calendar gets the Korean default calendar
(unsaved), so new and existing workspaces work before ``workspace_sla_defaults_install`` runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cxops.core.models import Team, Workspace
from cxops.sla.calendar import (
    KOREAN_DEFAULT_WEEKLY,
    WEEKDAY_KEYS,
    BusinessCalendar,
    business_time_between,
    calendar_from_data,
)
from cxops.sla.models import BusinessCalendarConfig, SlaPolicy
from cxops.sla.policy import CutoffRule, Deadlines, SlaRule, SlaTargets, TicketFacts, compute_deadlines

DEFAULT_CALENDAR_NAME = "기본 영업시간"

_calendar_cache: dict[tuple[Any, ...], BusinessCalendar] = {}


def default_calendar_config(workspace: Workspace) -> BusinessCalendarConfig:
    """The Korean default calendar as an unsaved config (weekdays 09–18, lunch 12–13, 17:00 cutoff)."""
    return BusinessCalendarConfig(
        workspace=workspace, name=DEFAULT_CALENDAR_NAME, timezone="Asia/Seoul",
        weekly_hours={k: list(v) for k, v in KOREAN_DEFAULT_WEEKLY.items()}, use_korean_holidays=True,
        cutoff_time=dt.time(17, 0), cutoff_channels=["board", "email"], is_default=True,
    )


def calendar_for(workspace: Workspace, team: Team | None = None) -> BusinessCalendarConfig:
    """The team's calendar, else the workspace default, else any workspace calendar, else the Korean default."""
    configs = list(BusinessCalendarConfig.objects.filter(workspace=workspace).order_by("-is_default", "name", "id"))
    if team is not None:
        for config in configs:
            if config.team_id == team.pk:
                return config
    for config in configs:
        if config.team_id is None:
            return config
    return default_calendar_config(workspace)


def calendar_value(config: BusinessCalendarConfig) -> BusinessCalendar:
    """The pure calendar of a stored config (cached per row version)."""
    key = (config.pk, config.updated_at, config.name) if config.pk else None
    if key is not None and key in _calendar_cache:
        return _calendar_cache[key]
    value = calendar_from_data(
        timezone=config.timezone, weekly_hours=config.weekly_hours, use_korean_holidays=config.use_korean_holidays,
        extra_holidays=config.extra_holidays or [], overrides=config.overrides or [], name=config.name,
    )
    if key is not None:
        if len(_calendar_cache) > 512:
            _calendar_cache.clear()
        _calendar_cache[key] = value
    return value


def cutoff_rule(config: BusinessCalendarConfig) -> CutoffRule:
    return CutoffRule(cutoff=config.cutoff_time, channels=frozenset(config.cutoff_channels or []))


def policies_for(workspace: Workspace) -> list[SlaPolicy]:
    """Active policies of a workspace in matching order."""
    return list(SlaPolicy.objects.filter(workspace=workspace, is_active=True).select_related("calendar")
                .order_by("position", "id"))


def rule_of(policy: SlaPolicy) -> SlaRule:
    return SlaRule(
        name=policy.name,
        targets=SlaTargets.from_minutes(policy.first_response_minutes, policy.next_reply_minutes,
                                        policy.resolution_minutes),
        channels=frozenset(policy.channels or []), priorities=frozenset(policy.priorities or []),
        types=frozenset(policy.types or []), customer_tiers=frozenset(policy.customer_tiers or []),
        tags=frozenset(policy.tags or []), pause_statuses=frozenset(policy.pause_statuses or []),
        warn_share=policy.warn_share, use_cutoff=policy.use_cutoff,
    )


def policy_for(
    workspace: Workspace, *, channel: str, priority: str = "normal", type: str = "inquiry",
    customer_tier: str = "", tags: Iterable[str] = (),
) -> SlaPolicy | None:
    """The first active policy (by position) whose conditions all hold, or None."""
    facts = TicketFacts(channel=channel, priority=priority, type=type, customer_tier=customer_tier or "",
                        tags=frozenset(tags))
    return next((p for p in policies_for(workspace) if rule_of(p).matches(facts)), None)


@dataclass(frozen=True)
class SlaDeadlines:
    calendar: BusinessCalendarConfig
    policy: SlaPolicy | None
    business_calendar: BusinessCalendar
    deadlines: Deadlines

    def as_dict(self) -> dict[str, Any]:
        return {
            "calendar": self.calendar.name,
            "policy": self.policy.name if self.policy else None,
            **self.deadlines.as_dict(),
            "business_hours": business_hours(self.calendar),
        }


def deadlines_for(
    workspace: Workspace, *, channel: str, created_at: dt.datetime, priority: str = "normal",
    type: str = "inquiry", customer_tier: str = "", tags: Iterable[str] = (), team: Team | None = None,
    last_customer_message_at: dt.datetime | None = None,
    pauses: Sequence[tuple[dt.datetime, dt.datetime | None]] = (),
) -> SlaDeadlines:
    """The deadlines a ticket with these attributes, created at ``created_at``, gets.

    The calendar is the matching policy's own, else the team's, else the workspace's (else the
    Korean default). Storing them on a ticket is a thin call on top of this.
    """
    policy = policy_for(workspace, channel=channel, priority=priority, type=type, customer_tier=customer_tier,
                        tags=tags)
    config = policy.calendar if policy is not None and policy.calendar is not None else calendar_for(workspace, team)
    cal = calendar_value(config)
    deadlines = compute_deadlines(
        cal, rule_of(policy) if policy else None, channel=channel, created_at=created_at,
        cutoff=cutoff_rule(config), last_customer_message_at=last_customer_message_at, pauses=pauses,
    )
    return SlaDeadlines(calendar=config, policy=policy, business_calendar=cal, deadlines=deadlines)


def business_hours(config: BusinessCalendarConfig) -> dict[str, Any]:
    """A plain summary of a calendar for previews and the UI."""
    weekly = config.weekly_hours or {}
    return {
        "timezone": config.timezone,
        "weekly": {key: list(weekly.get(key, [])) for key in WEEKDAY_KEYS},
        "korean_holidays": config.use_korean_holidays,
        "extra_holidays": list(config.extra_holidays or []),
        "overrides": list(config.overrides or []),
        "cutoff": config.cutoff_time.strftime("%H:%M"),
        "cutoff_channels": list(config.cutoff_channels or []),
    }


# --- clocks on tickets ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TargetClock:
    """One target of a ticket as shown to agents."""

    target: str
    label: str
    due_at: dt.datetime | None
    state: str  # running / warning / breached / met / missed / paused / none
    business_left: dt.timedelta | None  # business time to the deadline (negative: overdue)
    met_at: dt.datetime | None = None


@dataclass(frozen=True)
class TimingPair:
    wall: dt.timedelta
    business: dt.timedelta


@dataclass(frozen=True)
class TicketSla:
    policy_name: str | None
    calendar_name: str
    paused: bool
    clocks: list[TargetClock]
    first_response: TimingPair | None
    resolution: TimingPair | None
    events: list[Any]


def _target_label(target: str) -> str:
    from cxops.sla.models import SlaTarget

    return str(SlaTarget(target).label)


def _state(ticket: Any, target: str, due: dt.datetime, at: dt.datetime, warned: bool) -> str:
    if due <= at:
        return "breached"
    return "warning" if warned else "running"


def ticket_sla(*, ticket: Any, at: dt.datetime | None = None) -> TicketSla:
    """The SLA of one ticket: each target's deadline and state, and its timings in both forms
    (wall-clock and business time; the business form leaves out time spent paused)."""
    from django.utils.timezone import now

    from cxops.sla import clocks
    from cxops.sla.models import SlaEvent
    from cxops.sla.policy import measure

    at = at or now()
    sla = clocks.workspace_sla(ticket.workspace_id)
    policy = sla.policy_by_id(ticket.sla_policy_id)
    compiled = sla.calendar_for(policy, ticket.team_id)
    cal = compiled.cal
    pauses = policy.rule.pause_statuses if policy else clocks.DEFAULT_RULE_PAUSES
    share = policy.rule.warn_share if policy else 0.75
    running = set(clocks.running_targets(ticket, pauses))
    paused = ticket.sla_paused_at is not None
    rows: list[TargetClock] = []
    for target in clocks.TARGETS:
        due = getattr(ticket, clocks.DUE_FIELD[target])
        met_at = {"first_response": ticket.first_response_at, "resolution": ticket.solved_at}.get(target)
        if target == "next_reply":
            met_at = None
        if met_at is not None and due is not None:
            rows.append(TargetClock(target, _target_label(target), due, "met" if met_at <= due else "missed",
                                    None, met_at))
        elif target in running and due is not None:
            start = clocks._clock_start(ticket, target)
            warned = bool(ticket.sla_flags & clocks.bit(target, "warning")) or \
                clocks.warn_moment(cal, start, due, share) <= at
            rows.append(TargetClock(target, _target_label(target), due, _state(ticket, target, due, at, warned),
                                    business_time_between(cal, at, due)))
        elif paused and ticket.status in clocks.OPEN and (due is not None or target == "resolution"):
            if target == "resolution" and policy is not None and policy.rule.targets.resolution is None:
                continue
            rows.append(TargetClock(target, _target_label(target), due, "paused", None))
    paused_time = dt.timedelta(seconds=int(ticket.sla_paused_seconds or 0))

    def pair(end: dt.datetime | None) -> TimingPair | None:
        if end is None:
            return None
        metric = measure(cal, ticket.created_at, end)
        return TimingPair(metric.wall, max(metric.business - paused_time, dt.timedelta(0)))

    events = list(SlaEvent.objects.filter(ticket_id=ticket.pk).order_by("at", "id"))
    return TicketSla(policy_name=policy.name if policy else None, calendar_name=compiled.name, paused=paused,
                     clocks=rows, first_response=pair(ticket.first_response_at), resolution=pair(ticket.solved_at),
                     events=events)


@dataclass(frozen=True)
class Badge:
    state: str  # ok / warning / breached / paused
    due_at: dt.datetime | None
    business_left: dt.timedelta


def ticket_badge(ticket: Any, at: dt.datetime) -> Badge | None:
    """The inbox badge of a ticket from its stored columns (no queries when the setup is cached)."""
    from cxops.sla import clocks

    if ticket.status not in clocks.OPEN:
        return None
    if ticket.sla_paused_at is not None:
        return Badge("paused", None, dt.timedelta(0))
    due = ticket.sla_next_due_at
    if due is None:
        return None
    sla = clocks.workspace_sla(ticket.workspace_id)
    policy = sla.policy_by_id(ticket.sla_policy_id)
    cal = sla.calendar_for(policy, ticket.team_id).cal
    left = business_time_between(cal, at, due)
    if due <= at:
        return Badge("breached", due, left)
    warned = bool(ticket.sla_flags & 0b010101) or (ticket.sla_next_check_at is not None
                                                   and ticket.sla_next_check_at <= at)
    return Badge("warning" if warned else "ok", due, left)


# --- settings (admin pages and the API) -------------------------------------------------------------

def calendars_list(*, workspace: Workspace) -> list[BusinessCalendarConfig]:
    return list(BusinessCalendarConfig.objects.filter(workspace=workspace).select_related("team")
                .order_by("-is_default", "name", "id"))


def calendar_get(*, workspace: Workspace, calendar_id: int) -> BusinessCalendarConfig:
    """A calendar of this workspace, or 404 (other workspaces' ids look missing)."""
    from django.http import Http404

    found = BusinessCalendarConfig.objects.filter(workspace=workspace, pk=calendar_id).select_related("team").first()
    if found is None:
        raise Http404("달력을 찾을 수 없습니다.")
    return found


def policies_list(*, workspace: Workspace) -> list[SlaPolicy]:
    return list(SlaPolicy.objects.filter(workspace=workspace).select_related("calendar").order_by("position", "id"))


def policy_get(*, workspace: Workspace, policy_id: int) -> SlaPolicy:
    from django.http import Http404

    found = SlaPolicy.objects.filter(workspace=workspace, pk=policy_id).select_related("calendar").first()
    if found is None:
        raise Http404("SLA 정책을 찾을 수 없습니다.")
    return found
