"""REST API of the voice of the customer: tag suggestions (confirm / correct), trends, alerts, products."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from cxops.api.access import member, writer
from cxops.api.errors import error_responses
from cxops.api.schemas import ApiBody, ApiInput, ApiSchema, WorkspaceSlug
from cxops.api.tickets import TicketNumber
from cxops.insights import selectors, services
from cxops.insights.alerts import alert_inbox_url
from cxops.insights.models import SuggestionStatus, TicketTagSuggestion
from cxops.insights.trends import trend_table
from cxops.tickets import selectors as ticket_selectors

router = Router(tags=["voc"])

FieldName = Literal["category", "product", "type"]


class Alternative(ApiSchema):
    label: str
    confidence: float


class SuggestionOut(ApiSchema):
    field: FieldName
    label: str | None = Field(description="추천 값 (null = 확신 없음). category는 '부모 > 자식', type은 코드")
    confidence: float
    alternatives: list[Alternative]
    source: str = Field(description="model, rules, catalog, order")
    model_version: str
    status: SuggestionStatus
    final_label: str | None

    @classmethod
    def of(cls, s: TicketTagSuggestion) -> SuggestionOut:
        return cls(field=s.field, label=s.label or None, confidence=round(s.confidence, 4),  # type: ignore[arg-type]
                   alternatives=[Alternative(label=str(a[0]), confidence=float(a[1])) for a in s.alternatives],
                   source=s.source, model_version=s.model_version, status=SuggestionStatus(s.status),
                   final_label=s.final_label or None)


@router.get("/workspaces/{slug:slug}/tickets/{int:number}/tag-suggestions",
            response={200: list[SuggestionOut], **error_responses()}, summary="티켓의 추천 분류 (상품·사유·유형)")
def tag_suggestion_list(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber) -> list[SuggestionOut]:
    membership = member(request, slug)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    return [SuggestionOut.of(s) for s in selectors.suggestions_for_ticket(membership=membership, ticket=ticket)]


class TagDecision:
    class Input(ApiBody):
        field: FieldName
        label: str | None = Field(None, max_length=250,
                                  description="비우면 추천 값을 확인, 다른 값이면 수정 (학습 데이터가 됩니다)")


@router.post("/workspaces/{slug:slug}/tickets/{int:number}/tag-suggestions",
             response={200: SuggestionOut, **error_responses()}, summary="추천 분류 확인 또는 수정",
             description="티켓에 값을 적용하고(감사 기록, 타임라인 이벤트) 결정을 학습 데이터로 남깁니다.")
def tag_suggestion_decide(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber,
                          payload: TagDecision.Input) -> SuggestionOut:
    membership = writer(request, slug)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    found = [s for s in selectors.suggestions_for_ticket(membership=membership, ticket=ticket) if s.field == payload.field]
    if not found:
        found = [s for s in services.suggestions_refresh_ticket(ticket=ticket) if s.field == payload.field]
    decided = services.suggestion_decide(suggestion=found[0], by=membership, label=payload.label)
    return SuggestionOut.of(decided)


class TrendQuery(ApiInput):
    by: Literal["category", "product", "product_category", "channel"] = "category"
    period: Literal["day", "week", "month"] = "week"
    periods: int | None = Field(None, ge=1, le=800, description="기간 수 (기본: 일 90, 주 52, 월 12)")
    type: Literal["", "inquiry", "complaint", "request", "incident", "suggestion"] = ""


class TrendRowOut(ApiSchema):
    key: str
    period_start: date
    count: int
    share: float
    expected: float | None
    score: float
    alert: bool
    explanation: str


@router.get("/workspaces/{slug:slug}/voc/trends", response={200: list[TrendRowOut], **error_responses()},
            summary="사유·상품·채널별 추이와 기대치, 급증 점수")
def voc_trends(request: HttpRequest, slug: WorkspaceSlug, query: Query[TrendQuery]) -> list[dict[str, Any]]:
    membership = member(request, slug)
    table = trend_table(workspace=membership.workspace, by=query.by, period=query.period, periods=query.periods,
                        ticket_type=query.type)
    return [{**row.as_json(), "period_start": row.period_start, "explanation": row.explanation}
            for row in table.rows()]


class AlertOut(ApiSchema):
    id: int
    dimension: str
    key: str
    label: str
    period: str
    period_start: date
    count: int
    expected: float
    score: float
    kind: str
    explanation: str
    tickets_url: str


@router.get("/workspaces/{slug:slug}/voc/alerts", response={200: list[AlertOut], **error_responses()},
            summary="급증 알림 (최근 것부터 100건)")
def voc_alert_list(request: HttpRequest, slug: WorkspaceSlug) -> list[AlertOut]:
    membership = member(request, slug)
    return [AlertOut(id=a.pk, dimension=a.dimension, key=a.key, label=a.label, period=a.period,
                     period_start=a.period_start, count=a.count, expected=round(a.expected, 2),
                     score=round(a.score, 2), kind=a.kind, explanation=a.explanation, tickets_url=alert_inbox_url(a))
            for a in selectors.alerts_list(membership=membership)]


class ProductOut(ApiSchema):
    id: int
    name: str
    code: str
    aliases: list[str]
    product_type: str
    is_active: bool


class ProductQuery(ApiInput):
    q: str = Field("", max_length=100, description="상품명 또는 코드 일부")


@router.get("/workspaces/{slug:slug}/products", response={200: list[ProductOut], **error_responses()},
            summary="상품 카탈로그 (최대 500건)")
def product_list(request: HttpRequest, slug: WorkspaceSlug, query: Query[ProductQuery]) -> list[ProductOut]:
    membership = member(request, slug)
    return [ProductOut(id=p.pk, name=p.name, code=p.code, aliases=[str(a) for a in p.aliases or []],
                       product_type=p.product_type, is_active=p.is_active)
            for p in selectors.products_list(membership=membership, q=query.q.strip())[:500]]
