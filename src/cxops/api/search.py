"""Full-text ticket search (Korean morphemes), best match first."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from cxops.api.access import member
from cxops.api.errors import error_responses
from cxops.api.schemas import ApiInput, ApiSchema, WorkspaceSlug
from cxops.tickets import selectors

router = Router(tags=["search"])


class TicketSearch:
    class Filters(ApiInput):
        q: str = Field(..., min_length=1, max_length=200, description="검색어 (띄어쓰기가 달라도 찾습니다)")
        limit: int = Field(20, ge=1, le=100)

    class Hit(ApiSchema):
        number: int
        external_id: str | None
        subject: str
        score: float = Field(description="클수록 잘 맞습니다 (같은 검색 안에서만 비교할 수 있음)")


@router.get("/workspaces/{slug:slug}/search", response={200: list[TicketSearch.Hit], **error_responses()},
            summary="티켓 검색", description="제목·내용·고객 정보(고객사 열람자가 아니면 내부 메모도)에서 찾습니다.")
def ticket_search(request: HttpRequest, slug: WorkspaceSlug,
                  filters: Query[TicketSearch.Filters]) -> list[TicketSearch.Hit]:
    membership = member(request, slug)
    results = selectors.ticket_search(membership=membership, query=filters.q, limit=filters.limit)
    return [TicketSearch.Hit(number=r.ticket.number, external_id=r.ticket.external_id, subject=r.ticket.subject,
                             score=r.score) for r in results]
