"""Team collaboration: launch checklists, the change calendar, the request and decision log, and
exception queues. Adapters only: the rules live in cxops.collaboration.services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router
from ninja import Status as HttpStatus
from pydantic import Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from cxops.api.access import member, writer
from cxops.api.errors import error_responses
from cxops.api.pagination import SortKey, paginate
from cxops.api.schemas import MAX_ID, MAX_NUMBER, ApiBody, ApiInput, ApiSchema, Id, PageFilters, UserRef, WorkspaceSlug
from cxops.collaboration import selectors, services
from cxops.collaboration.dates import d_label
from cxops.collaboration.models import (
    ChangeEvent,
    ChangeKind,
    ChecklistComment,
    ChecklistItem,
    CollabRequest,
    ExceptionItem,
    Impact,
    ItemStatus,
    RequestPriority,
    RequestRevision,
    RequestStatus,
)
from cxops.collaboration.rows import Row
from cxops.collaboration.specs import MAX_OFFSET, SpecError, parse_template
from cxops.core.models import Membership, Workspace
from cxops.core.services import ServiceError

router = Router(tags=["collaboration"])

ChecklistId = Annotated[int, Path(ge=1, le=MAX_ID, description="체크리스트 id")]
ChecklistItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="체크리스트 항목 id")]
EventId = Annotated[int, Path(ge=1, le=MAX_ID, description="변경 일정 id")]
RequestNumber = Annotated[int, Path(ge=1, le=MAX_NUMBER, description="워크스페이스 안의 요청 번호 (R-12 → 12)")]
QueueId = Annotated[int, Path(ge=1, le=MAX_ID, description="예외 큐 id")]
QueueItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="예외 큐 항목 id")]

# Dates far outside this range are typos, and business-day arithmetic near year 9999 overflows.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
MAX_RANGE_DAYS = 366


def _in_range(value: date | None) -> date | None:
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"날짜는 {FIRST_DAY.isoformat()}~{LAST_DAY.isoformat()} 사이여야 합니다.")
    return value


def _user_ref(membership: Membership | None) -> UserRef | None:
    if membership is None:
        return None
    return UserRef(id=membership.user.pk, name=membership.user.label, email=membership.user.email)


def _membership_id(workspace: Workspace, user_id: int | None) -> int | None:
    """API callers name people by user id; the collaboration models keep memberships."""
    if user_id is None:
        return None
    found = selectors.member_for_user(workspace=workspace, user_id=user_id)
    if found is None:
        raise ServiceError(f"이 워크스페이스의 구성원이 아닌 사용자입니다: {user_id}")
    return found.pk


# --- 1. launch checklists ---------------------------------------------------------------------------

class ChecklistCommentOut(ApiSchema):
    id: int
    author: str
    body: str
    filename: str = Field(description="첨부 파일 이름 (없으면 '')")
    created_at: datetime

    @classmethod
    def of(cls, comment: ChecklistComment) -> ChecklistCommentOut:
        return cls(id=comment.pk, author=comment.author_label, body=comment.body, filename=comment.filename,
                   created_at=comment.created_at)


class ChecklistItemOut(ApiSchema):
    id: int
    position: int
    title: str
    owner_team: str
    scenario: str
    offset_business_days: int
    due_date: date
    d_label: str = Field(description="기한에서 오픈일까지의 달력 일수 (D-6, D-day, D+3)")
    overdue: bool
    status: ItemStatus
    assignee: UserRef | None
    outside_team: str
    outside_team_email: str
    done_at: datetime | None
    done_by: str
    comments: list[ChecklistCommentOut]

    @classmethod
    def of(cls, item: ChecklistItem, launch_date: date, today: date) -> ChecklistItemOut:
        return cls(id=item.pk, position=item.position, title=item.title, owner_team=item.owner_team,
                   scenario=item.scenario, offset_business_days=item.offset_business_days, due_date=item.due_date,
                   d_label=d_label(item.due_date, launch_date), overdue=selectors.is_overdue(item, today),
                   status=ItemStatus(item.status), assignee=_user_ref(item.assignee),
                   outside_team=item.outside_team, outside_team_email=item.outside_team_email,
                   done_at=item.done_at, done_by=item.done_by_label,
                   comments=[ChecklistCommentOut.of(c) for c in item.comments.all()])


class ChecklistOut(ApiSchema):
    id: int
    name: str
    launch_date: date
    template_name: str
    total: int
    done: int = Field(description="완료·해당 없음 항목 수")
    overdue: int
    created_at: datetime


class ChecklistDetailOut(ChecklistOut):
    items: list[ChecklistItemOut]


def _checklist_detail(membership: Membership, checklist_id: int) -> ChecklistDetailOut:
    checklist = selectors.checklist_get(membership=membership, checklist_id=checklist_id)
    today = selectors.today_for(membership.workspace)
    items = [ChecklistItemOut.of(i, checklist.launch_date, today)
             for i in selectors.checklist_items(checklist=checklist)]
    return ChecklistDetailOut(
        id=checklist.pk, name=checklist.name, launch_date=checklist.launch_date,
        template_name=checklist.template_name, total=len(items),
        done=sum(1 for i in items if i.status in (ItemStatus.DONE, ItemStatus.SKIPPED)),
        overdue=sum(1 for i in items if i.overdue), created_at=checklist.created_at, items=items)


class ChecklistList:
    class Page(ApiSchema):
        items: list[ChecklistOut]
        next_cursor: str | None


@router.get("/workspaces/{slug:slug}/checklists", response={200: ChecklistList.Page, **error_responses()},
            summary="오픈 체크리스트 목록 (진행률 포함)")
def checklist_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[PageFilters]) -> dict[str, Any]:
    membership = member(request, slug)
    rows, next_cursor = paginate(selectors.checklists_list(membership=membership),
                                 keys=[SortKey("id", True, "int")], cursor=filters.cursor, limit=filters.limit,
                                 tag="checklists")
    return {"items": [ChecklistOut(id=c.pk, name=c.name, launch_date=c.launch_date, template_name=c.template_name,
                                   total=c.total, done=c.done, overdue=c.overdue,  # type: ignore[attr-defined]
                                   created_at=c.created_at) for c in rows],
            "next_cursor": next_cursor}


class ChecklistCreate:
    class ItemIn(ApiBody):
        title: str = Field(min_length=1, max_length=200)
        owner_team: str = Field("", max_length=80)
        offset_business_days: int = Field(0, ge=-MAX_OFFSET, le=MAX_OFFSET,
                                          description="오픈일 기준 영업일 (음수 = 이전, 예: -7)")
        scenario: str = Field("", max_length=5000)

    class TemplateIn(ApiBody):
        name: str = Field(min_length=1, max_length=200)
        description: str = Field("", max_length=5000)
        items: list[ChecklistCreate.ItemIn] = Field(min_length=1, max_length=300)

    class Input(ApiBody):
        launch_date: date = Field(description="오픈일 (YYYY-MM-DD)")
        name: str = Field("", max_length=200, description="비우면 템플릿 이름")
        template: ChecklistCreate.TemplateIn | None = Field(None, description="템플릿 내용을 직접 보냅니다")
        template_id: Id | None = Field(None, description="저장된 템플릿의 id")

        _launch = field_validator("launch_date")(_in_range)

        @model_validator(mode="after")
        def _one_template(self) -> ChecklistCreate.Input:
            if (self.template is None) == (self.template_id is None):
                raise ValueError("template과 template_id 중 하나만 보내 주세요.")
            return self


@router.post("/workspaces/{slug:slug}/checklists", response={201: ChecklistDetailOut, **error_responses()},
             summary="템플릿과 오픈일로 체크리스트 만들기",
             description="각 항목의 기한은 워크스페이스 영업일 달력(공휴일·주말 제외)에서 오픈일을 "
                         "offset_business_days만큼 옮긴 날입니다.")
def checklist_create(request: HttpRequest, slug: WorkspaceSlug,
                     payload: ChecklistCreate.Input) -> HttpStatus[ChecklistDetailOut]:
    membership = writer(request, slug)
    if payload.template_id is not None:
        spec = services.template_spec(selectors.template_get(membership=membership, template_id=payload.template_id))
    else:
        assert payload.template is not None
        try:
            spec = parse_template(payload.template.model_dump())
        except SpecError as exc:
            raise ServiceError(str(exc)) from exc
    checklist = services.checklist_instantiate(workspace=membership.workspace, spec=spec,
                                               launch_date=payload.launch_date, actor=membership.user,
                                               name=payload.name)
    return HttpStatus(201, _checklist_detail(membership, checklist.pk))


@router.get("/workspaces/{slug:slug}/checklists/{int:checklist_id}",
            response={200: ChecklistDetailOut, **error_responses()}, summary="체크리스트 한 건 (항목·댓글 포함)")
def checklist_detail(request: HttpRequest, slug: WorkspaceSlug, checklist_id: ChecklistId) -> ChecklistDetailOut:
    return _checklist_detail(member(request, slug), checklist_id)


class ChecklistItemUpdate:
    class Input(ApiBody):
        """Only the keys sent are changed; assignee_id null clears the assignee."""

        NOT_NULL: ClassVar[tuple[str, ...]] = ("status", "outside_team", "outside_team_email")

        status: ItemStatus | SkipJsonSchema[None] = None
        assignee_id: Id | None = Field(None, description="담당 구성원의 사용자 id (null: 담당자 없음)")
        outside_team: Annotated[str, Field(max_length=80)] | SkipJsonSchema[None] = None
        outside_team_email: Annotated[str, Field(max_length=254)] | SkipJsonSchema[None] = Field(
            None, description="외부 팀에 기한 알림을 보낼 이메일")


def _item_out(membership: Membership, item_id: int) -> ChecklistItemOut:
    item = selectors.item_get(membership=membership, item_id=item_id)
    fresh = selectors.checklist_items(checklist=item.checklist).get(pk=item.pk)
    return ChecklistItemOut.of(fresh, item.checklist.launch_date, selectors.today_for(membership.workspace))


@router.patch("/workspaces/{slug:slug}/checklist-items/{int:checklist_item_id}",
              response={200: ChecklistItemOut, **error_responses()},
              summary="체크리스트 항목 바꾸기 (상태·담당자·외부 팀)")
def checklist_item_update(request: HttpRequest, slug: WorkspaceSlug, checklist_item_id: ChecklistItemId,
                          payload: ChecklistItemUpdate.Input) -> ChecklistItemOut:
    membership = writer(request, slug)
    item = selectors.item_get(membership=membership, item_id=checklist_item_id)
    sent = payload.model_fields_set
    assignee = (_membership_id(membership.workspace, payload.assignee_id) if "assignee_id" in sent
                else item.assignee_id)
    services.item_update(item=item, by=membership, status=payload.status or item.status, assignee_id=assignee,
                         outside_team=item.outside_team if payload.outside_team is None else payload.outside_team,
                         outside_team_email=payload.outside_team_email)
    return _item_out(membership, checklist_item_id)


class ChecklistCommentCreate:
    class Input(ApiBody):
        body: str = Field(min_length=1, max_length=5000)


@router.post("/workspaces/{slug:slug}/checklist-items/{int:checklist_item_id}/comments",
             response={201: ChecklistCommentOut, **error_responses()}, summary="체크리스트 항목에 댓글 달기")
def checklist_comment_create(request: HttpRequest, slug: WorkspaceSlug, checklist_item_id: ChecklistItemId,
                             payload: ChecklistCommentCreate.Input) -> HttpStatus[ChecklistCommentOut]:
    membership = writer(request, slug)
    item = selectors.item_get(membership=membership, item_id=checklist_item_id)
    comment = services.item_comment(item=item, author=membership.user, author_label=membership.user.label,
                                    body=payload.body)
    return HttpStatus(201, ChecklistCommentOut.of(comment))


# --- 2. change calendar -----------------------------------------------------------------------------

class ChangeOut(ApiSchema):
    id: int
    kind: ChangeKind
    title: str
    starts_on: date
    ends_on: date | None
    channels: str
    expected_impact: Impact
    prepared_answer: str
    department: str
    macro_ids: list[int]
    article_ids: list[int] = Field(description="연결된 지식 문서 id")
    remind_days_before: int | None = Field(description="며칠 전에 알릴지 (null: 워크스페이스 기본값)")
    submitted_by: str
    created_at: datetime

    @classmethod
    def of(cls, event: ChangeEvent) -> ChangeOut:
        return cls(id=event.pk, kind=ChangeKind(event.kind), title=event.title, starts_on=event.starts_on,
                   ends_on=event.ends_on, channels=event.channels, expected_impact=Impact(event.expected_impact),
                   prepared_answer=event.prepared_answer, department=event.department,
                   macro_ids=list(event.macro_ids), article_ids=list(event.article_ids),
                   remind_days_before=event.remind_days_before, submitted_by=event.submitted_by_label,
                   created_at=event.created_at)


class ChangeList:
    class Filters(ApiInput):
        start: date | None = Field(None, description="기간 시작 (포함, 기본: 오늘)")
        end: date | None = Field(None, description="기간 끝 (포함, 기본: 시작 + 30일, 최대 366일)")
        kind: ChangeKind | None = None

        _dates = field_validator("start", "end")(_in_range)

        @model_validator(mode="after")
        def _range(self) -> ChangeList.Filters:
            if self.start and self.end and not 0 <= (self.end - self.start).days <= MAX_RANGE_DAYS:
                raise ValueError(f"end는 start와 같거나 뒤이고, 기간은 {MAX_RANGE_DAYS}일 이하여야 합니다.")
            return self


@router.get("/workspaces/{slug:slug}/changes", response={200: list[ChangeOut], **error_responses()},
            summary="변경 캘린더 (기간 안에 진행되는 변경)")
def change_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[ChangeList.Filters]) -> list[ChangeOut]:
    membership = member(request, slug)
    start = filters.start or (filters.end - timedelta(days=30) if filters.end else
                              selectors.today_for(membership.workspace))
    end = filters.end or start + timedelta(days=30)
    qs = selectors.changes_list(membership=membership, start=start, end=end)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return [ChangeOut.of(e) for e in qs[:1000]]


IdList = Annotated[list[Id], Field(max_length=50)]


class ChangeCreate:
    class Input(ApiBody):
        kind: ChangeKind
        title: str = Field(min_length=1, max_length=200)
        starts_on: date
        ends_on: date | None = None
        channels: str = Field("", max_length=200, description="예: 앱 푸시, 문자")
        expected_impact: Impact = Impact.MEDIUM
        prepared_answer: str = Field("", max_length=20_000)
        department: str = Field("", max_length=80)
        macro_ids: IdList = Field(default_factory=list)
        article_ids: IdList = Field(default_factory=list)
        remind_days_before: int | None = Field(None, ge=0, le=services.MAX_REMIND_DAYS)

        _dates = field_validator("starts_on", "ends_on")(_in_range)


@router.post("/workspaces/{slug:slug}/changes", response={201: ChangeOut, **error_responses()},
             summary="변경 일정 등록")
def change_create(request: HttpRequest, slug: WorkspaceSlug, payload: ChangeCreate.Input) -> HttpStatus[ChangeOut]:
    membership = writer(request, slug)
    event = services.change_save(workspace=membership.workspace, actor=membership.user,
                                 data=services.ChangeInput(**payload.model_dump()))
    return HttpStatus(201, ChangeOut.of(event))


@router.get("/workspaces/{slug:slug}/changes/{int:event_id}", response={200: ChangeOut, **error_responses()},
            summary="변경 일정 한 건")
def change_detail(request: HttpRequest, slug: WorkspaceSlug, event_id: EventId) -> ChangeOut:
    return ChangeOut.of(selectors.change_get(membership=member(request, slug), event_id=event_id))


class ChangeUpdate:
    class Input(ApiBody):
        """Only the keys sent are changed."""

        NOT_NULL: ClassVar[tuple[str, ...]] = (
            "kind", "title", "starts_on", "channels", "expected_impact", "prepared_answer", "department",
            "macro_ids", "article_ids",
        )

        kind: ChangeKind | SkipJsonSchema[None] = None
        title: Annotated[str, Field(min_length=1, max_length=200)] | SkipJsonSchema[None] = None
        starts_on: date | SkipJsonSchema[None] = None
        ends_on: date | None = None
        channels: Annotated[str, Field(max_length=200)] | SkipJsonSchema[None] = None
        expected_impact: Impact | SkipJsonSchema[None] = None
        prepared_answer: Annotated[str, Field(max_length=20_000)] | SkipJsonSchema[None] = None
        department: Annotated[str, Field(max_length=80)] | SkipJsonSchema[None] = None
        macro_ids: IdList | SkipJsonSchema[None] = None
        article_ids: IdList | SkipJsonSchema[None] = None
        remind_days_before: Annotated[int, Field(ge=0, le=services.MAX_REMIND_DAYS)] | None = None

        _dates = field_validator("starts_on", "ends_on")(_in_range)


@router.patch("/workspaces/{slug:slug}/changes/{int:event_id}", response={200: ChangeOut, **error_responses()},
              summary="변경 일정 바꾸기")
def change_update(request: HttpRequest, slug: WorkspaceSlug, event_id: EventId,
                  payload: ChangeUpdate.Input) -> ChangeOut:
    membership = writer(request, slug)
    event = selectors.change_get(membership=membership, event_id=event_id)
    current = {name: getattr(event, name) for name in (
        "kind", "title", "starts_on", "ends_on", "channels", "expected_impact", "prepared_answer", "department",
        "macro_ids", "article_ids", "remind_days_before")}
    current.update(payload.model_dump(exclude_unset=True))
    event = services.change_save(workspace=membership.workspace, actor=membership.user, event=event,
                                 data=services.ChangeInput(**current))
    return ChangeOut.of(event)


# --- 3. request and decision log --------------------------------------------------------------------

class StakeholderOut(ApiSchema):
    name: str
    position: str


class RequestRevisionOut(ApiSchema):
    revision: int
    title: str
    body: str
    department: str
    priority: RequestPriority
    status: RequestStatus
    owner: UserRef | None
    stakeholders: list[StakeholderOut]
    decision: str
    decision_date: date | None
    rationale: str
    ticket_numbers: list[int]
    note: str
    edited_by: str
    created_at: datetime

    @classmethod
    def of(cls, r: RequestRevision) -> RequestRevisionOut:
        return cls(revision=r.revision, title=r.title, body=r.body, department=r.department,
                   priority=RequestPriority(r.priority), status=RequestStatus(r.status), owner=_user_ref(r.owner),
                   stakeholders=[StakeholderOut(name=s.get("name", ""), position=s.get("position", ""))
                                 for s in r.stakeholders],
                   decision=r.decision, decision_date=r.decision_date, rationale=r.rationale,
                   ticket_numbers=list(r.ticket_numbers), note=r.note, edited_by=r.edited_by_label,
                   created_at=r.created_at)


class RequestOut(ApiSchema):
    number: int
    title: str
    department: str
    priority: RequestPriority
    status: RequestStatus
    owner: UserRef | None
    decision: str
    decision_date: date | None
    revision: int = Field(description="현재 판(수정할 때마다 1씩 늘어납니다)")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: RequestRevision) -> RequestOut:
        return cls(number=r.request.number, title=r.title, department=r.department,
                   priority=RequestPriority(r.priority), status=RequestStatus(r.status), owner=_user_ref(r.owner),
                   decision=r.decision, decision_date=r.decision_date, revision=r.revision,
                   created_at=r.request.created_at, updated_at=r.created_at)


class RequestDetailOut(RequestOut):
    current: RequestRevisionOut
    history: list[RequestRevisionOut] = Field(description="모든 판, 최신 판부터 (수정·삭제할 수 없습니다)")


class RequestList:
    class Filters(PageFilters):
        q: str | None = Field(None, max_length=200, description="검색어 (제목·내용·결정·근거·부서, 또는 R-번호)")
        status: RequestStatus | None = None

    class Page(ApiSchema):
        items: list[RequestOut]
        next_cursor: str | None


@router.get("/workspaces/{slug:slug}/requests", response={200: RequestList.Page, **error_responses()},
            summary="요청·결정 목록 (검색)")
def request_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[RequestList.Filters]) -> dict[str, Any]:
    from django.db.models import F

    membership = member(request, slug)
    qs = selectors.current_revisions(membership=membership, query=filters.q or "",
                                     status=filters.status or "").annotate(number=F("request__number"))
    rows, next_cursor = paginate(qs, keys=[SortKey("number", True, "int")], cursor=filters.cursor,
                                 limit=filters.limit, tag="requests")
    return {"items": [RequestOut.of(r) for r in rows], "next_cursor": next_cursor}


def _request_detail(membership: Membership, number: int) -> RequestDetailOut:
    collab_request = selectors.request_get(membership=membership, number=number)
    history = selectors.request_history(request=collab_request)
    for revision in history:
        revision.request = collab_request
    current = history[0]
    return RequestDetailOut(**RequestOut.of(current).model_dump(), current=RequestRevisionOut.of(current),
                            history=[RequestRevisionOut.of(r) for r in history])


@router.get("/workspaces/{slug:slug}/requests/{int:request_number}",
            response={200: RequestDetailOut, **error_responses()}, summary="요청 한 건과 전체 변경 이력")
def request_detail(request: HttpRequest, slug: WorkspaceSlug, request_number: RequestNumber) -> RequestDetailOut:
    return _request_detail(member(request, slug), request_number)


class StakeholderIn(ApiBody):
    name: str = Field(min_length=1, max_length=80)
    position: str = Field("", max_length=2000, description="이 부서·사람의 입장")


class RequestCreate:
    class Input(ApiBody):
        title: str = Field(min_length=1, max_length=200)
        body: str = Field("", max_length=20_000)
        department: str = Field("", max_length=80, description="요청 부서")
        priority: RequestPriority = RequestPriority.NORMAL
        owner_id: Id | None = Field(None, description="담당 구성원의 사용자 id")
        stakeholders: list[StakeholderIn] = Field(default_factory=list, max_length=30)
        ticket_numbers: list[Annotated[int, Field(ge=1, le=MAX_NUMBER)]] = Field(
            default_factory=list, max_length=50, description="근거 티켓 번호")


@router.post("/workspaces/{slug:slug}/requests", response={201: RequestDetailOut, **error_responses()},
             summary="요청 등록")
def request_create(request: HttpRequest, slug: WorkspaceSlug,
                   payload: RequestCreate.Input) -> HttpStatus[RequestDetailOut]:
    membership = writer(request, slug)
    collab_request = services.request_create(workspace=membership.workspace, by=membership, data=services.RequestInput(
        title=payload.title, body=payload.body, department=payload.department, priority=payload.priority,
        owner_id=_membership_id(membership.workspace, payload.owner_id),
        stakeholders=[s.model_dump() for s in payload.stakeholders], ticket_numbers=payload.ticket_numbers))
    return HttpStatus(201, _request_detail(membership, collab_request.number))


def _revise(membership: Membership, number: int, change: dict[str, Any], note: str) -> RequestDetailOut:
    collab_request: CollabRequest = selectors.request_get(membership=membership, number=number)
    data = services.request_input_of(selectors.request_latest(request=collab_request))
    for key, value in change.items():
        setattr(data, key, value)
    services.request_revise(request=collab_request, by=membership, data=data, note=note)
    return _request_detail(membership, number)


class RequestDecision:
    class Input(ApiBody):
        decision: str = Field(min_length=1, max_length=5000)
        decision_date: date
        rationale: str = Field("", max_length=5000, description="결정 근거")
        status: Literal[RequestStatus.DECIDED, RequestStatus.DONE, RequestStatus.REJECTED] = RequestStatus.DECIDED
        note: str = Field("", max_length=200, description="수정 메모")

        _date = field_validator("decision_date")(_in_range)


@router.post("/workspaces/{slug:slug}/requests/{int:request_number}/decisions",
             response={200: RequestDetailOut, **error_responses()}, summary="결정 기록 (새 판으로 남습니다)")
def request_decide(request: HttpRequest, slug: WorkspaceSlug, request_number: RequestNumber,
                   payload: RequestDecision.Input) -> RequestDetailOut:
    return _revise(writer(request, slug), request_number, {
        "decision": payload.decision, "decision_date": payload.decision_date, "rationale": payload.rationale,
        "status": str(payload.status)}, payload.note or "결정 기록")


class RequestPosition:
    class Input(StakeholderIn):
        note: str = Field("", max_length=200, description="수정 메모")


@router.post("/workspaces/{slug:slug}/requests/{int:request_number}/positions",
             response={200: RequestDetailOut, **error_responses()},
             summary="이해관계자 입장 기록 (같은 이름이면 입장을 바꿉니다)")
def request_position(request: HttpRequest, slug: WorkspaceSlug, request_number: RequestNumber,
                     payload: RequestPosition.Input) -> RequestDetailOut:
    membership = writer(request, slug)
    latest = selectors.request_latest(request=selectors.request_get(membership=membership, number=request_number))
    stakeholders = [dict(s) for s in latest.stakeholders if s.get("name") != payload.name.strip()]
    stakeholders.append({"name": payload.name.strip(), "position": payload.position})
    return _revise(membership, request_number, {"stakeholders": stakeholders},
                   payload.note or f"입장 기록: {payload.name.strip()}")


class RequestStatusChange:
    class Input(ApiBody):
        status: RequestStatus
        note: str = Field("", max_length=200, description="수정 메모")


@router.post("/workspaces/{slug:slug}/requests/{int:request_number}/status",
             response={200: RequestDetailOut, **error_responses()}, summary="요청 상태 바꾸기 (새 판으로 남습니다)")
def request_status_change(request: HttpRequest, slug: WorkspaceSlug, request_number: RequestNumber,
                          payload: RequestStatusChange.Input) -> RequestDetailOut:
    return _revise(writer(request, slug), request_number, {"status": str(payload.status)}, payload.note)


# --- 4. exception queues ----------------------------------------------------------------------------

class QueueOut(ApiSchema):
    id: int
    name: str
    description: str
    check_by: time | None = Field(description="매일 이 시각까지 확인해야 합니다 (워크스페이스 시간대)")
    last_checked_at: datetime | None
    last_checked_by: str
    open: int
    done_today: int
    ageing: dict[str, int] = Field(description="열린 항목의 경과 일수별 개수 (0-1, 1-3, 3-7, 7+)")
    oldest_open_at: datetime | None
    check_missed: bool = Field(description="오늘 확인 기한이 지났는데 아직 확인하지 않음")

    @classmethod
    def of(cls, status: selectors.QueueStatus) -> QueueOut:
        q = status.queue
        return cls(id=q.pk, name=q.name, description=q.description, check_by=q.check_by,
                   last_checked_at=q.last_checked_at, last_checked_by=q.last_checked_by_label, open=status.open,
                   done_today=status.done_today, ageing=status.ageing, oldest_open_at=status.oldest,
                   check_missed=status.check_missed)


@router.get("/workspaces/{slug:slug}/queues", response={200: list[QueueOut], **error_responses()},
            summary="예외 큐 현황 (열린 건수·경과·확인 여부)")
def queue_list(request: HttpRequest, slug: WorkspaceSlug) -> list[QueueOut]:
    return [QueueOut.of(s) for s in selectors.queue_statuses(membership=member(request, slug))]


class QueueItemOut(ApiSchema):
    id: int
    reference: str
    summary: str
    data: dict[str, Any]
    source: str
    created_at: datetime
    done_at: datetime | None
    done_by: str
    note: str

    @classmethod
    def of(cls, item: ExceptionItem) -> QueueItemOut:
        return cls(id=item.pk, reference=item.reference, summary=item.summary, data=item.data, source=item.source,
                   created_at=item.created_at, done_at=item.done_at, done_by=item.done_by_label, note=item.note)


class QueueItemList:
    class Filters(PageFilters):
        done: bool = Field(False, description="true: 처리된 항목 (최근 처리 순), false: 열린 항목 (오래된 순)")

    class Page(ApiSchema):
        items: list[QueueItemOut]
        next_cursor: str | None


@router.get("/workspaces/{slug:slug}/queues/{int:queue_id}/items", response={200: QueueItemList.Page,
                                                                          **error_responses()},
            summary="예외 큐 항목 목록")
def queue_item_list(request: HttpRequest, slug: WorkspaceSlug, queue_id: QueueId,
                    filters: Query[QueueItemList.Filters]) -> dict[str, Any]:
    queue = selectors.queue_get(membership=member(request, slug), queue_id=queue_id)
    keys = ([SortKey("done_at", True, "datetime"), SortKey("id", True, "int")] if filters.done
            else [SortKey("id", False, "int")])
    rows, next_cursor = paginate(selectors.queue_items(queue=queue, done=filters.done), keys=keys,
                                 cursor=filters.cursor, limit=filters.limit,
                                 tag=f"queue-items:{'done' if filters.done else 'open'}")
    return {"items": [QueueItemOut.of(i) for i in rows], "next_cursor": next_cursor}


class QueueImport:
    class RowIn(ApiBody):
        reference: str = Field(min_length=1, max_length=120, description="주문번호 같은 참조 번호")
        summary: str = Field("", max_length=5000)
        data: dict[Annotated[str, Field(max_length=100)], Annotated[str, Field(max_length=2000)]] = Field(
            default_factory=dict, max_length=50)

    class Input(ApiBody):
        rows: list[QueueImport.RowIn] = Field(min_length=1, max_length=5000)

    class Output(ApiSchema):
        added: int
        skipped: int = Field(description="이미 열려 있는 같은 참조 번호라 건너뛴 행")


@router.post("/workspaces/{slug:slug}/queues/{int:queue_id}/items", response={200: QueueImport.Output,
                                                                           **error_responses()},
             summary="예외 큐에 항목 넣기 (JSON 행)")
def queue_item_import(request: HttpRequest, slug: WorkspaceSlug, queue_id: QueueId,
                      payload: QueueImport.Input) -> QueueImport.Output:
    membership = writer(request, slug)
    queue = selectors.queue_get(membership=membership, queue_id=queue_id)
    rows = [Row(reference=r.reference.strip(), summary=r.summary, data=dict(r.data)) for r in payload.rows]
    if any(not r.reference for r in rows):
        raise ServiceError("참조 번호(reference)가 비어 있는 행이 있습니다.")
    added = services.queue_items_add(queue=queue, by=membership.user, rows=rows, source="api")
    return QueueImport.Output(added=added, skipped=len(rows) - added)


@router.post("/workspaces/{slug:slug}/queues/{int:queue_id}/check", response={200: QueueOut, **error_responses()},
             summary="예외 큐 오늘 확인 완료 표시")
def queue_check(request: HttpRequest, slug: WorkspaceSlug, queue_id: QueueId) -> QueueOut:
    membership = writer(request, slug)
    services.queue_mark_checked(queue=selectors.queue_get(membership=membership, queue_id=queue_id), by=membership)
    return next(QueueOut.of(s) for s in selectors.queue_statuses(membership=membership) if s.queue.pk == queue_id)


class QueueItemDone:
    class Input(ApiBody):
        note: str = Field("", max_length=500, description="처리 메모")


@router.post("/workspaces/{slug:slug}/queue-items/{int:queue_item_id}/done",
             response={200: QueueItemOut, **error_responses()}, summary="예외 큐 항목 처리 완료")
def queue_item_done(request: HttpRequest, slug: WorkspaceSlug, queue_item_id: QueueItemId,
                    payload: QueueItemDone.Input) -> QueueItemOut:
    membership = writer(request, slug)
    item = services.queue_item_done(item=selectors.queue_item_get(membership=membership, item_id=queue_item_id),
                                    by=membership, note=payload.note)
    return QueueItemOut.of(item)

