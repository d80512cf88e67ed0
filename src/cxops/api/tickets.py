"""Tickets: the inbox list (same filters as the agent inbox), create, read and change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Prefetch, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from ninja import Path, Query, Router
from ninja import Status as HttpStatus
from pydantic import BeforeValidator, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from cxops.api.access import member, writer
from cxops.api.errors import error_responses
from cxops.api.pagination import SortKey, paginate
from cxops.api.schemas import (
    MAX_NUMBER,
    ApiBody,
    ApiSchema,
    Id,
    PageFilters,
    Ref,
    UserRef,
    WorkspaceSlug,
    ref,
    user_ref,
)
from cxops.core.phones import normalize_phone
from cxops.tickets import selectors, services
from cxops.tickets.channels.base import CustomerRef
from cxops.tickets.models import Channel, Priority, Status, Tag, Ticket, TicketType

router = Router(tags=["tickets"])

TicketNumber = Annotated[int, Path(ge=1, le=MAX_NUMBER, description="워크스페이스 안의 티켓 번호 (예: 1001)")]

TICKET_ROW_RELATED = ("customer", "assignee", "category", "category__parent", "product", "team", "custom_status")


def _split_commas(value: Any) -> Any:
    """`status=new,open` and `status=new&status=open` mean the same."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    out: list[Any] = []
    for item in items:
        if isinstance(item, str):
            out.extend(part for part in item.split(",") if part)
        else:
            out.append(item)
    return out


StatusList = Annotated[list[Status], BeforeValidator(_split_commas)]
PriorityList = Annotated[list[Priority], BeforeValidator(_split_commas)]
ChannelList = Annotated[list[Channel], BeforeValidator(_split_commas)]
TypeList = Annotated[list[TicketType], BeforeValidator(_split_commas)]
TagList = Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=30)]


class CustomerRefOut(ApiSchema):
    id: int
    name: str


class TicketOut(ApiSchema):
    number: int
    external_id: str | None
    subject: str
    status: Status
    status_label: str = Field(description="워크스페이스 세부 상태가 있으면 그 이름, 없으면 기본 상태 이름")
    custom_status_id: int | None
    priority: Priority
    type: TicketType
    channel: Channel
    customer: CustomerRefOut | None
    assignee: UserRef | None
    team: Ref | None
    category: Ref | None
    product: Ref | None
    tags: list[str]
    order_number: str
    custom_fields: dict[str, Any]
    message_count: int
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    last_customer_message_at: datetime | None
    sla_policy_id: int | None = Field(description="적용된 SLA 정책 id")
    first_response_due_at: datetime | None = Field(description="첫 응답 기한")
    next_reply_due_at: datetime | None = Field(description="다음 답변 기한 (고객의 답하지 않은 메시지가 있을 때)")
    resolution_due_at: datetime | None = Field(description="해결 기한 (고객 응답 대기 중에는 멈춤)")
    sla_next_due_at: datetime | None = Field(description="진행 중인 SLA 기한 중 가장 이른 것")
    sla_paused: bool = Field(description="SLA 시계가 멈춰 있는지 (고객 응답 대기 등)")

    @classmethod
    def of(cls, ticket: Ticket) -> TicketOut:
        customer = ticket.customer
        return cls(
            number=ticket.number, external_id=ticket.external_id, subject=ticket.subject,
            status=Status(ticket.status), status_label=ticket.status_label, custom_status_id=ticket.custom_status_id,
            priority=Priority(ticket.priority), type=TicketType(ticket.type), channel=Channel(ticket.channel),
            customer=CustomerRefOut(id=customer.pk, name=customer.name) if customer else None,
            assignee=user_ref(ticket.assignee), team=ref(ticket.team), category=ref(ticket.category),
            product=ref(ticket.product), tags=[tag.name for tag in ticket.tags.all()],
            order_number=ticket.order_number, custom_fields=ticket.custom_fields,
            message_count=ticket.message_count, created_at=ticket.created_at, updated_at=ticket.updated_at,
            first_response_at=ticket.first_response_at, solved_at=ticket.solved_at, closed_at=ticket.closed_at,
            last_customer_message_at=ticket.last_customer_message_at,
            sla_policy_id=ticket.sla_policy_id, first_response_due_at=ticket.first_response_due_at,
            next_reply_due_at=ticket.next_reply_due_at, resolution_due_at=ticket.resolution_due_at,
            sla_next_due_at=ticket.sla_next_due_at, sla_paused=ticket.sla_paused_at is not None,
        )


# --- list ---------------------------------------------------------------------------------------

SortParam = Literal["updated_at", "-updated_at", "created_at", "-created_at", "number", "-number",
                    "priority", "-priority", "sla_due", "-sla_due"]
# Tickets without a running SLA clock sort after every deadline either way (a cursor needs a value).
NO_DUE_ASC, NO_DUE_DESC = datetime(9999, 12, 31, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC)


