"""Knowledge-base API: public suggestions, and articles/categories for members.

`GET /kb/suggest` works without credentials (public articles only, rate limited per client address
like the rest of the API); a signed-in member of the workspace also gets internal mini-guides.
Article writes need a member who may write (client viewers read only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from ninja import Query, Router
from ninja import Status as HttpStatus
from pydantic import Field

from cxops.api.access import member, writer
from cxops.api.auth import ApiTokenAuth, SessionAuth
from cxops.api.errors import error_responses
from cxops.api.schemas import ApiBody, ApiInput, ApiSchema, Id, Ref, WorkspaceSlug
from cxops.core.models import Membership, Workspace
from cxops.knowledge import selectors, services, suggest
from cxops.knowledge.models import Article, ArticleStatus, Audience, Language

router = Router(tags=["knowledge"])


class AnonymousAllowed:
    """Last in the auth list of public routes: no credentials is fine (request.auth is anonymous).
    A wrong token is still refused by ApiTokenAuth before this is asked."""

    def __call__(self, request: HttpRequest) -> Any:
        return AnonymousUser()


PUBLIC_AUTH = [ApiTokenAuth(), SessionAuth(), AnonymousAllowed()]


class KbSuggest:
    class Filters(ApiInput):
        q: str = Field(..., min_length=1, max_length=500, description="고객의 질문 (오타·띄어쓰기 오류 허용)")
        k: int = Field(5, ge=1, le=20, description="최대 개수")
        workspace: str = Field(..., max_length=60, pattern=r"^[-a-zA-Z0-9_]+$", description="워크스페이스 슬러그")

    class Hit(ApiSchema):
        id: int
        external_id: str | None
        title: str
        audience: str
        score: float = Field(description="0–1의 신뢰도. 표시 기준을 넘는 것만 돌려줍니다.")
        url: str | None = Field(description="헬프센터 문서 주소 (공개 문서만)")


@router.get("/kb/suggest", auth=PUBLIC_AUTH, response={200: list[KbSuggest.Hit], **error_responses()},
            summary="추천 문서 (공개 문서는 로그인 없이)",
            description="질문에 맞는 게시된 문서를 점수 순으로 돌려줍니다. 로그인하지 않으면 공개 문서만, "
                        "그 워크스페이스 구성원이면 내부 미니 가이드도 포함합니다.")
def kb_suggest(request: HttpRequest, filters: Query[KbSuggest.Filters]) -> list[KbSuggest.Hit]:
    from django.urls import reverse

    workspace = Workspace.objects.filter(slug=filters.workspace).first()
    if workspace is None:
        raise Http404
    user = request.auth  # type: ignore[attr-defined]
    is_member = bool(getattr(user, "is_authenticated", False)) and Membership.objects.filter(
        user=user, workspace=workspace, is_active=True).exists()
    hits = suggest.suggest(workspace.pk, filters.q, k=filters.k, include_internal=is_member)
    return [KbSuggest.Hit(id=h.article.id, external_id=h.article.external_id, title=h.article.title,
                          audience=Audience.INTERNAL if h.article.internal else Audience.PUBLIC, score=h.score,
                          url=None if h.article.internal else reverse(
                              "kb_help_article", kwargs={"slug": workspace.slug, "article_id": h.article.id}))
            for h in hits]


class KbArticleOut(ApiSchema):
    id: int
    external_id: str | None
    title: str
    body: str = Field(description="정제된 HTML")
    body_text: str
    category: Ref | None
    tags: list[str]
    product: str
    audience: str
    status: str
    language: str
    version: int
    steps: list[str]
    last_verified_at: datetime | None
    updated_at: datetime

    @classmethod
    def of(cls, a: Article, steps: list[str] | None = None) -> KbArticleOut:
        return cls(id=a.pk, external_id=a.external_id, title=a.title, body=a.body, body_text=a.body_text,
                   category=Ref(id=a.category.pk, name=a.category.name) if a.category else None,
                   tags=list(a.tags or []), product=a.product, audience=a.audience, status=a.status,
                   language=a.language, version=a.version,
                   steps=steps if steps is not None else [s.text for s in a.steps.all()],
                   last_verified_at=a.last_verified_at, updated_at=a.updated_at)


class KbArticleList:
    class Filters(ApiInput):
        status: str | None = Field(None, pattern=r"^(draft|published)$")
        audience: str | None = Field(None, pattern=r"^(public|internal)$")
        category_id: int | None = Field(None, ge=1)
        stale: bool = False
        q: str = Field("", max_length=200)
        limit: int = Field(100, ge=1, le=500)


@router.get("/workspaces/{slug:slug}/kb/articles", response={200: list[KbArticleOut], **error_responses()},
            summary="지식베이스 문서 목록")
def kb_article_list(request: HttpRequest, slug: WorkspaceSlug,
                    filters: Query[KbArticleList.Filters]) -> list[KbArticleOut]:
    membership = member(request, slug)
    qs = selectors.articles_list(membership=membership, status=filters.status or "", audience=filters.audience or "",
                                 category_id=filters.category_id, stale=filters.stale, q=filters.q)
    return [KbArticleOut.of(a) for a in qs.prefetch_related("steps")[: filters.limit]]


class KbArticleWrite:
    class Input(ApiBody):
        title: str = Field(..., min_length=1, max_length=200)
        body: str = Field("", max_length=200_000, description="HTML (허용된 태그만 남깁니다)")
        category_id: int | None = Field(None, ge=1)
        tags: list[str] = Field(default_factory=list, max_length=20)
        product: str = Field("", max_length=160)
        audience: str = Field(Audience.PUBLIC, pattern=r"^(public|internal)$")
        language: str = Field(Language.KO, pattern=r"^(ko|en)$")
        external_id: str | None = Field(None, max_length=120)
        steps: list[str] | None = Field(None, max_length=50, description="번호 순서대로 단계 설명")
        status: str = Field(ArticleStatus.DRAFT, pattern=r"^(draft|published)$")

    class Patch(ApiBody):
        NOT_NULL = ("title", "body", "tags", "product", "audience", "language", "steps")
        title: str | None = Field(None, min_length=1, max_length=200)
        body: str | None = Field(None, max_length=200_000)
        category_id: int | None = Field(None, ge=1)
        tags: list[str] | None = Field(None, max_length=20)
        product: str | None = Field(None, max_length=160)
        audience: str | None = Field(None, pattern=r"^(public|internal)$")
        language: str | None = Field(None, pattern=r"^(ko|en)$")
        external_id: str | None = Field(None, max_length=120)
        steps: list[str] | None = Field(None, max_length=50)


@router.post("/workspaces/{slug:slug}/kb/articles", response={201: KbArticleOut, **error_responses()},
             summary="문서 만들기")
def kb_article_create(request: HttpRequest, slug: WorkspaceSlug,
                      payload: KbArticleWrite.Input) -> HttpStatus[KbArticleOut]:
    membership = writer(request, slug)
    data = services.ArticleInput(title=payload.title, body=payload.body, category_id=payload.category_id,
                                 tags=payload.tags, product=payload.product, audience=payload.audience,
                                 language=payload.language, external_id=payload.external_id)
    article = services.article_create(workspace=membership.workspace, data=data, by=membership.user,
                                      status=payload.status, steps=payload.steps or [])
    return HttpStatus(201, KbArticleOut.of(article))


@router.get("/workspaces/{slug:slug}/kb/articles/{int:article_id}", response={200: KbArticleOut, **error_responses()},
            summary="문서 한 건")
def kb_article_detail(request: HttpRequest, slug: WorkspaceSlug, article_id: Id) -> KbArticleOut:
    membership = member(request, slug)
    return KbArticleOut.of(selectors.article_get(membership=membership, article_id=article_id))


@router.patch("/workspaces/{slug:slug}/kb/articles/{int:article_id}",
              response={200: KbArticleOut, **error_responses()}, summary="문서 고치기 (보낸 항목만)")
def kb_article_update(request: HttpRequest, slug: WorkspaceSlug, article_id: Id,
                      payload: KbArticleWrite.Patch) -> KbArticleOut:
    membership = writer(request, slug)
    article = selectors.article_get(membership=membership, article_id=article_id)
    sent = payload.model_dump(exclude_unset=True)
    data = services.ArticleInput(
        title=sent.get("title", article.title), body=sent.get("body", article.body),
        category_id=sent.get("category_id", article.category_id),
        tags=sent.get("tags", article.tags), product=sent.get("product", article.product),
        audience=sent.get("audience", article.audience), language=sent.get("language", article.language),
        external_id=sent.get("external_id", article.external_id))
    article = services.article_update(article=article, data=data, by=membership.user, steps=sent.get("steps"))
    return KbArticleOut.of(selectors.article_get(membership=membership, article_id=article.pk))


class KbPublish:
    class Input(ApiBody):
        status: str = Field(ArticleStatus.PUBLISHED, pattern=r"^(draft|published)$",
                            description="published(게시) 또는 draft(게시 중단)")


@router.post("/workspaces/{slug:slug}/kb/articles/{int:article_id}/publish",
             response={200: KbArticleOut, **error_responses()}, summary="문서 게시 / 게시 중단")
def kb_article_publish(request: HttpRequest, slug: WorkspaceSlug, article_id: Id,
                       payload: KbPublish.Input) -> KbArticleOut:
    membership = writer(request, slug)
    article = selectors.article_get(membership=membership, article_id=article_id)
    article = services.article_set_status(article=article, status=payload.status, by=membership.user)
    return KbArticleOut.of(selectors.article_get(membership=membership, article_id=article.pk))


class KbCategoryOut(ApiSchema):
    id: int
    name: str
    description: str


@router.get("/workspaces/{slug:slug}/kb/categories", response={200: list[KbCategoryOut], **error_responses()},
            summary="지식베이스 분류 목록")
def kb_category_list(request: HttpRequest, slug: WorkspaceSlug) -> list[KbCategoryOut]:
    membership = member(request, slug)
    return [KbCategoryOut(id=c.pk, name=c.name, description=c.description)
            for c in selectors.categories_list(workspace=membership.workspace)]
