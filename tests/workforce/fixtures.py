"""Workforce objects for tests (the API permission walk needs one schedule per tenant)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from cxops.core.models import Membership, Workspace
from cxops.tickets.models import Call
from cxops.workforce import services
from cxops.workforce.models import Schedule, ShiftTemplate

KST = dt.timezone(dt.timedelta(hours=9))


def log_calls(workspace: Workspace, agent: Membership | None, moments: list[dt.datetime],
              duration_s: int = 120) -> None:
    Call.objects.bulk_create([Call(workspace=workspace, agent=agent.user if agent else None, summary="문의",
                                   duration_seconds=duration_s, started_at=m, created_at=m) for m in moments])


def day_shift(workspace: Workspace, by: Membership, name: str = "주간", start: str = "09:00",
              length_min: int = 540) -> ShiftTemplate:
    existing = ShiftTemplate.objects.filter(workspace=workspace, name=name).first()
    if existing is not None:
        return existing
    return services.shift_template_save(workspace=workspace, by=by, name=name, start=start, length_min=length_min,
                                        breaks="240+60")


def make_schedule(workspace: Workspace, lead: Membership, agents: list[Membership], weeks: int = 1,
                  start: dt.date | None = None) -> Schedule:
    """A solved one-week schedule with a phone requirement from a few logged calls."""
    day_shift(workspace, lead)
    now = timezone.now()
    log_calls(workspace, agents[0], [now - dt.timedelta(days=d, hours=h) for d in range(1, 15) for h in (0, 1)])
    for agent in agents:
        services.agent_profile_save(workspace=workspace, by=lead, membership_id=agent.pk, contract_hours=40,
                                    days_off="consecutive", max_consecutive_days=6, skills=["phone"])
    if start is None:  # the Monday after today: the logged calls above are history, never the plan
        today = timezone.localdate()
        start = today + dt.timedelta(days=7 - today.weekday())
    schedule = services.schedule_create(workspace=workspace, by=lead, name="테스트 근무표",
                                        start_date=start, weeks=weeks)
    return services.schedule_solve(schedule_id=schedule.pk, time_limit_s=5)


@dataclass
class WorkforceIds:
    schedule_id: int

    def as_values(self) -> dict[str, Any]:
        return dict(self.__dict__)


def make_workforce_objects(workspace: Workspace, owner: Membership) -> WorkforceIds:
    """One (queued, unsolved) schedule: enough for the API permission walk, and fast."""
    from tests.factories import make_member

    day_shift(workspace, owner)
    make_member(workspace, "agent")
    schedule = services.schedule_create(workspace=workspace, by=owner, name="API 근무표",
                                        start_date=dt.date(2026, 11, 30), weeks=1)
    return WorkforceIds(schedule_id=schedule.pk)
