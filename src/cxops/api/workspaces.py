"""The caller's workspaces, and one workspace with what integrations need to fill in ids."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from cxops.api.access import member
from cxops.api.errors import error_responses
from cxops.api.schemas import ApiSchema, WorkspaceSlug
from cxops.core import selectors as core_selectors
from cxops.core.models import Membership, Role
from cxops.tickets import selectors

router = Router(tags=["workspaces"])


class WorkspaceOut(ApiSchema):
    slug: WorkspaceSlug
    name: str
    timezone: str
    locale: str
    role: Role = Field(description="이 워크스페이스에서 내 역할")
    can_write: bool = Field(description="false면 조회만 할 수 있습니다 (고객사 열람자)")

    @classmethod
    def fields_of(cls, membership: Membership) -> dict[str, Any]:
        workspace = membership.workspace
        return {"slug": workspace.slug, "name": workspace.name, "timezone": workspace.timezone,
                "locale": workspace.locale, "role": Role(membership.role), "can_write": membership.can_write}


@router.get("/workspaces", response={200: list[WorkspaceOut], **error_responses()}, summary="내 워크스페이스 목록")
def workspace_list(request: HttpRequest) -> list[WorkspaceOut]:
    memberships = core_selectors.memberships_for_user(user=request.auth)  # type: ignore[attr-defined]
    return [WorkspaceOut(**WorkspaceOut.fields_of(m)) for m in memberships]


class WorkspaceCategory(ApiSchema):
    id: int
    name: str = Field(description="'상위 > 하위' 형식의 전체 이름")
    parent_id: int | None


class WorkspaceProduct(ApiSchema):
    id: int
    name: str
    code: str


class WorkspaceStatusOut(ApiSchema):
    id: int
    name: str
    base_status: str


class WorkspaceTeam(ApiSchema):
    id: int
    name: str


class WorkspaceMember(ApiSchema):
    user_id: int
    name: str
    email: str
    role: Role


class WorkspaceDetail:
    class Output(WorkspaceOut):
        categories: list[WorkspaceCategory]
        products: list[WorkspaceProduct]
        statuses: list[WorkspaceStatusOut] = Field(description="워크스페이스 세부 상태 (custom_status_id)")
        teams: list[WorkspaceTeam]
        members: list[WorkspaceMember] = Field(description="담당자로 지정할 수 있는 구성원 (assignee_id = user_id)")


@router.get("/workspaces/{slug:slug}", response={200: WorkspaceDetail.Output, **error_responses()},
            summary="워크스페이스 한 곳 (분류·상품·세부 상태·팀·구성원 id 포함)")
def workspace_detail(request: HttpRequest, slug: WorkspaceSlug) -> WorkspaceDetail.Output:
    membership = member(request, slug)
    workspace = membership.workspace
    return WorkspaceDetail.Output(
        **WorkspaceOut.fields_of(membership),
        categories=[WorkspaceCategory(id=c.pk, name=str(c), parent_id=c.parent_id)
                    for c in selectors.categories(membership=membership)],
        products=[WorkspaceProduct(id=p.pk, name=p.name, code=p.code)
                  for p in selectors.products(membership=membership)],
        statuses=[WorkspaceStatusOut(id=s.pk, name=s.name, base_status=s.base_status)
                  for s in selectors.workspace_statuses(membership=membership)],
        teams=[WorkspaceTeam(id=t.pk, name=t.name)
               for t in core_selectors.teams_list(workspace=workspace).prefetch_related(None)],
        members=[WorkspaceMember(user_id=m.user_id, name=m.user.label, email=m.user.email, role=Role(m.role))
                 for m in core_selectors.members_list(workspace=workspace)],
    )
