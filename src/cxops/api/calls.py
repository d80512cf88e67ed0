"""Phone calls (전화상담 기록): the log, and logging a call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja import Status as HttpStatus
from pydantic import AwareDatetime, Field

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
from cxops.tickets import selectors, services
from cxops.tickets.models import Call, CallDirection, CallOutcome

router = Router(tags=["calls"])

CALL_KEYS = [SortKey("started_at", True, "datetime"), SortKey("id", True, "int")]


class CallOut(ApiSchema):
    id: int
    direction: CallDirection
    phone: str
    summary: str
    duration_seconds: int
    outcome: CallOutcome
    started_at: datetime
    created_at: datetime
    customer: Ref | None
    agent: UserRef | None
    category: Ref | None
    ticket_number: int | None

    @classmethod
    def of(cls, call: Call) -> CallOut:
        return cls(
            id=call.pk, direction=CallDirection(call.direction), phone=call.phone, summary=call.summary,
            duration_seconds=call.duration_seconds, outcome=CallOutcome(call.outcome), started_at=call.started_at,
            created_at=call.created_at, customer=ref(call.customer), agent=user_ref(call.agent),
            category=ref(call.category), ticket_number=call.ticket.number if call.ticket else None,
        )


class CallList:
    class Page(ApiSchema):
        items: list[CallOut]
        next_cursor: str | None


@router.get("/workspaces/{slug:slug}/calls", response={200: CallList.Page, **error_responses()},
            summary="통화 기록 (최근 것부터)")
def call_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[PageFilters]) -> dict[str, Any]:
    membership = member(request, slug)
    qs = selectors.calls_list(membership=membership).select_related("category__parent")
    rows, next_cursor = paginate(qs, keys=CALL_KEYS, cursor=filters.cursor, limit=filters.limit, tag="calls")
    return {"items": [CallOut.of(call) for call in rows], "next_cursor": next_cursor}


class CallLog:
    class Input(ApiBody):
        phone: str = Field("", max_length=40, description="고객 전화번호 (아무 형식)")
        summary: str = Field(..., min_length=1, max_length=10_000, description="상담 내용")
        direction: CallDirection = CallDirection.INBOUND
        duration_seconds: int = Field(0, ge=0, le=86_400)
        outcome: CallOutcome = Field(CallOutcome.RESOLVED,
                                     description="follow_up이면 티켓이 만들어집니다 (ticket_number가 없을 때)")
        category_id: Id | None = None
        product_id: Id | None = None
        customer_name: str = Field("", max_length=120)
        ticket_number: int | None = Field(None, ge=1, le=MAX_NUMBER, description="이 통화를 붙일 티켓")
        started_at: AwareDatetime | None = Field(None, description="통화 시작 시각 (비우면 지금)")


@router.post("/workspaces/{slug:slug}/calls", response={201: CallOut, **error_responses()},
             summary="통화 기록하기")
def call_create(request: HttpRequest, slug: WorkspaceSlug, payload: CallLog.Input) -> HttpStatus[CallOut]:
    membership = writer(request, slug)
    ticket = (selectors.ticket_get(membership=membership, number=payload.ticket_number)
              if payload.ticket_number is not None else None)
    call = services.call_log(
        workspace=membership.workspace, by=membership, phone=payload.phone.strip(), summary=payload.summary,
        direction=payload.direction, duration_seconds=payload.duration_seconds, outcome=payload.outcome,
        category_id=payload.category_id, product_id=payload.product_id, customer_name=payload.customer_name,
        ticket=ticket, started_at=payload.started_at,
    )
    call = selectors.calls_list(membership=membership).select_related("category__parent").get(pk=call.pk)
    return HttpStatus(201, CallOut.of(call))
