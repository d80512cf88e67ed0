"""Business calendars and SLA policies of a workspace. Adapters only: the rules live in
cxops.sla.services (saving one recomputes the deadlines of open tickets in a background job)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

from django.http import HttpRequest
from ninja import Path, Router
from ninja import Status as HttpStatus
from pydantic import Field

from cxops.api.access import member
from cxops.api.errors import error_responses
from cxops.api.schemas import MAX_ID, ApiBody, ApiSchema, Id, WorkspaceSlug
from cxops.core.models import Membership, Role, Team
from cxops.core.services import ServiceError
from cxops.sla import selectors, services
from cxops.sla.models import BusinessCalendarConfig, SlaPolicy
from cxops.tickets.models import Channel, Priority, Status, TicketType

router = Router(tags=["sla"])

CalendarId = Annotated[int, Path(ge=1, le=MAX_ID, description="영업시간 달력 id")]
PolicyId = Annotated[int, Path(ge=1, le=MAX_ID, description="SLA 정책 id")]
MSG_MANAGER_ONLY = "영업시간과 SLA 정책은 매니저 이상만 바꿀 수 있습니다."
Interval = Annotated[str, Field(pattern=r"^\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}$", examples=["09:00-12:00"])]


def _manager(request: HttpRequest, slug: str) -> Membership:
    membership = member(request, slug)
    if not (membership.can_write and membership.has_role(Role.MANAGER)):
        raise PermissionError(MSG_MANAGER_ONLY)
    return membership


class HolidayIn(ApiSchema):
    date: dt.date
    name: str = Field("", max_length=80)


class OverrideIn(ApiSchema):
    date: dt.date
    intervals: list[Interval] = Field(default_factory=list, max_length=8, description="비우면 그날 휴무")
    note: str = Field("", max_length=120)


class CalendarOut(ApiSchema):
    id: int
    name: str
    team_id: int | None
    timezone: str
    weekly_hours: dict[str, list[str]]
    use_korean_holidays: bool
    extra_holidays: list[dict[str, Any]]
    overrides: list[dict[str, Any]]
    cutoff_time: str = Field(description="이 시각 전 접수(게시판·이메일)는 그날 마감까지, 이후는 다음 영업일 마감까지")
    cutoff_channels: list[str]
    is_default: bool
    updated_at: dt.datetime

    @classmethod
    def of(cls, c: BusinessCalendarConfig) -> CalendarOut:
        return cls(id=c.pk, name=c.name, team_id=c.team_id, timezone=c.timezone,
                   weekly_hours={k: list(v) for k, v in (c.weekly_hours or {}).items()},
                   use_korean_holidays=c.use_korean_holidays, extra_holidays=list(c.extra_holidays or []),
                   overrides=list(c.overrides or []), cutoff_time=c.cutoff_time.strftime("%H:%M"),
                   cutoff_channels=list(c.cutoff_channels or []), is_default=c.is_default, updated_at=c.updated_at)


class CalendarIn(ApiBody):
    NOT_NULL: ClassVar[tuple[str, ...]] = ("name", "timezone", "weekly_hours", "use_korean_holidays",
                                           "extra_holidays", "overrides", "cutoff_time", "cutoff_channels",
                                           "is_default")
    name: str | None = Field(None, min_length=1, max_length=80)
    team_id: Id | None = Field(None, description="팀 달력이면 팀 id")
    timezone: str | None = Field(None, max_length=64)
    weekly_hours: dict[str, list[Interval]] | None = Field(
        None, description='요일별 영업 구간: {"mon": ["09:00-12:00", "13:00-18:00"], …, "sun": []}')
    use_korean_holidays: bool | None = None
    extra_holidays: list[HolidayIn] | None = Field(None, max_length=400)
    overrides: list[OverrideIn] | None = Field(None, max_length=400)
    cutoff_time: dt.time | None = None
    cutoff_channels: list[Channel] | None = None
    is_default: bool | None = None


class PolicyOut(ApiSchema):
    id: int
    name: str
    position: int
    is_active: bool
    calendar_id: int | None
    channels: list[str]
    priorities: list[str]
    types: list[str]
    customer_tiers: list[str]
    tags: list[str]
    first_response_minutes: int | None
    next_reply_minutes: int | None
    resolution_minutes: int | None
    pause_statuses: list[str]
    warn_share: float
    use_cutoff: bool
    updated_at: dt.datetime

    @classmethod
    def of(cls, p: SlaPolicy) -> PolicyOut:
        return cls(id=p.pk, updated_at=p.updated_at, **p.snapshot())


class PolicyIn(ApiBody):
    NOT_NULL: ClassVar[tuple[str, ...]] = ("name", "position", "is_active", "channels", "priorities", "types",
                                           "customer_tiers", "tags", "pause_statuses", "warn_share", "use_cutoff")
    name: str | None = Field(None, min_length=1, max_length=80)
    position: int | None = Field(None, ge=0, le=10_000, description="작은 값부터 조건을 확인; 처음 맞는 정책이 적용")
    is_active: bool | None = None
    calendar_id: Id | None = Field(None, description="이 정책의 달력 (없으면 팀·워크스페이스 달력)")
    channels: list[Channel] | None = None
    priorities: list[Priority] | None = None
    types: list[TicketType] | None = None
    customer_tiers: list[Annotated[str, Field(max_length=30)]] | None = Field(None, max_length=50)
    tags: list[Annotated[str, Field(max_length=60)]] | None = Field(None, max_length=50)
    first_response_minutes: int | None = Field(None, ge=1, le=525_600, description="영업시간 기준 분")
    next_reply_minutes: int | None = Field(None, ge=1, le=525_600)
    resolution_minutes: int | None = Field(None, ge=1, le=525_600)
    pause_statuses: list[Status] | None = None
    warn_share: float | None = Field(None, gt=0, le=1, description="기한까지 영업시간 중 이 비율이 지나면 임박 알림")
    use_cutoff: bool | None = None


@router.get("/workspaces/{slug:slug}/sla/calendars", response={200: list[CalendarOut], **error_responses()},
            summary="영업시간 달력 목록")
def sla_calendar_list(request: HttpRequest, slug: WorkspaceSlug) -> list[CalendarOut]:
    membership = member(request, slug)
    return [CalendarOut.of(c) for c in selectors.calendars_list(workspace=membership.workspace)]


def _calendar_save(membership: Membership, payload: CalendarIn,
                   calendar: BusinessCalendarConfig | None) -> BusinessCalendarConfig:
    fields = payload.model_fields_set
    base = calendar or selectors.default_calendar_config(membership.workspace)

    def pick(name: str, current: Any) -> Any:
        return getattr(payload, name) if name in fields else current

    team: Team | None = calendar.team if calendar else None
    if "team_id" in fields:
        team = None
        if payload.team_id is not None:
            team = Team.objects.filter(workspace=membership.workspace, pk=payload.team_id).first()
            if team is None:
                raise ServiceError(f"이 워크스페이스에 없는 팀입니다: {payload.team_id}")
    if calendar is None and not payload.name:
        raise ServiceError("달력 이름(name)을 보내 주세요.")
    holidays = ([h.model_dump(mode="json") for h in payload.extra_holidays]
                if payload.extra_holidays is not None else base.extra_holidays)
    overrides = ([o.model_dump(mode="json") for o in payload.overrides]
                 if payload.overrides is not None else base.overrides)
    return services.calendar_save(
        workspace=membership.workspace, actor=membership.user, calendar=calendar,
        name=pick("name", base.name), team=team, timezone=pick("timezone", base.timezone),
        weekly_hours=pick("weekly_hours", base.weekly_hours),
        use_korean_holidays=pick("use_korean_holidays", base.use_korean_holidays),
        extra_holidays=holidays, overrides=overrides, cutoff_time=pick("cutoff_time", base.cutoff_time),
        cutoff_channels=[str(c) for c in pick("cutoff_channels", base.cutoff_channels)],
        is_default=pick("is_default", base.is_default if calendar else False),
    )


@router.post("/workspaces/{slug:slug}/sla/calendars", response={201: CalendarOut, **error_responses()},
             summary="영업시간 달력 만들기 (매니저 이상)",
             description="빠진 항목은 한국 기본값(평일 09–18시, 점심 12–13시, 공휴일 휴무, 17시 마감 규칙)입니다.")
def sla_calendar_create(request: HttpRequest, slug: WorkspaceSlug, payload: CalendarIn) -> HttpStatus[CalendarOut]:
    membership = _manager(request, slug)
    return HttpStatus(201, CalendarOut.of(_calendar_save(membership, payload, None)))


@router.patch("/workspaces/{slug:slug}/sla/calendars/{int:calendar_id}",
              response={200: CalendarOut, **error_responses()},
              summary="영업시간 달력 바꾸기 (매니저 이상; 진행 중 티켓의 기한을 다시 계산)")
def sla_calendar_update(request: HttpRequest, slug: WorkspaceSlug, calendar_id: CalendarId,
                        payload: CalendarIn) -> CalendarOut:
    membership = _manager(request, slug)
    calendar = selectors.calendar_get(workspace=membership.workspace, calendar_id=calendar_id)
    return CalendarOut.of(_calendar_save(membership, payload, calendar))


@router.get("/workspaces/{slug:slug}/sla/policies", response={200: list[PolicyOut], **error_responses()},
            summary="SLA 정책 목록 (확인 순서대로)")
def sla_policy_list(request: HttpRequest, slug: WorkspaceSlug) -> list[PolicyOut]:
    membership = member(request, slug)
    return [PolicyOut.of(p) for p in selectors.policies_list(workspace=membership.workspace)]


def _policy_save(membership: Membership, payload: PolicyIn, policy: SlaPolicy | None) -> SlaPolicy:
    fields = payload.model_fields_set
    if policy is None and not payload.name:
        raise ServiceError("정책 이름(name)을 보내 주세요.")
    current = policy.snapshot() if policy else {}
    calendar = policy.calendar if policy else None
    if "calendar_id" in fields:
        calendar = (selectors.calendar_get(workspace=membership.workspace, calendar_id=payload.calendar_id)
                    if payload.calendar_id is not None else None)
    values: dict[str, Any] = {}
    defaults: dict[str, Any] = {"position": 100, "is_active": True, "channels": [], "priorities": [], "types": [],
                                "customer_tiers": [], "tags": [], "first_response_minutes": None,
                                "next_reply_minutes": None, "resolution_minutes": None,
                                "pause_statuses": ["pending"], "warn_share": 0.75, "use_cutoff": True}
    for name, default in {"name": "", **defaults}.items():
        value = getattr(payload, name) if name in fields else current.get(name, default)
        values[name] = [str(v) for v in value] if isinstance(value, list) else value
    return services.policy_save(workspace=membership.workspace, actor=membership.user, policy=policy,
                                calendar=calendar, **values)


@router.post("/workspaces/{slug:slug}/sla/policies", response={201: PolicyOut, **error_responses()},
             summary="SLA 정책 만들기 (매니저 이상)")
def sla_policy_create(request: HttpRequest, slug: WorkspaceSlug, payload: PolicyIn) -> HttpStatus[PolicyOut]:
    membership = _manager(request, slug)
    return HttpStatus(201, PolicyOut.of(_policy_save(membership, payload, None)))


@router.patch("/workspaces/{slug:slug}/sla/policies/{int:policy_id}", response={200: PolicyOut, **error_responses()},
              summary="SLA 정책 바꾸기 (매니저 이상; 진행 중 티켓의 기한을 다시 계산)")
def sla_policy_update(request: HttpRequest, slug: WorkspaceSlug, policy_id: PolicyId,
                      payload: PolicyIn) -> PolicyOut:
    membership = _manager(request, slug)
    policy = selectors.policy_get(workspace=membership.workspace, policy_id=policy_id)
    return PolicyOut.of(_policy_save(membership, payload, policy))
