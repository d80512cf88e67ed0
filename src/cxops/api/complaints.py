"""Complaint handling: a ticket's complaint state, flag/unflag, escalations, remedies and their approval,
regulator complaints and the remedy report. Adapters only: the rules live in cxops.complaints.services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja import Path, Query, Router
from ninja import Status as HttpStatus
from pydantic import Field

from cxops.api.access import member, writer
from cxops.api.errors import error_responses
from cxops.api.pagination import SortKey, paginate
from cxops.api.schemas import MAX_ID, MAX_NUMBER, ApiBody, ApiInput, ApiSchema, PageFilters, WorkspaceSlug
from cxops.complaints import selectors, services
from cxops.complaints.models import (
    Agency,
    ComplaintFlag,
    ComplaintType,
    Escalation,
    EscalationStatus,
    RegulatorComplaint,
    RegulatorStatus,
    Remedy,
    RemedyKind,
    RemedyStatus,
    Severity,
)
from cxops.core.models import Membership
from cxops.core.services import ServiceError
from cxops.tickets import selectors as ticket_selectors

router = Router(tags=["complaints"])

TicketNumber = Annotated[int, Path(ge=1, le=MAX_NUMBER, description="워크스페이스 안의 티켓 번호 (예: 1001)")]
RemedyId = Annotated[int, Path(ge=1, le=MAX_ID, description="보상 id")]
EscalationId = Annotated[int, Path(ge=1, le=MAX_ID, description="에스컬레이션 id")]
MAX_WON = 100_000_000


class FlagOut(ApiSchema):
    is_complaint: bool
    source: str = Field(description="rule / model / agent / regulator")
    score: float = Field(description="규칙과 모델을 합친 점수 (0–1)")
    model_score: float | None
    matched: list[str] = Field(description="일치한 규칙 (종류:값)")
    complaint_type: ComplaintType
    severity: Severity
    decided_by: str = Field(description="마지막으로 지정·해제한 상담원 (없으면 '')")
    updated_at: datetime

    @classmethod
    def of(cls, flag: ComplaintFlag) -> FlagOut:
        return cls(is_complaint=flag.is_complaint, source=flag.source, score=flag.score, model_score=flag.model_score,
                   matched=list(flag.matched or []), complaint_type=ComplaintType(flag.complaint_type),
                   severity=Severity(flag.severity), decided_by=flag.decided_by.label if flag.decided_by else "",
                   updated_at=flag.updated_at)


class EscalationOut(ApiSchema):
    id: int
    ticket_number: int
    tier: int
    reason: str
    owner: str = Field(description="담당자 이름 (없으면 '')")
    owner_role: str
    status: EscalationStatus
    due_at: datetime
    breached: bool
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    resolution: str

    @classmethod
    def of(cls, e: Escalation) -> EscalationOut:
        return cls(id=e.pk, ticket_number=e.ticket.number or 0, tier=e.tier, reason=e.reason,
                   owner=e.owner.user.label if e.owner else "", owner_role=e.owner_role,
                   status=EscalationStatus(e.status), due_at=e.due_at, breached=e.breached,
                   acknowledged_at=e.acknowledged_at, resolved_at=e.resolved_at, resolution=e.resolution)


class RemedyOut(ApiSchema):
    id: int
    ticket_number: int
    kind: RemedyKind
    amount: int = Field(description="금액 (원)")
    status: RemedyStatus
    complaint_type: ComplaintType
    reason: str
    within_policy: bool
    proposer: str
    proposer_limit: int = Field(description="제안 당시 제안자의 전결 한도 (원)")
    approver: str
    decision_reason: str
    decided_at: datetime | None
    issued_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, r: Remedy) -> RemedyOut:
        return cls(id=r.pk, ticket_number=r.ticket.number or 0, kind=RemedyKind(r.kind), amount=r.amount,
                   status=RemedyStatus(r.status), complaint_type=ComplaintType(r.complaint_type), reason=r.reason,
                   within_policy=r.within_policy, proposer=r.proposer.label if r.proposer else "",
                   proposer_limit=r.proposer_limit, approver=r.approver.label if r.approver else "",
                   decision_reason=r.decision_reason, decided_at=r.decided_at, issued_at=r.issued_at,
                   created_at=r.created_at)


class ComplaintOut(ApiSchema):
    ticket_number: int
    flag: FlagOut | None
    escalations: list[EscalationOut]
    remedies: list[RemedyOut]


def _complaint(membership: Membership, number: int) -> ComplaintOut:
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    flag = selectors.flag_for_ticket(membership=membership, ticket=ticket)
    return ComplaintOut(
        ticket_number=number, flag=FlagOut.of(flag) if flag else None,
        escalations=[EscalationOut.of(e) for e in selectors.escalations_for_ticket(membership=membership, ticket=ticket)
                     .select_related("ticket")],
        remedies=[RemedyOut.of(r) for r in selectors.remedies_for_ticket(membership=membership, ticket=ticket)
                  .select_related("ticket")])


@router.get("/workspaces/{slug:slug}/tickets/{int:number}/complaint", response={200: ComplaintOut, **error_responses()},
            summary="티켓의 민원 상태 (판정, 에스컬레이션, 보상)")
def complaint_detail(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber) -> ComplaintOut:
    return _complaint(member(request, slug), number)


class FlagIn(ApiBody):
    complaint_type: ComplaintType | None = Field(None, description="비우면 자동 추정값")
    severity: Severity | None = None
    note: str = Field("", max_length=300)


@router.post("/workspaces/{slug:slug}/tickets/{int:number}/complaint/flag",
             response={200: ComplaintOut, **error_responses()}, summary="민원으로 지정 (팀장에게 바로 에스컬레이션)",
             description="상담원의 지정·해제는 기록되어 워크스페이스 민원 감지 모델의 재학습에 쓰입니다.")
def complaint_flag(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber, payload: FlagIn) -> ComplaintOut:
    membership = writer(request, slug)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    services.complaint_flag(ticket=ticket, by=membership, complaint_type=payload.complaint_type or "",
                            severity=payload.severity or "", note=payload.note)
    return _complaint(membership, number)


class UnflagIn(ApiBody):
    note: str = Field("", max_length=300)


@router.post("/workspaces/{slug:slug}/tickets/{int:number}/complaint/unflag",
             response={200: ComplaintOut, **error_responses()}, summary="민원 해제 (열린 에스컬레이션 종료)")
def complaint_unflag(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber,
                     payload: UnflagIn) -> ComplaintOut:
    membership = writer(request, slug)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    services.complaint_unflag(ticket=ticket, by=membership, note=payload.note)
    return _complaint(membership, number)


# --- remedies -----------------------------------------------------------------------------------------

class RemedyIn(ApiBody):
    kind: RemedyKind
    amount: int = Field(ge=0, le=MAX_WON, description="금액 (원)")
    reason: str = Field(min_length=1, max_length=300)
    complaint_type: ComplaintType | None = None


@router.post("/workspaces/{slug:slug}/tickets/{int:number}/remedies", response={201: RemedyOut, **error_responses()},
             summary="보상 제안",
             description="보상 정책 안이고 제안자의 전결 한도 이하이면 바로 approved, 아니면 pending_approval이 되고 "
                         "팀장·매니저에게 알림이 갑니다.")
def remedy_create(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber,
                  payload: RemedyIn) -> HttpStatus[RemedyOut]:
    membership = writer(request, slug)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    remedy = services.remedy_propose(ticket=ticket, by=membership, kind=payload.kind, amount=payload.amount,
                                     reason=payload.reason, complaint_type=payload.complaint_type or "")
    return HttpStatus(201, RemedyOut.of(remedy))


class RemedyPage(ApiSchema):
    items: list[RemedyOut]
    next_cursor: str | None


class RemedyFilters(PageFilters):
    status: RemedyStatus | None = Field(None, description="이 상태만 (예: pending_approval)")


@router.get("/workspaces/{slug:slug}/remedies", response={200: RemedyPage, **error_responses()},
            summary="보상 목록 (최근 것부터)")
def remedy_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[RemedyFilters]) -> dict[str, Any]:
    membership = member(request, slug)
    qs = Remedy.objects.filter(workspace_id=membership.workspace_id).select_related("ticket", "proposer", "approver")
    if filters.status:
        qs = qs.filter(status=filters.status)
    rows, next_cursor = paginate(qs, keys=[SortKey("id", True, "int")], cursor=filters.cursor, limit=filters.limit,
                                 tag="remedies")
    return {"items": [RemedyOut.of(r) for r in rows], "next_cursor": next_cursor}


class DecisionIn(ApiBody):
    reason: str = Field("", max_length=300, description="승인·반려 사유 (반려는 필수)")


def _remedy(membership: Membership, remedy_id: int) -> Remedy:
    return selectors.remedy_get(membership=membership, remedy_id=remedy_id)


@router.post("/workspaces/{slug:slug}/remedies/{int:remedy_id}/approve", response={200: RemedyOut, **error_responses()},
             summary="보상 승인 (팀장 이상, 승인자 한도 안)")
def remedy_approve(request: HttpRequest, slug: WorkspaceSlug, remedy_id: RemedyId, payload: DecisionIn) -> RemedyOut:
    membership = writer(request, slug)
    return RemedyOut.of(services.remedy_approve(remedy=_remedy(membership, remedy_id), by=membership,
                                                reason=payload.reason))


@router.post("/workspaces/{slug:slug}/remedies/{int:remedy_id}/reject", response={200: RemedyOut, **error_responses()},
             summary="보상 반려 (팀장 이상, 사유 필수)")
def remedy_reject(request: HttpRequest, slug: WorkspaceSlug, remedy_id: RemedyId, payload: DecisionIn) -> RemedyOut:
    membership = writer(request, slug)
    return RemedyOut.of(services.remedy_reject(remedy=_remedy(membership, remedy_id), by=membership,
                                               reason=payload.reason))


@router.post("/workspaces/{slug:slug}/remedies/{int:remedy_id}/issue", response={200: RemedyOut, **error_responses()},
             summary="승인된 보상을 지급 완료로 표시")
def remedy_issue(request: HttpRequest, slug: WorkspaceSlug, remedy_id: RemedyId) -> RemedyOut:
    membership = writer(request, slug)
    return RemedyOut.of(services.remedy_issue(remedy=_remedy(membership, remedy_id), by=membership))


class ReportRowOut(ApiSchema):
    product: str
    reason: str
    kind: str
    count: int
    amount: int


class ReportFilters(ApiInput):
    date_from: date | None = Field(None, alias="from", description="시작일 (포함, 워크스페이스 시간대)")
    date_to: date | None = Field(None, alias="to", description="종료일 (포함)")


@router.get("/workspaces/{slug:slug}/remedies/report", response={200: list[ReportRowOut], **error_responses()},
            summary="승인·지급된 보상의 상품·사유별 집계")
def remedy_report(request: HttpRequest, slug: WorkspaceSlug, filters: Query[ReportFilters]) -> list[ReportRowOut]:
    membership = member(request, slug)
    tz = ZoneInfo(membership.workspace.timezone or "Asia/Seoul")
    since = datetime.combine(filters.date_from, time.min, tzinfo=tz) if filters.date_from else None
    until = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=tz) if filters.date_to else None
    return [ReportRowOut(product=r.product, reason=r.reason, kind=r.kind, count=r.count, amount=r.amount)
            for r in selectors.remedies_report(membership=membership, since=since, until=until)]


# --- escalations --------------------------------------------------------------------------------------

class EscalationPage(ApiSchema):
    items: list[EscalationOut]
    next_cursor: str | None


class EscalationFilters(PageFilters):
    open_only: bool = Field(True, description="완료되지 않은 것만")


@router.get("/workspaces/{slug:slug}/escalations", response={200: EscalationPage, **error_responses()},
            summary="에스컬레이션 목록 (최근 것부터)")
def escalation_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[EscalationFilters]) -> dict[str, Any]:
    membership = member(request, slug)
    qs = Escalation.objects.filter(workspace_id=membership.workspace_id).select_related("ticket", "owner__user")
    if filters.open_only:
        qs = qs.exclude(status=EscalationStatus.RESOLVED)
    rows, next_cursor = paginate(qs, keys=[SortKey("id", True, "int")], cursor=filters.cursor, limit=filters.limit,
                                 tag="escalations")
    return {"items": [EscalationOut.of(e) for e in rows], "next_cursor": next_cursor}


class ResolveIn(ApiBody):
    resolution: str = Field("", max_length=300)


@router.post("/workspaces/{slug:slug}/escalations/{int:escalation_id}/acknowledge",
             response={200: EscalationOut, **error_responses()}, summary="에스컬레이션 확인 (담당자·팀장 이상)")
def escalation_acknowledge(request: HttpRequest, slug: WorkspaceSlug, escalation_id: EscalationId) -> EscalationOut:
    membership = writer(request, slug)
    escalation = selectors.escalation_get(membership=membership, escalation_id=escalation_id)
    return EscalationOut.of(services.escalation_acknowledge(escalation=escalation, by=membership))


@router.post("/workspaces/{slug:slug}/escalations/{int:escalation_id}/resolve",
             response={200: EscalationOut, **error_responses()}, summary="에스컬레이션 완료")
def escalation_resolve(request: HttpRequest, slug: WorkspaceSlug, escalation_id: EscalationId,
                       payload: ResolveIn) -> EscalationOut:
    membership = writer(request, slug)
    escalation = selectors.escalation_get(membership=membership, escalation_id=escalation_id)
    return EscalationOut.of(services.escalation_resolve(escalation=escalation, by=membership,
                                                        resolution=payload.resolution))


# --- regulator complaints -----------------------------------------------------------------------------

class RegulatorOut(ApiSchema):
    id: int
    agency: Agency
    reference_number: str
    received_on: date
    response_due: date
    d_label: str = Field(description="회신 기한까지 (D-3, D-day, D+1)")
    status: RegulatorStatus
    summary: str
    ticket_number: int | None

    @classmethod
    def of(cls, item: RegulatorComplaint, today: date) -> RegulatorOut:
        return cls(id=item.pk, agency=Agency(item.agency), reference_number=item.reference_number,
                   received_on=item.received_on, response_due=item.response_due,
                   d_label=selectors.d_day(item.response_due, today), status=RegulatorStatus(item.status),
                   summary=item.summary, ticket_number=item.ticket.number if item.ticket else None)


def _today(membership: Membership) -> date:
    from django.utils import timezone

    return timezone.localtime(timezone.now(), ZoneInfo(membership.workspace.timezone or "Asia/Seoul")).date()


class RegulatorFilters(ApiInput):
    open_only: bool = Field(True, description="회신 대기(접수·회신 준비)만")


@router.get("/workspaces/{slug:slug}/regulator-complaints", response={200: list[RegulatorOut], **error_responses()},
            summary="기관 민원 목록 (회신 기한 순)")
def regulator_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[RegulatorFilters]) -> list[RegulatorOut]:
    membership = member(request, slug)
    today = _today(membership)
    return [RegulatorOut.of(i, today)
            for i in selectors.regulator_list(membership=membership, open_only=filters.open_only)[:500]]


class RegulatorIn(ApiBody):
    agency: Agency
    reference_number: str = Field(min_length=1, max_length=80, description="기관 접수 번호")
    received_on: date
    response_due: date
    summary: str = Field("", max_length=5000)
    ticket_number: int | None = Field(None, ge=1, le=MAX_NUMBER, description="연결할 티켓 번호")


@router.post("/workspaces/{slug:slug}/regulator-complaints", response={201: RegulatorOut, **error_responses()},
             summary="기관 민원 등록 (1372 소비자상담센터, 한국소비자원, 국민신문고 …)",
             description="티켓을 연결하면 그 티켓을 '심각' 민원으로 지정하고 에스컬레이션합니다. 회신 기한 N일 전, "
                         "전날, 당일, 초과 후 매일 알림이 갑니다.")
def regulator_create(request: HttpRequest, slug: WorkspaceSlug, payload: RegulatorIn) -> HttpStatus[RegulatorOut]:
    membership = writer(request, slug)
    ticket = (ticket_selectors.ticket_get(membership=membership, number=payload.ticket_number)
              if payload.ticket_number else None)
    if not date(2000, 1, 1) <= payload.received_on <= date(2100, 12, 31) or payload.response_due > date(2100, 12, 31):
        raise ServiceError("날짜는 2000-01-01~2100-12-31 사이여야 합니다.")
    item = services.regulator_add(workspace=membership.workspace, by=membership, agency=payload.agency,
                                  reference_number=payload.reference_number, received_on=payload.received_on,
                                  response_due=payload.response_due, summary=payload.summary, ticket=ticket)
    return HttpStatus(201, RegulatorOut.of(item, _today(membership)))