class TicketList:
    class Filters(PageFilters):
        status: StatusList = Field(default_factory=list, description="상태 (여럿: status=new&status=open 또는 new,open)")
        priority: PriorityList = Field(default_factory=list)
        channel: ChannelList = Field(default_factory=list)
        type: TypeList = Field(default_factory=list)
        assignee: str | None = Field(None, pattern=r"^(me|none|[0-9]{1,18})$",
                                     description="me(나), none(미배정) 또는 사용자 id")
        team: Id | None = None
        category: Id | None = Field(None, description="분류 id (상위 분류면 하위 분류 포함)")
        product: Id | None = None
        tag: str | None = Field(None, max_length=60)
        created_from: date | None = Field(None, description="접수일 시작 (워크스페이스 시간대, 포함)")
        created_to: date | None = Field(None, description="접수일 끝 (워크스페이스 시간대, 포함)")
        q: str | None = Field(None, max_length=200, description="검색어 (제목·내용·고객 정보)")
        sort: SortParam = Field("-updated_at", description="정렬; '-'는 내림차순")

        def inbox_mapping(self) -> dict[str, Any]:
            return {
                "status": [str(v) for v in self.status], "priority": [str(v) for v in self.priority],
                "channel": [str(v) for v in self.channel], "type": [str(v) for v in self.type],
                "assignee": self.assignee, "team": self.team, "category": self.category, "product": self.product,
                "tag": self.tag, "created_from": self.created_from, "created_to": self.created_to, "q": self.q,
            }

    class Page(ApiSchema):
        items: list[TicketOut]
        next_cursor: str | None


