"""Macros (canned replies) of the workspace."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from cxops.api.access import member
from cxops.api.errors import error_responses
from cxops.api.schemas import ApiSchema, Ref, WorkspaceSlug, ref
from cxops.tickets import selectors
from cxops.tickets.models import Macro

router = Router(tags=["macros"])


class MacroOut(ApiSchema):
    id: int
    title: str
    body: str = Field(description="{{ customer.name }}, {{ ticket.number }} 같은 자리표시자를 포함할 수 있습니다")
    category: Ref | None
    set_status: str = Field(description="매크로를 쓰면 바뀔 상태 (없으면 '')")
    usage_count: int

    @classmethod
    def of(cls, macro: Macro) -> MacroOut:
        return cls(id=macro.pk, title=macro.title, body=macro.body, category=ref(macro.category),
                   set_status=macro.set_status, usage_count=macro.usage_count)


@router.get("/workspaces/{slug:slug}/macros", response={200: list[MacroOut], **error_responses()},
            summary="매크로 목록")
def macro_list(request: HttpRequest, slug: WorkspaceSlug) -> list[MacroOut]:
    membership = member(request, slug)
    macros = selectors.macros_list(membership=membership).select_related("category__parent").order_by("title", "id")
    return [MacroOut.of(macro) for macro in macros]
