"""The caller's notification center: list, mark read, and choose how email arrives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from cxops.api.access import member
from cxops.api.errors import error_responses
from cxops.api.pagination import SortKey, paginate
from cxops.api.schemas import ApiBody, ApiSchema, Id, PageFilters, WorkspaceSlug
from cxops.notifications import selectors, services
from cxops.notifications.models import DigestMode, Notification

router = Router(tags=["notifications"])


class NotificationOut(ApiSchema):
    id: int
    kind: str = Field(description="출처와 사건 (예: sla.breach, complaint.escalated)")
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None
    emailed_at: datetime | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(id=n.pk, kind=n.kind, title=n.title, body=n.body, url=n.url, created_at=n.created_at,
                   read_at=n.read_at, emailed_at=n.emailed_at)


class NotificationList:
    class Filters(PageFilters):
        unread: bool = Field(False, description="읽지 않은 알림만")

    class Page(ApiSchema):
        items: list[NotificationOut]
        unread_count: int
        next_cursor: str | None


class MarkRead:
    class Input(ApiBody):
        ids: list[Id] | None = Field(None, max_length=500, description="읽음으로 표시할 알림 id. 비우면 모두.")

    class Output(ApiSchema):
        marked: int


class Preference:
    class Input(ApiBody):
        digest: DigestMode = Field(description="immediate · hourly · daily · off")

    class Output(ApiSchema):
        digest: DigestMode


@router.get("/workspaces/{slug:slug}/notifications", response={200: NotificationList.Page, **error_responses()},
            summary="내 알림 목록 (최신순)")
def notification_list(request: HttpRequest, slug: WorkspaceSlug,
                      filters: Query[NotificationList.Filters]) -> dict[str, Any]:
    membership = member(request, slug)
    rows, next_cursor = paginate(selectors.notifications_for(membership=membership, unread_only=filters.unread),
                                 keys=[SortKey("created_at", True, "datetime"), SortKey("id", True, "int")],
                                 cursor=filters.cursor, limit=filters.limit, tag="notifications")
    return {"items": [NotificationOut.of(n) for n in rows], "next_cursor": next_cursor,
            "unread_count": selectors.unread_count(membership=membership)}


@router.post("/workspaces/{slug:slug}/notifications/read", response={200: MarkRead.Output, **error_responses()},
             summary="알림을 읽음으로 표시")
def notification_mark_read(request: HttpRequest, slug: WorkspaceSlug, payload: MarkRead.Input) -> dict[str, int]:
    membership = member(request, slug)
    return {"marked": services.mark_read(membership=membership, notification_ids=payload.ids)}


@router.get("/workspaces/{slug:slug}/notifications/preference",
            response={200: Preference.Output, **error_responses()}, summary="내 이메일 알림 방식")
def notification_preference_get(request: HttpRequest, slug: WorkspaceSlug) -> dict[str, str]:
    return {"digest": services.preference_get(member(request, slug)).digest}


@router.put("/workspaces/{slug:slug}/notifications/preference",
            response={200: Preference.Output, **error_responses()}, summary="이메일 알림 방식 바꾸기")
def notification_preference_set(request: HttpRequest, slug: WorkspaceSlug,
                                payload: Preference.Input) -> dict[str, str]:
    pref = services.preference_set(membership=member(request, slug), digest=payload.digest)
    return {"digest": pref.digest}