def ticket_sort_keys(sort: str) -> list[SortKey]:
    """The inbox's order made total by the id, so that a cursor can continue it."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "priority":
        # Same order as the inbox: priority, then the most recently updated first.
        return [SortKey("priority_rank", descending, "int"), SortKey("updated_at", True, "datetime"),
                SortKey("id", True, "int")]
    if key == "sla_due":
        return [SortKey("sla_due_key", descending, "datetime"), SortKey("id", descending, "int")]
    return [SortKey(key, descending, "int" if key == "number" else "datetime"), SortKey("id", descending, "int")]


@router.get("/workspaces/{slug:slug}/tickets", response={200: TicketList.Page, **error_responses()},
            summary="티켓 목록 (받은 문의함과 같은 필터)")
def ticket_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[TicketList.Filters]) -> dict[str, Any]:
    membership = member(request, slug)
    inbox_filters = selectors.InboxFilters.from_mapping(filters.inbox_mapping())
    qs = (
        selectors.inbox_queryset(membership=membership, filters=inbox_filters, sort=filters.sort)
        .select_related(*TICKET_ROW_RELATED)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
    )
    if filters.sort.lstrip("-") == "sla_due":
        missing = NO_DUE_DESC if filters.sort.startswith("-") else NO_DUE_ASC
        qs = qs.annotate(sla_due_key=Coalesce("sla_next_due_at", Value(missing, output_field=DateTimeField())))
    rows, next_cursor = paginate(qs, keys=ticket_sort_keys(filters.sort), cursor=filters.cursor,
                                 limit=filters.limit, tag=f"tickets:{filters.sort}")
    return {"items": [TicketOut.of(ticket) for ticket in rows], "next_cursor": next_cursor}


# --- create -------------------------------------------------------------------------------------

class TicketCustomerIn(ApiBody):
    name: str = Field("", max_length=120)
    phone: str = Field("", max_length=40, description="아무 형식이나 됩니다 (010-1234-5678, +82 10…)")
    email: str = Field("", max_length=254)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value.strip() and not normalize_phone(value):
            raise ValueError(f"전화번호 형식이 올바르지 않습니다: {value}")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        local, at, domain = value.partition("@")
        if value and (not at or not local or "." not in domain or any(c.isspace() for c in value)):
            raise ValueError(f"이메일 형식이 올바르지 않습니다: {value}")
        return value


class TicketCreate:
    class Input(ApiBody):
        subject: str = Field("", max_length=250, description="비우면 내용의 첫 줄")
        body: str = Field("", max_length=50_000, description="고객이 쓴 내용 (텍스트)")
        body_html: str = Field("", max_length=200_000, description="HTML 내용 (저장 전에 정리됩니다)")
        channel: Channel = Channel.API
        customer: TicketCustomerIn | None = None
        priority: Priority = Priority.NORMAL
        type: TicketType = TicketType.INQUIRY
        status: Status = Status.NEW
        category_id: Id | None = None
        product_id: Id | None = None
        team_id: Id | None = None
        assignee_id: Id | None = Field(None, description="담당 상담원의 사용자 id")
        tags: TagList = Field(default_factory=list)
        custom_fields: dict[str, Any] = Field(default_factory=dict)
        order_number: str = Field("", max_length=80)
        external_id: str | None = Field(
            None, min_length=1, max_length=120,
            description="연동 시스템의 문의 id. 같은 값으로 다시 보내면 새로 만들지 않고 기존 티켓을 돌려줍니다.",
        )

        @model_validator(mode="after")
        def _has_content(self) -> TicketCreate.Input:
            if not (self.subject.strip() or self.body.strip() or self.body_html.strip()):
                raise ValueError("제목이나 내용 중 하나는 입력해 주세요.")
            return self


@router.post("/workspaces/{slug:slug}/tickets", response={200: TicketOut, 201: TicketOut, **error_responses()},
             summary="티켓 만들기",
             description="고객(이름·전화번호·이메일)을 찾거나 만들고, 그 고객의 첫 메시지로 티켓을 만듭니다. "
                         "새로 만들면 201, external_id가 같은 티켓이 이미 있으면 그 티켓을 200으로 돌려줍니다.")
def ticket_create(request: HttpRequest, slug: WorkspaceSlug, payload: TicketCreate.Input) -> HttpStatus[TicketOut]:
    membership = writer(request, slug)
    if payload.external_id:
        existing = selectors.ticket_get_by_external_id(membership=membership, external_id=payload.external_id)
        if existing is not None:
            return HttpStatus(200, TicketOut.of(selectors.ticket_get(membership=membership, number=existing.number)))
    fields = services.TicketFields(
        priority=payload.priority, type=payload.type, status=payload.status, category_id=payload.category_id,
        product_id=payload.product_id, team_id=payload.team_id, assignee_id=payload.assignee_id,
        tags=tuple(payload.tags), custom_fields=payload.custom_fields,
    )
    try:
        with transaction.atomic():
            customer = None
            if payload.customer is not None and any(
                (payload.customer.name.strip(), payload.customer.phone.strip(), payload.customer.email.strip())
            ):
                customer = services.customer_find_or_create(
                    workspace=membership.workspace, by=membership,
                    ref=CustomerRef(name=payload.customer.name, phone=payload.customer.phone,
                                    email=payload.customer.email),
                )
            ticket = services.ticket_create(
                workspace=membership.workspace, channel=payload.channel, subject=payload.subject,
                body_text=payload.body, body_html=payload.body_html, customer=customer, by=membership,
                fields=fields, external_id=payload.external_id, order_number=payload.order_number,
            )
    except IntegrityError:
        # Two requests with the same external_id at once: the other one won.
        existing = (selectors.ticket_get_by_external_id(membership=membership, external_id=payload.external_id)
                    if payload.external_id else None)
        if existing is None:
            raise
        return HttpStatus(200, TicketOut.of(selectors.ticket_get(membership=membership, number=existing.number)))
    return HttpStatus(201, TicketOut.of(selectors.ticket_get(membership=membership, number=ticket.number)))


# --- read and change ----------------------------------------------------------------------------

@router.get("/workspaces/{slug:slug}/tickets/{int:number}", response={200: TicketOut, **error_responses()},
            summary="티켓 한 건")
def ticket_detail(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber) -> TicketOut:
    membership = member(request, slug)
    return TicketOut.of(selectors.ticket_get(membership=membership, number=number))


class TicketUpdate:
    class Input(ApiBody):
        """Only the keys sent are changed; null clears an optional link (담당자, 팀, 분류 …)."""

        NOT_NULL: ClassVar[tuple[str, ...]] = (
            "subject", "status", "priority", "type", "custom_fields", "order_number", "tags",
        )

        subject: Annotated[str, Field(min_length=1, max_length=250)] | SkipJsonSchema[None] = None
        status: Status | SkipJsonSchema[None] = None
        custom_status_id: Id | None = Field(None, description="워크스페이스 세부 상태 id (기본 상태도 함께 바뀝니다)")
        priority: Priority | SkipJsonSchema[None] = None
        type: TicketType | SkipJsonSchema[None] = None
        category_id: Id | None = None
        product_id: Id | None = None
        team_id: Id | None = None
        assignee_id: Id | None = None
        custom_fields: dict[str, Any] | SkipJsonSchema[None] = None
        order_number: Annotated[str, Field(max_length=80)] | SkipJsonSchema[None] = None
        tags: TagList | SkipJsonSchema[None] = Field(None, description="태그 전체 목록 (보낸 목록으로 바뀝니다)")


@router.patch("/workspaces/{slug:slug}/tickets/{int:number}", response={200: TicketOut, **error_responses()},
              summary="티켓 바꾸기 (상태·우선순위·담당자·분류·태그 …)")
def ticket_update(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber,
                  payload: TicketUpdate.Input) -> TicketOut:
    membership = writer(request, slug)
    ticket = selectors.ticket_get(membership=membership, number=number)
    changes = payload.model_dump(exclude_unset=True, mode="json")
    tags = changes.pop("tags", None)
    services.ticket_update(ticket=ticket, by=membership, tags=tags, **changes)
    return TicketOut.of(selectors.ticket_get(membership=membership, number=number))
