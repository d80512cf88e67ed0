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
