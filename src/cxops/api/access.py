"""The caller's membership in the workspace named by the URL, and what it allows.

Every workspace route starts with one of these. A workspace the caller is not an active member of
is answered with 404 (never 403), so other tenants' workspaces and objects stay invisible.
"""

from __future__ import annotations

from django.http import HttpRequest

from cxops.core.models import Membership, Role
from cxops.core.selectors import membership_get

MSG_READ_ONLY = "고객사 열람자 권한으로는 조회만 할 수 있습니다."
MSG_ADMIN_ONLY = "워크스페이스 관리자만 사용할 수 있습니다."


def member(request: HttpRequest, slug: str) -> Membership:
    """Any active member, client viewers included (reads)."""
    return membership_get(user=request.auth, workspace_slug=slug)  # type: ignore[attr-defined]


def writer(request: HttpRequest, slug: str) -> Membership:
    """A member who may change things: everyone but client viewers."""
    membership = member(request, slug)
    if not membership.can_write:
        raise PermissionError(MSG_READ_ONLY)
    return membership


def admin(request: HttpRequest, slug: str) -> Membership:
    """A workspace admin (webhooks and other integration settings)."""
    membership = member(request, slug)
    if not (membership.can_write and membership.has_role(Role.ADMIN)):
        raise PermissionError(MSG_ADMIN_ONLY)
    return membership
