"""Outbound webhooks (workspace admins only): register, remove, and read the delivery log."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router
from ninja import Status as HttpStatus
from pydantic import Field, field_validator

from cxops.api.access import admin
from cxops.api.errors import error_responses
from cxops.api.pagination import SortKey, paginate
from cxops.api.schemas import MAX_ID, ApiBody, ApiSchema, PageFilters, WorkspaceSlug
from cxops.tickets import selectors, services
from cxops.tickets.models import Webhook, WebhookDelivery, WebhookEvent

router = Router(tags=["webhooks"])

WebhookId = Annotated[int, Path(ge=1, le=MAX_ID, description="웹훅 id")]

DELIVERY_KEYS = [SortKey("created_at", True, "datetime"), SortKey("id", True, "int")]


class WebhookOut(ApiSchema):
    id: int
    url: str
    events: list[str]
    is_active: bool
    created_at: datetime

    @classmethod
    def fields_of(cls, hook: Webhook) -> dict[str, Any]:
        return {"id": hook.pk, "url": hook.url, "events": list(hook.events), "is_active": hook.is_active,
                "created_at": hook.created_at}

    @classmethod
    def of(cls, hook: Webhook) -> WebhookOut:
        return cls(**cls.fields_of(hook))


@router.get("/workspaces/{slug:slug}/webhooks", response={200: list[WebhookOut], **error_responses()},
            summary="웹훅 목록")
def webhook_list(request: HttpRequest, slug: WorkspaceSlug) -> list[WebhookOut]:
    membership = admin(request, slug)
    return [WebhookOut.of(hook) for hook in selectors.webhooks_list(membership=membership)]


class WebhookCreate:
    class Input(ApiBody):
        url: str = Field(..., min_length=8, max_length=500, description="http:// 또는 https:// 주소",
                         json_schema_extra={"pattern": r"^https?://\S+$"})
        events: list[WebhookEvent] = Field(..., min_length=1, max_length=len(WebhookEvent.values))

        @field_validator("url")
        @classmethod
        def _http_url(cls, value: str) -> str:
            value = value.strip()
            if not re.fullmatch(r"https?://\S+", value):
                raise ValueError("웹훅 주소는 http:// 또는 https:// 로 시작하는 공백 없는 주소여야 합니다.")
            return value

    class Output(WebhookOut):
        secret: str = Field(description="서명 검증용 비밀값. 이 응답에서 한 번만 보여 줍니다.")


@router.post("/workspaces/{slug:slug}/webhooks", response={201: WebhookCreate.Output, **error_responses()},
             summary="웹훅 등록", description="응답의 secret으로 X-CXOps-Signature를 검증합니다 (API 설명 참고).")
def webhook_create(request: HttpRequest, slug: WorkspaceSlug, payload: WebhookCreate.Input) -> HttpStatus[Any]:
    membership = admin(request, slug)
    events = list(dict.fromkeys(str(event) for event in payload.events))
    hook = services.webhook_create(workspace=membership.workspace, by=membership, url=payload.url,
                                   events=events)
    return HttpStatus(201, WebhookCreate.Output(**WebhookOut.fields_of(hook), secret=hook.secret))


@router.delete("/workspaces/{slug:slug}/webhooks/{int:webhook_id}", response={204: None, **error_responses()},
               summary="웹훅 삭제")
def webhook_delete(request: HttpRequest, slug: WorkspaceSlug, webhook_id: WebhookId) -> HttpStatus[None]:
    membership = admin(request, slug)
    hook = selectors.webhook_get(membership=membership, webhook_id=webhook_id)
    services.webhook_delete(webhook=hook, by=membership)
    return HttpStatus(204, None)


class DeliveryOut(ApiSchema):
    id: int
    event: str
    state: WebhookDelivery.State
    attempts: int
    response_status: int | None
    response_body: str = Field(description="받는 쪽 응답의 앞부분 (최대 2,000자)")
    error: str
    payload: dict[str, Any]
    created_at: datetime
    last_attempt_at: datetime | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        return cls(
            id=delivery.pk, event=delivery.event, state=WebhookDelivery.State(delivery.state),
            attempts=delivery.attempts,
            response_status=delivery.response_status, response_body=delivery.response_body, error=delivery.error,
            payload=delivery.payload, created_at=delivery.created_at, last_attempt_at=delivery.last_attempt_at,
        )


class DeliveryList:
    class Page(ApiSchema):
        items: list[DeliveryOut]
        next_cursor: str | None


@router.get("/workspaces/{slug:slug}/webhooks/{int:webhook_id}/deliveries",
            response={200: DeliveryList.Page, **error_responses()}, summary="웹훅 발송 기록 (최근 것부터)")
def webhook_delivery_list(request: HttpRequest, slug: WorkspaceSlug, webhook_id: WebhookId,
                          filters: Query[PageFilters]) -> dict[str, Any]:
    membership = admin(request, slug)
    hook = selectors.webhook_get(membership=membership, webhook_id=webhook_id)
    qs = selectors.webhook_delivery_queryset(membership=membership, webhook=hook)
    rows, next_cursor = paginate(qs, keys=DELIVERY_KEYS, cursor=filters.cursor, limit=filters.limit,
                                 tag="deliveries")
    return {"items": [DeliveryOut.of(delivery) for delivery in rows], "next_cursor": next_cursor}
