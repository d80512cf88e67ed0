"""Writes for SLA: calendars, policies and the Korean defaults of a workspace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.timezone import now

from cxops.core.audit import diff, record
from cxops.core.models import Team, User, Workspace
from cxops.core.services import ServiceError
from cxops.sla.calendar import KOREAN_DEFAULT_WEEKLY, calendar_from_data
from cxops.sla.models import BusinessCalendarConfig, SlaPolicy
from cxops.sla.policy import SlaRule, SlaTargets
from cxops.sla.selectors import DEFAULT_CALENDAR_NAME
from cxops.tickets.models import Channel, Priority, Status, TicketType

_CALENDAR_FIELDS = ("name", "team_id", "timezone", "weekly_hours", "use_korean_holidays", "extra_holidays",
                    "overrides", "cutoff_time", "cutoff_channels", "is_default")


def _calendar_snapshot(calendar: BusinessCalendarConfig) -> dict[str, Any]:
    data = {f: getattr(calendar, f) for f in _CALENDAR_FIELDS}
    data["cutoff_time"] = calendar.cutoff_time.strftime("%H:%M")  # JSON-safe for the audit row
    return data


def _check_choices(label: str, values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    items = [str(v) for v in values]
    unknown = sorted(set(items) - set(allowed))
    if unknown:
        raise ServiceError(f"알 수 없는 {label}: {', '.join(unknown)} (허용: {', '.join(allowed)})")
    return items


@transaction.atomic
def calendar_save(
    *,
    workspace: Workspace,
    actor: User | None,
    name: str,
    weekly_hours: Mapping[str, Iterable[str]],
    timezone: str = "Asia/Seoul",
    use_korean_holidays: bool = True,
    extra_holidays: Iterable[Any] = (),
    overrides: Iterable[Mapping[str, Any]] = (),
    cutoff_time: dt.time = dt.time(17, 0),
    cutoff_channels: Iterable[str] = ("board", "email"),
    team: Team | None = None,
    is_default: bool = False,
    calendar: BusinessCalendarConfig | None = None,
) -> BusinessCalendarConfig:
    """Create (``calendar=None``) or update a business calendar after validating it."""
    name = name.strip()
    if not name:
        raise ServiceError("달력 이름을 입력해 주세요.")
    if team is not None and team.workspace_id != workspace.pk:
        raise ServiceError("다른 워크스페이스의 팀입니다.")
    if calendar is not None and calendar.workspace_id != workspace.pk:
        raise ServiceError("다른 워크스페이스의 달력입니다.")
    weekly = {str(k): [str(i) for i in v] for k, v in weekly_hours.items()}
    extra = [dict(h) if isinstance(h, Mapping) else {"date": str(h)} for h in extra_holidays]
    extra = [{**h, "date": str(h.get("date", ""))} for h in extra]
    override_rows = [{**dict(o), "date": str(o.get("date", "")), "intervals": list(o.get("intervals") or [])}
                     for o in overrides]
    channels = _check_choices("채널", cutoff_channels, Channel.values)
    try:
        calendar_from_data(timezone=timezone, weekly_hours=weekly, use_korean_holidays=use_korean_holidays,
                           extra_holidays=extra, overrides=override_rows, name=name)
    except ValueError as exc:
        raise ServiceError(f"영업시간 설정을 확인해 주세요: {exc}") from exc
    if BusinessCalendarConfig.objects.filter(workspace=workspace, name=name).exclude(
            pk=calendar.pk if calendar else -1).exists():
        raise ServiceError(f"같은 이름의 달력이 이미 있습니다: {name}")
    if team is None and not is_default and not BusinessCalendarConfig.objects.filter(
            workspace=workspace, is_default=True).exclude(pk=calendar.pk if calendar else -1).exists():
        is_default = True  # the first workspace calendar becomes the default
    if is_default:
        BusinessCalendarConfig.objects.filter(workspace=workspace, is_default=True).exclude(
            pk=calendar.pk if calendar else -1).update(is_default=False, updated_at=now())
    before = _calendar_snapshot(calendar) if calendar else {}
    target = calendar or BusinessCalendarConfig(workspace=workspace)
    target.name, target.team, target.timezone = name, team, timezone
    target.weekly_hours, target.use_korean_holidays = weekly, use_korean_holidays
    target.extra_holidays, target.overrides = extra, override_rows
    target.cutoff_time, target.cutoff_channels, target.is_default = cutoff_time, channels, is_default
    target.updated_at = now()
    target.save()
    record(workspace=workspace, actor=actor, action="sla.calendar_update" if calendar else "sla.calendar_create",
           obj=target, changes=diff(before, _calendar_snapshot(target)))
    return target


@transaction.atomic
def policy_save(
    *,
    workspace: Workspace,
    actor: User | None,
    name: str,
    position: int = 100,
    is_active: bool = True,
    calendar: BusinessCalendarConfig | None = None,
    channels: Iterable[str] = (),
    priorities: Iterable[str] = (),
    types: Iterable[str] = (),
    customer_tiers: Iterable[str] = (),
    tags: Iterable[str] = (),
    first_response_minutes: int | None = None,
    next_reply_minutes: int | None = None,
    resolution_minutes: int | None = None,
    pause_statuses: Iterable[str] = ("pending",),
    warn_share: float = 0.75,
    use_cutoff: bool = True,
    policy: SlaPolicy | None = None,
) -> SlaPolicy:
    """Create (``policy=None``) or update an SLA policy after validating it."""
    name = name.strip()
    if not name:
        raise ServiceError("정책 이름을 입력해 주세요.")
    if policy is not None and policy.workspace_id != workspace.pk:
        raise ServiceError("다른 워크스페이스의 정책입니다.")
    if calendar is not None and calendar.workspace_id != workspace.pk:
        raise ServiceError("다른 워크스페이스의 달력입니다.")
    values: dict[str, Any] = {
        "name": name, "position": position, "is_active": is_active, "calendar": calendar,
        "channels": _check_choices("채널", channels, Channel.values),
        "priorities": _check_choices("우선순위", priorities, Priority.values),
        "types": _check_choices("유형", types, TicketType.values),
        "customer_tiers": sorted({t.strip() for t in customer_tiers if t.strip()}),
        "tags": sorted({t.strip() for t in tags if t.strip()}),
        "first_response_minutes": first_response_minutes, "next_reply_minutes": next_reply_minutes,
        "resolution_minutes": resolution_minutes,
        "pause_statuses": _check_choices("상태", pause_statuses, Status.values),
        "warn_share": warn_share, "use_cutoff": use_cutoff,
    }
    try:
        SlaRule(name=name, targets=SlaTargets.from_minutes(first_response_minutes, next_reply_minutes,
                                                           resolution_minutes), warn_share=warn_share)
    except ValueError as exc:
        raise ServiceError(f"SLA 목표를 확인해 주세요: 목표 시간은 1분 이상, 경고 비율은 0~1 사이여야 합니다 ({exc})") from exc
    if SlaPolicy.objects.filter(workspace=workspace, name=name).exclude(pk=policy.pk if policy else -1).exists():
        raise ServiceError(f"같은 이름의 SLA 정책이 이미 있습니다: {name}")
    before = policy.snapshot() if policy else {}
    target = policy or SlaPolicy(workspace=workspace)
    for key, value in values.items():
        setattr(target, key, value)
    target.updated_at = now()
    target.save()
    record(workspace=workspace, actor=actor, action="sla.policy_update" if policy else "sla.policy_create",
           obj=target, changes=diff(before, target.snapshot()))
    return target


@dataclass(frozen=True)
class SlaDefaults:
    calendar: BusinessCalendarConfig
    policies: list[SlaPolicy]
    created: bool


@transaction.atomic
def workspace_sla_defaults_install(*, workspace: Workspace, actor: User | None = None) -> SlaDefaults:
    """Install the Korean default calendar and policies (idempotent: existing ones are kept).

    Calendar: weekdays 09:00–18:00 with a 12:00–13:00 lunch break, Korean public holidays, a 17:00
    cutoff for board and email. Policies: 긴급 (urgent; 2 h first response, 1 h next reply, 1 business
    day resolution, no cutoff) and 기본 SLA (1 business day first response and next reply — the cutoff
    rule decides for board and email — and 3 business days resolution; paused while pending customer).
    """
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()  # serialise concurrent installs
    created = False
    calendar = BusinessCalendarConfig.objects.filter(workspace=workspace, team=None).order_by(
        "-is_default", "id").first()
    if calendar is None:
        calendar = calendar_save(workspace=workspace, actor=actor, name=DEFAULT_CALENDAR_NAME,
                                 weekly_hours=KOREAN_DEFAULT_WEEKLY, is_default=True)
        created = True
    policies = list(SlaPolicy.objects.filter(workspace=workspace).order_by("position", "id"))
    if not policies:
        policies = [
            policy_save(workspace=workspace, actor=actor, name="긴급", position=10, priorities=["urgent"],
                        first_response_minutes=120, next_reply_minutes=60, resolution_minutes=480,
                        use_cutoff=False),
            policy_save(workspace=workspace, actor=actor, name="기본 SLA", position=100,
                        first_response_minutes=480, next_reply_minutes=480, resolution_minutes=1440),
        ]
        created = True
    return SlaDefaults(calendar=calendar, policies=policies, created=created)
