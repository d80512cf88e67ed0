"""Assignment: team assignment settings, routing rules, "take the next ticket" and re-running
automatic assignment. Adapters only: the rules live in cxops.assignment.services.

Reading is open to every member; changing team settings and routing rules needs a manager or an
admin; claiming and assigning tickets needs a member who may write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from django.http import HttpRequest
from ninja import Path, Query, Router
from ninja import Status as HttpStatus
from pydantic import Field

from cxops.api.access import member, writer
from cxops.api.errors import error_responses
from cxops.api.pagination import SortKey, paginate
from cxops.api.schemas import MAX_ID, MAX_NUMBER, ApiBody, ApiSchema, PageFilters, WorkspaceSlug
from cxops.assignment import selectors, services
from cxops.assignment.models import AvailabilitySource, ClaimOrder, Mode, OnOffline, RoutingRule
from cxops.core.models import Availability, Membership, Role
from cxops.tickets import selectors as ticket_selectors
from cxops.tickets.models import Channel, Ticket, TicketType

router = Router(tags=["assignment"])

TeamId = Annotated[int, Path(ge=1, le=MAX_ID, description="팀 id")]
RuleId = Annotated[int, Path(ge=1, le=MAX_ID, description="라우팅 규칙 id")]
TicketNumber = Annotated[int, Path(ge=1, le=MAX_NUMBER, description="워크스페이스 안의 티켓 번호 (예: 1001)")]
MSG_MANAGER_ONLY = "배정 설정은 매니저와 관리자만 바꿀 수 있습니다."


def manager(request: HttpRequest, slug: str) -> Membership:
    membership = writer(request, slug)
    if not membership.has_role(Role.MANAGER):
        raise PermissionError(MSG_MANAGER_ONLY)
    return membership


# --- workspace settings ---------------------------------------------------------------------------

class AssignmentSettingsOut(ApiSchema):
    default_team_id: int | None = Field(description="어느 규칙에도 맞지 않는 새 티켓이 가는 팀 (없으면 워크스페이스 큐)")
    claim_order: ClaimOrder = Field(description="'다음 티켓 받기'의 순서")


@router.get("/workspaces/{slug:slug}/assignment/settings", response={200: AssignmentSettingsOut, **error_responses()},
            summary="배정 기본 설정 (기본 팀, 다음 티켓 순서)")
def assignment_settings_get(request: HttpRequest, slug: WorkspaceSlug) -> AssignmentSettingsOut:
    membership = member(request, slug)
    found = selectors.settings_for(workspace=membership.workspace)
    return AssignmentSettingsOut(default_team_id=found.default_team_id, claim_order=ClaimOrder(found.claim_order))


class AssignmentSettingsPut:
    class Input(ApiBody):
        default_team_id: int | None = Field(None, ge=1, le=MAX_ID)
        claim_order: ClaimOrder = ClaimOrder.URGENT_FIRST


@router.put("/workspaces/{slug:slug}/assignment/settings", response={200: AssignmentSettingsOut, **error_responses()},
            summary="배정 기본 설정 바꾸기 (매니저·관리자)")
def assignment_settings_put(request: HttpRequest, slug: WorkspaceSlug,
                            payload: AssignmentSettingsPut.Input) -> AssignmentSettingsOut:
    membership = manager(request, slug)
    saved = services.settings_save(workspace=membership.workspace, by=membership,
                                   default_team_id=payload.default_team_id, claim_order=payload.claim_order)
    return AssignmentSettingsOut(default_team_id=saved.default_team_id, claim_order=ClaimOrder(saved.claim_order))


# --- team configuration -----------------------------------------------------------------------------

class TeamMemberOut(ApiSchema):
    membership_id: int
    user_id: int
    name: str
    availability: Availability
    available: bool = Field(description="팀의 판단 방식(상태 또는 근무표)으로 지금 새 티켓을 받을 수 있는지")
    load: int = Field(description="SLA 시계가 도는(신규·진행 중) 담당 티켓 수")
    capacity: int = Field(description="동시에 맡는 티켓 한도 (0 = 제한 없음)")


class TeamConfigOut(ApiSchema):
    team_id: int
    team_name: str
    mode: Mode
    availability_source: AvailabilitySource
    require_skill: bool
    on_offline: OnOffline
    fallback_team_ids: list[int] = Field(description="아무도 받을 수 없을 때 차례로 시도하는 팀")
    queued: int = Field(description="팀 큐에서 담당자를 기다리는 진행 중 티켓 수")
    members: list[TeamMemberOut]


def _team_config_out(membership: Membership, team_id: int) -> TeamConfigOut:
    team = selectors.team_get(workspace=membership.workspace, team_id=team_id)
    view = selectors.team_overview(workspace=membership.workspace, team=team)
    config = view.config
    return TeamConfigOut(
        team_id=team.pk, team_name=team.name, mode=Mode(config.mode),
        availability_source=AvailabilitySource(config.availability_source), require_skill=config.require_skill,
        on_offline=OnOffline(config.on_offline), fallback_team_ids=view.fallback_ids, queued=view.queued,
        members=[TeamMemberOut(membership_id=row.membership.pk, user_id=row.membership.user_id,
                               name=row.membership.user.label, availability=Availability(row.membership.availability),
                               available=row.available, load=row.load, capacity=row.membership.capacity)
                 for row in view.members])


@router.get("/workspaces/{slug:slug}/assignment/teams/{int:team_id}",
            response={200: TeamConfigOut, **error_responses()}, summary="팀의 배정 설정과 상담원 현황")
def assignment_team_get(request: HttpRequest, slug: WorkspaceSlug, team_id: TeamId) -> TeamConfigOut:
    return _team_config_out(member(request, slug), team_id)


class TeamConfigPut:
    class Input(ApiBody):
        mode: Mode
        availability_source: AvailabilitySource = AvailabilitySource.STATUS
        require_skill: bool = False
        on_offline: OnOffline = OnOffline.QUEUE
        fallback_team_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
            default_factory=list, max_length=services.MAX_FALLBACKS, description="대체 팀 id (순서대로)")


@router.put("/workspaces/{slug:slug}/assignment/teams/{int:team_id}",
            response={200: TeamConfigOut, **error_responses()}, summary="팀의 배정 설정 바꾸기 (매니저·관리자)",
            description="mode: manual(큐에서 직접 받기), round_robin, least_loaded(SLA 시계가 도는 티켓 수 기준), "
                        "skill. availability_source: status(온라인만) 또는 schedule(게시된 근무표의 지금 근무자).")
def assignment_team_put(request: HttpRequest, slug: WorkspaceSlug, team_id: TeamId,
                        payload: TeamConfigPut.Input) -> TeamConfigOut:
    membership = manager(request, slug)
    team = selectors.team_get(workspace=membership.workspace, team_id=team_id)
    services.team_config_save(team=team, by=membership, mode=payload.mode,
                              availability_source=payload.availability_source, on_offline=payload.on_offline,
                              require_skill=payload.require_skill, fallback_team_ids=payload.fallback_team_ids)
    return _team_config_out(membership, team_id)


# --- claiming and assigning ------------------------------------------------------------------------

class AssignedOut(ApiSchema):
    number: int | None = Field(description="티켓 번호 (받을 티켓이 없으면 null)")
    subject: str | None
    team_id: int | None
    assignee_id: int | None
    reason: str = Field(description="배정 결과 설명 (타임라인에도 남습니다)")


@router.post("/workspaces/{slug:slug}/assignment/claim", response={200: AssignedOut, **error_responses()},
             summary="다음 티켓 받기",
             description="내 팀 큐(와 팀이 없는 티켓) 중 가장 급한(또는 가장 오래된) 미배정 진행 중 티켓을 "
                         "나에게 배정합니다. 처리 중인 티켓이 한도에 찼으면 400입니다.")
def assignment_claim(request: HttpRequest, slug: WorkspaceSlug) -> AssignedOut:
    membership = writer(request, slug)
    ticket = services.claim_next(membership=membership)
    if ticket is None:
        return AssignedOut(number=None, subject=None, team_id=None, assignee_id=None, reason="받을 티켓이 없습니다.")
    return AssignedOut(number=ticket.number, subject=ticket.subject, team_id=ticket.team_id,
                       assignee_id=ticket.assignee_id, reason="다음 티켓 받기")


@router.post("/workspaces/{slug:slug}/tickets/{int:number}/assign", response={200: AssignedOut, **error_responses()},
             summary="자동 배정 다시 실행",
             description="담당자가 없는 진행 중 티켓을 팀(없으면 라우팅 규칙·기본 팀)의 배정 방식대로 배정합니다. "
                         "아무도 받을 수 없으면 팀 큐에 남습니다. 이미 담당자가 있으면 바꾸지 않고 그대로 "
                         "돌려줍니다. 해결·종료된 티켓은 400입니다.")
def ticket_assign(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber) -> AssignedOut:
    membership = writer(request, slug)
    ticket: Ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    if ticket.assignee_id is not None:
        return AssignedOut(number=ticket.number, subject=ticket.subject, team_id=ticket.team_id,
                           assignee_id=ticket.assignee_id, reason="이미 담당자가 있어 바꾸지 않았습니다.")
    choice = services.assign_ticket(ticket=ticket, by=membership)
    return AssignedOut(number=ticket.number, subject=ticket.subject, team_id=ticket.team_id,
                       assignee_id=ticket.assignee_id, reason=choice.reason)


# --- routing rules ----------------------------------------------------------------------------------

class RoutingRuleOut(ApiSchema):
    id: int
    name: str
    position: int
    is_active: bool
    channels: list[str]
    types: list[str]
    category_ids: list[int]
    team_id: int
    created_at: datetime

    @classmethod
    def of(cls, rule: RoutingRule) -> RoutingRuleOut:
        return cls(id=rule.pk, name=rule.name, position=rule.position, is_active=rule.is_active,
                   channels=list(rule.channels), types=list(rule.types),
                   category_ids=sorted(c.pk for c in rule.categories.all()), team_id=rule.team_id,
                   created_at=rule.created_at)


class RoutingRuleList:
    class Page(ApiSchema):
        items: list[RoutingRuleOut]
        next_cursor: str | None


@router.get("/workspaces/{slug:slug}/routing-rules", response={200: RoutingRuleList.Page, **error_responses()},
            summary="라우팅 규칙 목록 (적용 순서대로)")
def routing_rule_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[PageFilters]) -> dict[str, Any]:
    membership = member(request, slug)
    rows, next_cursor = paginate(selectors.routing_rules(workspace=membership.workspace),
                                 keys=[SortKey("position", False, "int"), SortKey("id", False, "int")],
                                 cursor=filters.cursor, limit=filters.limit, tag="routing-rules")
    return {"items": [RoutingRuleOut.of(rule) for rule in rows], "next_cursor": next_cursor}


class RoutingRuleCreate:
    class Input(ApiBody):
        name: str = Field(min_length=1, max_length=80)
        team_id: int = Field(ge=1, le=MAX_ID, description="보낼 팀")
        channels: list[Channel] = Field(default_factory=list, max_length=len(Channel.values),
                                        description="비우면 모든 채널")
        types: list[TicketType] = Field(default_factory=list, max_length=len(TicketType.values),
                                        description="비우면 모든 유형")
        category_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
            default_factory=list, max_length=100, description="비우면 모든 분류 (상위 분류는 하위 분류도 포함)")
        position: int = Field(100, ge=-32768, le=32767, description="작을수록 먼저 적용")
        is_active: bool = True


@router.post("/workspaces/{slug:slug}/routing-rules", response={201: RoutingRuleOut, **error_responses()},
             summary="라우팅 규칙 만들기 (매니저·관리자)")
def routing_rule_create(request: HttpRequest, slug: WorkspaceSlug,
                        payload: RoutingRuleCreate.Input) -> HttpStatus[RoutingRuleOut]:
    membership = manager(request, slug)
    rule = services.routing_rule_save(workspace=membership.workspace, by=membership, name=payload.name,
                                      team_id=payload.team_id, channels=payload.channels, types=payload.types,
                                      category_ids=payload.category_ids, position=payload.position,
                                      is_active=payload.is_active)
    return HttpStatus(201, RoutingRuleOut.of(selectors.routing_rule_get(workspace=membership.workspace,
                                                                         rule_id=rule.pk)))


class RoutingRuleUpdate:
    class Input(ApiBody):
        NOT_NULL: ClassVar[tuple[str, ...]] = ("name", "team_id", "channels", "types", "category_ids", "position",
                                               "is_active")
        name: str | None = Field(None, min_length=1, max_length=80)
        team_id: int | None = Field(None, ge=1, le=MAX_ID)
        channels: list[Channel] | None = Field(None, max_length=len(Channel.values))
        types: list[TicketType] | None = Field(None, max_length=len(TicketType.values))
        category_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(None, max_length=100)
        position: int | None = Field(None, ge=-32768, le=32767)
        is_active: bool | None = None


@router.patch("/workspaces/{slug:slug}/routing-rules/{int:rule_id}", response={200: RoutingRuleOut,
                                                                               **error_responses()},
              summary="라우팅 규칙 바꾸기 (매니저·관리자)")
def routing_rule_update(request: HttpRequest, slug: WorkspaceSlug, rule_id: RuleId,
                        payload: RoutingRuleUpdate.Input) -> RoutingRuleOut:
    membership = manager(request, slug)
    rule = selectors.routing_rule_get(workspace=membership.workspace, rule_id=rule_id)
    given = payload.model_dump(exclude_unset=True)
    current: dict[str, Any] = {"name": rule.name, "team_id": rule.team_id, "channels": list(rule.channels),
                               "types": list(rule.types), "category_ids": [c.pk for c in rule.categories.all()],
                               "position": rule.position, "is_active": rule.is_active}
    merged = {**current, **given}
    services.routing_rule_save(workspace=membership.workspace, by=membership, rule=rule, **merged)
    return RoutingRuleOut.of(selectors.routing_rule_get(workspace=membership.workspace, rule_id=rule_id))


@router.delete("/workspaces/{slug:slug}/routing-rules/{int:rule_id}", response={204: None, **error_responses()},
               summary="라우팅 규칙 지우기 (매니저·관리자)")
def routing_rule_delete(request: HttpRequest, slug: WorkspaceSlug, rule_id: RuleId) -> HttpStatus[None]:
    membership = manager(request, slug)
    services.routing_rule_delete(rule=selectors.routing_rule_get(workspace=membership.workspace, rule_id=rule_id),
                                 by=membership)
    return HttpStatus(204, None)
