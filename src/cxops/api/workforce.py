"""Workforce planning: staffing calculation, channel forecasts, schedules and agent KPIs.
Adapters only: the rules live in cxops.workforce (pure engine, selectors)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Path, Query, Router
from pydantic import Field, model_validator

from cxops.api.access import member
from cxops.api.errors import error_responses
from cxops.api.pagination import SortKey, paginate
from cxops.api.schemas import MAX_ID, ApiInput, ApiSchema, PageFilters, WorkspaceSlug
from cxops.core.masking import mask_name
from cxops.core.models import Membership
from cxops.core.services import ServiceError
from cxops.workforce import erlang, selectors
from cxops.workforce.models import Schedule

router = Router(tags=["workforce"])

ScheduleId = Annotated[int, Path(ge=1, le=MAX_ID, description="근무표 id")]
ChannelName = Literal["board", "phone", "email", "chat", "marketplace", "messenger", "api", "import"]
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _masked(membership: Membership, label: str) -> str:
    return label if membership.can_write else mask_name(label)


# --- staffing -------------------------------------------------------------------------------------

class StaffingCalc:
    class Filters(ApiInput):
        calls: float = Field(ge=0, le=1_000_000, description="구간 인입 건수")
        interval_min: int = Field(30, ge=1, le=1440, description="구간 길이(분)")
        aht_s: float = Field(gt=0, le=86_400, description="평균 처리 시간(초)")
        target_sl: float | None = Field(0.8, ge=0, lt=1, description="목표 서비스 레벨 (비우면 목표 없음)")
        answer_within_s: float = Field(20, ge=0, le=86_400, description="서비스 레벨 기준 응답 시간(초)")
        max_asa_s: float | None = Field(None, ge=0, le=86_400, description="최대 평균 응답 대기(초)")
        shrinkage: Decimal = Field(Decimal(0), ge=0, lt=1, description="비가동률 (0.3 = 30%)")
        max_occupancy: Decimal | None = Field(None, gt=0, le=1, description="최대 점유율")
        patience_s: float | None = Field(None, gt=0, le=86_400, description="평균 인내 시간(초): Erlang A")
        max_abandonment: float | None = Field(None, ge=0, le=1, description="최대 포기율 (Erlang A)")

    class Out(ApiSchema):
        agents: int = Field(description="필요 상담원 (동시 응대 인원)")
        scheduled: int = Field(description="비가동률을 반영한 배치 인원")
        service_level: float
        p_wait: float
        asa_s: float
        occupancy: float
        abandonment: float


@router.get("/workspaces/{slug:slug}/workforce/staffing", response={200: StaffingCalc.Out, **error_responses()},
            summary="구간 필요 인원 계산 (Erlang C / A)",
            description="인입 건수, 평균 처리 시간과 목표로 필요한 상담원 수를 정확히 계산합니다. "
                        "patience_s를 주면 포기를 반영한 Erlang A를 씁니다.")
def workforce_staffing(request: HttpRequest, slug: WorkspaceSlug,
                       filters: Query[StaffingCalc.Filters]) -> dict[str, Any]:
    member(request, slug)
    try:
        target = erlang.StaffingTarget(
            service_level=filters.target_sl, answer_within_s=filters.answer_within_s, max_asa_s=filters.max_asa_s,
            max_occupancy=filters.max_occupancy, max_abandonment=filters.max_abandonment,
            shrinkage=filters.shrinkage)
        result = erlang.required_agents(calls=filters.calls, interval_s=filters.interval_min * 60,
                                        aht_s=filters.aht_s, target=target, patience_s=filters.patience_s)
    except ValueError as exc:
        raise ServiceError(f"목표를 맞출 수 없습니다: {exc}") from exc
    return result.as_dict()


# --- forecast -------------------------------------------------------------------------------------

class ChannelForecast:
    class Filters(ApiInput):
        channel: ChannelName = Field("phone", description="채널")
        start: dt.date | None = Field(None, description="첫날 (기본: 오늘)")
        days: int = Field(7, ge=1, le=42, description="일수")
        interval_min: int = Field(30, ge=15, le=60, description="구간 길이(분): 15, 30, 60")

        @model_validator(mode="after")
        def _range(self) -> ChannelForecast.Filters:
            if self.interval_min not in (15, 30, 60):
                raise ValueError("interval_min은 15, 30, 60 중 하나입니다.")
            if self.start is not None and not FIRST_DAY <= self.start <= LAST_DAY:
                raise ValueError("start는 2000-01-01~2100-12-31 사이여야 합니다.")
            return self

    class Point(ApiSchema):
        date: dt.date
        interval_start: str = Field(description="HH:MM")
        forecast: float

    class Out(ApiSchema):
        channel: str
        interval_min: int
        source: str = Field(description="csv / history (저장된 예측 또는 최근 8주 이력) / none (이력 없음)")
        total: float
        points: list[ChannelForecast.Point]


@router.get("/workspaces/{slug:slug}/workforce/forecast", response={200: ChannelForecast.Out, **error_responses()},
            summary="채널 구간별 인입 예측")
def workforce_forecast(request: HttpRequest, slug: WorkspaceSlug,
                       filters: Query[ChannelForecast.Filters]) -> dict[str, Any]:
    membership = member(request, slug)
    start = filters.start or selectors.today_for(membership.workspace)
    view = selectors.forecast_for(workspace=membership.workspace, channel=filters.channel, start=start,
                                  days=filters.days, interval_min=filters.interval_min)
    starts = selectors.interval_starts(filters.interval_min)
    points = [{"date": start + dt.timedelta(days=d), "interval_start": f"{starts[i]:%H:%M}",
               "forecast": round(float(view.values[d, i]), 3)}
              for d in range(filters.days) for i in range(len(starts))]
    return {"channel": filters.channel, "interval_min": filters.interval_min, "source": view.source,
            "total": round(view.total, 3), "points": points}


# --- schedules ------------------------------------------------------------------------------------

class ScheduleOut(ApiSchema):
    id: int
    name: str
    start_date: dt.date
    weeks: int
    interval_min: int
    status: str = Field(description="draft / published")
    solve_status: str = Field(description="queued / running / done / failed")
    solve_message: str
    published_at: dt.datetime | None

    @classmethod
    def of(cls, s: Schedule) -> ScheduleOut:
        return cls(id=s.pk, name=s.name, start_date=s.start_date, weeks=s.weeks, interval_min=s.interval_min,
                   status=s.status, solve_status=s.solve_status, solve_message=s.solve_message,
                   published_at=s.published_at)


class ScheduleList:
    class Page(ApiSchema):
        items: list[ScheduleOut]
        next_cursor: str | None


@router.get("/workspaces/{slug:slug}/workforce/schedules", response={200: ScheduleList.Page, **error_responses()},
            summary="근무표 목록")
def workforce_schedule_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[PageFilters]) -> dict[str, Any]:
    membership = member(request, slug)
    rows, next_cursor = paginate(Schedule.objects.filter(workspace=membership.workspace),
                                 keys=[SortKey("id", True, "int")], cursor=filters.cursor, limit=filters.limit,
                                 tag="schedules")
    return {"items": [ScheduleOut.of(s) for s in rows], "next_cursor": next_cursor}


class ScheduleGet:
    class Assignment(ApiSchema):
        member_id: int
        agent: str = Field(description="상담원 이름 (고객사 열람자에게는 가려서)")
        date: dt.date
        shift: str
        start: str = Field(description="HH:MM")
        length_min: int
        channel: str

    class Gap(ApiSchema):
        date: dt.date
        interval_start: str
        channel: str
        required: int
        scheduled: int
        gap: int

    class Out(ScheduleOut):
        assignments: list[ScheduleGet.Assignment]
        under_coverage: int = Field(description="부족한 상담원·구간의 합")
        gaps: list[ScheduleGet.Gap]


@router.get("/workspaces/{slug:slug}/workforce/schedules/{schedule_id}",
            response={200: ScheduleGet.Out, **error_responses()}, summary="근무표 (배정과 부족 구간)")
def workforce_schedule_get(request: HttpRequest, slug: WorkspaceSlug, schedule_id: ScheduleId) -> dict[str, Any]:
    membership = member(request, slug)
    try:
        schedule = selectors.schedule_get(workspace=membership.workspace, schedule_id=schedule_id)
    except Schedule.DoesNotExist as exc:
        raise Http404 from exc
    assignments = selectors.schedule_assignments(schedule=schedule)
    cover = selectors.coverage(schedule=schedule, assignments=assignments)
    return {
        **ScheduleOut.of(schedule).dict(),
        "assignments": [{"member_id": a.membership_id, "agent": _masked(membership, a.membership.user.label),
                         "date": a.date, "shift": a.shift.name, "start": f"{a.shift.start:%H:%M}",
                         "length_min": a.shift.length_min, "channel": a.channel} for a in assignments],
        "under_coverage": sum(s.gap for s in cover),
        "gaps": [{"date": s.date, "interval_start": f"{s.start:%H:%M}", "channel": s.channel,
                  "required": s.required, "scheduled": s.scheduled, "gap": s.gap} for s in cover if s.gap][:1000],
    }


# --- KPIs -----------------------------------------------------------------------------------------

class Kpis:
    class Filters(ApiInput):
        start: dt.date | None = Field(None, description="첫날 (기본: 끝 6일 전)")
        end: dt.date | None = Field(None, description="마지막 날 (기본: 오늘)")

        @model_validator(mode="after")
        def _range(self) -> Kpis.Filters:
            for value in (self.start, self.end):
                if value is not None and not FIRST_DAY <= value <= LAST_DAY:
                    raise ValueError("날짜는 2000-01-01~2100-12-31 사이여야 합니다.")
            if self.start and self.end and not 0 <= (self.end - self.start).days <= 92:
                raise ValueError("기간은 93일 이내이고 start가 end보다 앞서야 합니다.")
            return self

    class Row(ApiSchema):
        member_id: int | None
        agent: str
        tickets_solved: int
        calls: int
        handle_time_s: float | None = Field(description="평균 통화 시간(초)")
        replies: int
        first_response_min: float | None
        first_response_business_min: float | None
        resolution_h: float | None
        resolution_business_h: float | None
        sla_attainment: float | None
        backlog: int
        occupancy: float | None
        qa_average: float | None
        qa_count: int

    class Out(ApiSchema):
        start: dt.date
        end: dt.date
        sla_source: str = Field(description="policy (SLA 정책의 첫 응답 목표) / settings (채널 응답 기한)")
        csat: None = Field(None, description="CSAT는 아직 수집하지 않습니다")
        agents: list[Kpis.Row]
        team: Kpis.Row


def _kpi_row(row: selectors.AgentKpi, member_id: int | None, label: str) -> dict[str, Any]:
    return {"member_id": member_id, "agent": label, "tickets_solved": row.tickets_solved, "calls": row.calls,
            "handle_time_s": row.handle_time_s, "replies": row.replies, "first_response_min": row.first_response_min,
            "first_response_business_min": row.first_response_business_min, "resolution_h": row.resolution_h,
            "resolution_business_h": row.resolution_business_h, "sla_attainment": row.sla_attainment,
            "backlog": row.backlog, "occupancy": row.occupancy, "qa_average": row.qa_average,
            "qa_count": row.qa_count}


@router.get("/workspaces/{slug:slug}/workforce/kpis", response={200: Kpis.Out, **error_responses()},
            summary="상담원·팀 KPI", description="고객사 열람자에게는 상담원 이름을 가려서 보여 줍니다.")
def workforce_kpis(request: HttpRequest, slug: WorkspaceSlug, filters: Query[Kpis.Filters]) -> dict[str, Any]:
    membership = member(request, slug)
    end = filters.end or selectors.today_for(membership.workspace)
    start = filters.start or end - dt.timedelta(days=6)
    if start > end:
        raise ServiceError("start가 end보다 앞서야 합니다.")
    report = selectors.kpis(workspace=membership.workspace, start=start, end=end, mask=not membership.can_write)
    return {"start": start, "end": end, "sla_source": report.sla_source, "csat": None,
            "agents": [_kpi_row(r, r.membership_id, r.label) for r in report.agents],
            "team": _kpi_row(report.team, None, "팀 전체")}

