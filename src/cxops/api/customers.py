"""Customers: find, read (the read is written to the PII access log), correct, merge duplicates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from django.http import HttpRequest
from ninja import Path, Query, Router
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from cxops.api.access import member, writer
from cxops.api.errors import error_responses
from cxops.api.pagination import SortKey, paginate
from cxops.api.schemas import MAX_ID, ApiBody, ApiSchema, Id, PageFilters, WorkspaceSlug
from cxops.core.services import ServiceError, pii_access_log
from cxops.tickets import selectors, services
from cxops.tickets.models import Call, Customer, Ticket

router = Router(tags=["customers"])

CustomerId = Annotated[int, Path(ge=1, le=MAX_ID, description="고객 id")]

CUSTOMER_KEYS = [SortKey("updated_at", True, "datetime"), SortKey("id", True, "int")]


class CustomerOut(ApiSchema):
    id: int
    name: str
    phones: list[str] = Field(description="숫자만 (01012345678)")
    emails: list[str]
    external_ids: dict[str, Any] = Field(description='{"mall_user_id": "...", "orders": [...]}')
    notes: str
    tier: str
    merged_into_id: int | None = Field(description="다른 고객에 병합되었으면 그 고객의 id")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def fields_of(cls, customer: Customer) -> dict[str, Any]:
        return {
            "id": customer.pk, "name": customer.name, "phones": list(customer.phones),
            "emails": list(customer.emails), "external_ids": dict(customer.external_ids), "notes": customer.notes,
            "tier": customer.tier, "merged_into_id": customer.merged_into_id, "created_at": customer.created_at,
            "updated_at": customer.updated_at,
        }

    @classmethod
    def of(cls, customer: Customer) -> CustomerOut:
        return cls(**cls.fields_of(customer))


class CustomerList:
    class Filters(PageFilters):
        q: str | None = Field(None, max_length=200, description="이름, 전화번호(아무 형식), 이메일, 주문번호")

    class Page(ApiSchema):
        items: list[CustomerOut]
        next_cursor: str | None


@router.get("/workspaces/{slug:slug}/customers", response={200: CustomerList.Page, **error_responses()},
            summary="고객 목록·찾기")
def customer_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[CustomerList.Filters]) -> dict[str, Any]:
    membership = member(request, slug)
    qs = selectors.customers_list(membership=membership, query=filters.q or "")
    rows, next_cursor = paginate(qs, keys=CUSTOMER_KEYS, cursor=filters.cursor, limit=filters.limit,
                                 tag="customers")
    return {"items": [CustomerOut.of(customer) for customer in rows], "next_cursor": next_cursor}


class CustomerRecentTicket(ApiSchema):
    number: int
    subject: str
    status: str
    created_at: datetime


class CustomerRecentCall(ApiSchema):
    id: int
    direction: str
    summary: str
    outcome: str
    started_at: datetime
    ticket_number: int | None


class CustomerDetail:
    class Output(CustomerOut):
        recent_tickets: list[CustomerRecentTicket]
        recent_calls: list[CustomerRecentCall]

        @classmethod
        def build(cls, customer: Customer, tickets: list[Ticket], calls: list[Call]) -> Any:
            return cls(
                **CustomerOut.fields_of(customer),
                recent_tickets=[CustomerRecentTicket(number=t.number, subject=t.subject, status=t.status,
                                                            created_at=t.created_at) for t in tickets],
                recent_calls=[CustomerRecentCall(id=c.pk, direction=c.direction, summary=c.summary,
                                                        outcome=c.outcome, started_at=c.started_at,
                                                        ticket_number=c.ticket.number if c.ticket else None)
                              for c in calls],
            )


@router.get("/workspaces/{slug:slug}/customers/{int:customer_id}",
            response={200: CustomerDetail.Output, **error_responses()}, summary="고객 한 명 (최근 문의·통화 포함)",
            description="개인정보 조회이므로 개인정보 접속기록(누가, 언제, 어떤 고객)을 남깁니다.")
def customer_detail(request: HttpRequest, slug: WorkspaceSlug, customer_id: CustomerId) -> Any:
    membership = member(request, slug)
    customer = selectors.customer_get(membership=membership, customer_id=customer_id)
    tickets, calls = selectors.customer_history(membership=membership, customer=customer)
    pii_access_log(workspace=membership.workspace, user=membership.user, subject=customer,
                   purpose="api.customer_detail")
    return CustomerDetail.Output.build(customer, tickets, calls)


class CustomerUpdate:
    class Input(ApiBody):
        NOT_NULL: ClassVar[tuple[str, ...]] = ("name", "notes", "tier")

        name: Annotated[str, Field(max_length=120)] | SkipJsonSchema[None] = None
        notes: Annotated[str, Field(max_length=10_000)] | SkipJsonSchema[None] = None
        tier: Annotated[str, Field(max_length=30)] | SkipJsonSchema[None] = None
        add_phone: str = Field("", max_length=40, description="더할 전화번호")
        add_email: str = Field("", max_length=254, description="더할 이메일")


@router.patch("/workspaces/{slug:slug}/customers/{int:customer_id}",
              response={200: CustomerOut, **error_responses()}, summary="고객 정보 고치기")
def customer_update(request: HttpRequest, slug: WorkspaceSlug, customer_id: CustomerId,
                    payload: CustomerUpdate.Input) -> CustomerOut:
    membership = writer(request, slug)
    customer = selectors.customer_get(membership=membership, customer_id=customer_id)
    services.customer_update(customer=customer, by=membership, name=payload.name, notes=payload.notes,
                             tier=payload.tier, add_phone=payload.add_phone.strip(),
                             add_email=payload.add_email.strip())
    return CustomerOut.of(selectors.customer_get(membership=membership, customer_id=customer_id))


class CustomerMerge:
    class Input(ApiBody):
        source_id: Id = Field(description="이 고객으로 합칠(없어질) 고객의 id")


@router.post("/workspaces/{slug:slug}/customers/{int:customer_id}/merge",
             response={200: CustomerOut, **error_responses()}, summary="중복 고객 병합",
             description="source_id 고객의 티켓·통화·연락처를 이 고객으로 옮깁니다. source 고객은 병합 표시만 남습니다.")
def customer_merge(request: HttpRequest, slug: WorkspaceSlug, customer_id: CustomerId,
                   payload: CustomerMerge.Input) -> CustomerOut:
    membership = writer(request, slug)
    target = selectors.customer_get(membership=membership, customer_id=customer_id)
    source = selectors.customer_get(membership=membership, customer_id=payload.source_id)
    if target.merged_into_id is not None or source.merged_into_id is not None:
        raise ServiceError("이미 다른 고객에 병합된 고객은 병합할 수 없습니다. 병합된 고객을 대상으로 해 주세요.")
    services.customer_merge(source=source, target=target, by=membership)
    return CustomerOut.of(selectors.customer_get(membership=membership, customer_id=customer_id))
